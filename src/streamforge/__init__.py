"""StreamForge: referentially intact, continuously arriving test data for Lakeflow pipelines."""

__version__ = "0.1.0"

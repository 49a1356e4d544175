"""StreamForge: referentially intact, continuously arriving synthetic data for Lakeflow pipelines."""

__version__ = "0.1.0"

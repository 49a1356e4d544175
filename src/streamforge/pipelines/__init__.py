"""Lakeflow / Spark Declarative Pipelines: generation and local runs."""

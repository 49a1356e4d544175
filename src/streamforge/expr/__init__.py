"""Computed columns and row checks (DESIGN §3, coherent rows): Spark SQL read by sqlglot, run by
DuckDB over each chunk's Arrow table."""

"""Spark SQL text to the DuckDB SQL the oracle runs, with Spark's decimal semantics.

DuckDB alone divides decimals in DOUBLE (`15.00 * (1 - 1.70/100)` is 14.745 less a hair, which
rounds to 14.74) where Spark keeps an exact decimal (14.745, HALF_UP 14.75). The translation is
the language's meaning, so the oracle reuses expr.bind's (typed by the landed columns' own types,
expr/spark_decimal.py); the rows are still evaluated here, by the oracle, from the landed files.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from streamforge.expr.bind import typed_duckdb


def to_duckdb(spark: str, rows: pa.Table) -> str:
    """DuckDB SQL for the Spark SQL `spark` over `rows` (its columns by their names). Raises
    streamforge.expr.errors as expr.bind does when the text does not parse."""
    con = duckdb.connect(config={"threads": 1})
    try:
        con.register("landed", rows)
        relation = con.sql("SELECT * FROM landed")
        types = {name: str(t) for name, t in zip(relation.columns, relation.types, strict=True)}
    finally:
        con.close()
    return typed_duckdb(spark, types)

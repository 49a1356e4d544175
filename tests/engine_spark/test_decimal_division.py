"""Division of decimals: the expression engine gives the type and the values real Spark gives
(local pyspark), for the same rows (#13.9; tests/engine/test_spark_decimal.py holds the rule)."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from streamforge.pipelines.local_spark import spark_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available(), reason="needs pyspark and Java"),
]

EXPRESSIONS = [
    "a / b",
    "a / 3",
    "a / 0.0825",
    "q / a",
    "a / n",
    "(a - b) / b",
    "(a * q) / 7",
    "round(a / b, 2)",
    "q % 0",
    "a * q",
    "a * n",
]
ROWS = [
    (Decimal("1.00"), Decimal("3.00"), 7, 3),
    (Decimal("-2.00"), Decimal("3.00"), -7, 9),
    (Decimal("1.01"), Decimal("0.00"), 0, 1),
    (Decimal("99999999.99"), Decimal("0.01"), 2147483647, 9223372036854775807),
    (Decimal("0.05"), Decimal("-0.03"), 1, -2),
    (Decimal("0.01"), Decimal("2.00"), 5, 400),
]


def test_types_and_values_match_spark(tmp_path):
    from pyspark.sql import types as T

    from streamforge.engine_spark.start import local_session
    from streamforge.expr.bind import result_type, typed_duckdb
    from streamforge.expr.duck import evaluate

    spark = local_session("local[1]", tmp_path / "spark")
    # The engine follows Spark's non-ANSI semantics (NULL on a zero divisor or an overflow);
    # Spark 4 turns ANSI mode on by default, where both stop the query.
    spark.conf.set("spark.sql.ansi.enabled", "false")
    try:
        schema = T.StructType(
            [
                T.StructField("a", T.DecimalType(10, 2)),
                T.StructField("b", T.DecimalType(10, 2)),
                T.StructField("q", T.IntegerType()),
                T.StructField("n", T.LongType()),
            ]
        )
        frame = spark.createDataFrame(ROWS, schema).selectExpr(
            *(f"{e} AS e{i}" for i, e in enumerate(EXPRESSIONS))
        )
        spark_types = [f.dataType for f in frame.schema.fields]
        spark_rows = [tuple(r) for r in frame.collect()]
    finally:
        spark.stop()
    types = {"a": "DECIMAL(10, 2)", "b": "DECIMAL(10, 2)", "q": "INTEGER", "n": "BIGINT"}
    table = pa.table(
        {
            "a": pa.array([r[0] for r in ROWS], pa.decimal128(10, 2)),
            "b": pa.array([r[1] for r in ROWS], pa.decimal128(10, 2)),
            "q": pa.array([r[2] for r in ROWS], pa.int32()),
            "n": pa.array([r[3] for r in ROWS], pa.int64()),
        }
    )
    for i, (text, spark_type) in enumerate(zip(EXPRESSIONS, spark_types, strict=True)):
        sql = typed_duckdb(text, types)
        found = result_type(types, sql).replace(" ", "")
        if isinstance(spark_type, T.DecimalType):
            # Divisions carry Spark's exact type. round() and a wide product keep DuckDB's
            # precision (round: Spark cuts it to p - s + 1 + digits; a product is computed in
            # at least 19 digits): the same values, and a computed column is cast to its
            # declared type either way.
            if "/" in text and not text.startswith("round("):
                assert found == f"DECIMAL({spark_type.precision},{spark_type.scale})", text
            arrow = pa.decimal128(spark_type.precision, spark_type.scale)
        else:
            arrow = pa.float64() if isinstance(spark_type, T.DoubleType) else pa.int64()
        ours = evaluate(table, {"v": sql}, {"v": arrow}).column("v").to_pylist()
        assert ours == [r[i] for r in spark_rows], text

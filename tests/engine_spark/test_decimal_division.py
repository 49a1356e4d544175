"""Expressions against real Spark (local pyspark 4, ANSI mode on, its default and Databricks'):
division of decimals gives Spark's type and values (#13.9; tests/engine/test_spark_decimal.py
holds the rule), and where Spark stops the query (a zero divisor, an overflow, an invalid cast)
the engine stops with the same error class (expr/ansi.py); row by row, so each row's outcome is
compared on its own."""

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
    "q div b",
    "q / q",
    "a * q",
    "a * n",
    "n + q",
    "q * q",
    "cast(s AS int)",
    "cast(n AS int)",
    "cast(a * 100 AS decimal(5, 2))",
    "try_divide(a, b)",
    "try_cast(s AS int)",
]
ROWS = [
    (Decimal("1.00"), Decimal("3.00"), 7, 3, "12"),
    (Decimal("-2.00"), Decimal("3.00"), -7, 9, "-3"),
    (Decimal("1.01"), Decimal("0.00"), 0, 1, "x1"),
    (Decimal("99999999.99"), Decimal("0.01"), 2147483647, 9223372036854775807, " 7 "),
    (Decimal("0.05"), Decimal("-0.03"), 1, -2, "2147483648"),
    (Decimal("0.01"), Decimal("2.00"), 5, 400, None),
    (None, Decimal("0.00"), None, None, "1.5"),
]


def test_types_values_and_errors_match_spark(tmp_path):
    from pyspark.errors import PySparkException
    from pyspark.sql import types as T

    from streamforge.engine_spark.start import local_session
    from streamforge.expr.ansi import AnsiError
    from streamforge.expr.bind import result_type, typed_duckdb
    from streamforge.expr.duck import evaluate

    spark = local_session("local[1]", tmp_path / "spark")
    try:
        assert spark.conf.get("spark.sql.ansi.enabled") == "true"  # Spark 4's default
        schema = T.StructType(
            [
                T.StructField("a", T.DecimalType(10, 2)),
                T.StructField("b", T.DecimalType(10, 2)),
                T.StructField("q", T.IntegerType()),
                T.StructField("n", T.LongType()),
                T.StructField("s", T.StringType()),
            ]
        )
        frame = spark.createDataFrame(ROWS, schema)
        spark_types = [frame.selectExpr(e).schema.fields[0].dataType for e in EXPRESSIONS]
        spark_out: dict[tuple[int, int], object] = {}
        for r in range(len(ROWS)):
            row = spark.createDataFrame(ROWS[r : r + 1], schema)
            for i, text in enumerate(EXPRESSIONS):
                try:
                    spark_out[i, r] = row.selectExpr(text).collect()[0][0]
                except PySparkException as error:
                    # NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION: the class, not its sub-class
                    spark_out[i, r] = ("error", str(error.getCondition()).split(".")[0])
    finally:
        spark.stop()
    types = {
        "a": "DECIMAL(10, 2)",
        "b": "DECIMAL(10, 2)",
        "q": "INTEGER",
        "n": "BIGINT",
        "s": "VARCHAR",
    }
    arrow = {
        "a": pa.decimal128(10, 2),
        "b": pa.decimal128(10, 2),
        "q": pa.int32(),
        "n": pa.int64(),
        "s": pa.string(),
    }
    stops = 0
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
            out_type = pa.decimal128(spark_type.precision, spark_type.scale)
        elif isinstance(spark_type, T.DoubleType):
            out_type = pa.float64()
        else:
            out_type = pa.int64()
        for r in range(len(ROWS)):
            table = pa.table(
                {k: pa.array([ROWS[r][j]], t) for j, (k, t) in enumerate(arrow.items())}
            )
            try:
                ours: object = evaluate(table, {"v": sql}, {"v": out_type}).column("v")[0].as_py()
            except AnsiError as error:
                ours = ("error", error.error_class)
                stops += 1
            assert ours == spark_out[i, r], (text, ROWS[r])
    assert stops >= 10  # the rows do reach every kind of stop

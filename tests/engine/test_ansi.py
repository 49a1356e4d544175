"""Expressions follow Spark SQL with ANSI mode on, as Databricks runs it (expr/ansi.py): where
Spark stops the query (an invalid cast, an overflow, a zero divisor), the engine stops the run
with Spark's error class, the table, column, cycle and the expression, and the fix; `try_cast`
and `try_divide` give NULL as in Spark. Expected outcomes come from Spark's documented ANSI
rules (tests/engine_spark/test_decimal_division.py checks them against local pyspark)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner
from tests.times import at

from streamforge import api
from streamforge.cli import main
from streamforge.expr.ansi import AnsiError
from streamforge.expr.bind import typed_duckdb
from streamforge.expr.duck import evaluate

TYPES = {"s": "VARCHAR", "n": "BIGINT", "q": "INTEGER", "a": "DECIMAL(10, 2)", "d": "DOUBLE"}
ROW = pa.table(
    {
        "s": pa.array(["1.5"]),
        "n": pa.array([2**63 - 1], pa.int64()),
        "q": pa.array([2**31 - 1], pa.int32()),
        "a": pa.array([Decimal("12345678.99")], pa.decimal128(10, 2)),
        "d": pa.array([-1.7], pa.float64()),
    }
)


def _value(text: str, arrow: pa.DataType, row: pa.Table = ROW) -> object:
    return evaluate(row, {"v": typed_duckdb(text, TYPES)}, {"v": arrow}).column("v")[0].as_py()


@pytest.mark.parametrize(
    ("text", "error_class"),
    [
        ("cast(s AS int)", "CAST_INVALID_INPUT"),  # Spark takes an integer's text only
        ("cast('abc' AS bigint)", "CAST_INVALID_INPUT"),
        ("cast('12.5x' AS decimal(10, 2))", "CAST_INVALID_INPUT"),
        ("cast(n AS int)", "CAST_OVERFLOW"),
        ("cast(a AS decimal(5, 2))", "NUMERIC_VALUE_OUT_OF_RANGE"),
        ("n + 1", "ARITHMETIC_OVERFLOW"),
        ("q * q", "ARITHMETIC_OVERFLOW"),
        ("-n - 2", "ARITHMETIC_OVERFLOW"),
    ],
)
def test_an_invalid_cast_or_an_overflow_stops_with_sparks_error_class(text, error_class):
    with pytest.raises(AnsiError) as caught:
        _value(text, pa.int64())
    assert caught.value.error_class == error_class, str(caught.value)
    assert "ANSI mode" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "arrow", "expected"),
    [
        ("try_cast(s AS int)", pa.int64(), None),
        ("try_cast('abc' AS bigint)", pa.int64(), None),
        ("try_cast(n AS int)", pa.int64(), None),
        ("try_divide(a, 0)", pa.decimal128(23, 13), None),
        ("try_divide(a, 3)", pa.decimal128(20, 6), Decimal("4115226.330000")),  # Spark's type
        ("cast(d AS int)", pa.int64(), -1),  # Spark truncates a fraction; DuckDB would round
        ("cast(a AS int)", pa.int64(), 12345678),
        ("cast(' 7 ' AS int)", pa.int64(), 7),  # trimmed, as Spark does
        ("cast('-12' AS smallint)", pa.int64(), -12),
        ("cast(NULL AS int)", pa.int64(), None),
    ],
)
def test_try_functions_give_null_and_casts_truncate_as_in_spark(text, arrow, expected):
    assert _value(text, arrow) == expected


def test_a_run_stops_naming_the_column_the_cycle_and_the_fix(tmp_path: Path) -> None:
    """A shipped-style sector whose expression divides by a column that can be 0: the run stops
    at the first such row with Spark's error, not a NULL Databricks would never write."""
    sector = tmp_path / "schema" / "shop"
    sector.mkdir(parents=True)
    (sector / "sale.yml").write_text(
        "table: sale\ntype: fact\nnum_rows: 200\ncolumns:\n"
        "  sale_id: int\n  event_time: datetime\n"
        "  units: {type: int, min: 0, max: 3}\n"
        '  amount: {type: "decimal(10,2)", min: 1, max: 100}\n'
        '  unit_price: {type: "decimal(12,4)", expr: "amount / units"}\n'
    )
    args = dict(schema_dir=tmp_path / "schema", cycles=1, start=at("2026-01-01T00:00:00Z"))
    with pytest.raises(AnsiError) as caught:
        api.generate("shop", tmp_path / "out", **args)
    message = str(caught.value)
    assert message.startswith("sale.unit_price (cycle 0, chunk 0): expression `amount / units`")
    assert "[DIVIDE_BY_ZERO]" in message and "try_divide(x, y)" in message

    result = CliRunner().invoke(
        main, ["generate", "shop", "--schema-dir", str(tmp_path / "schema"),
               "--out", str(tmp_path / "cli"), "--start", "2026-01-01T00:00:00Z"],
    )  # fmt: skip
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "[DIVIDE_BY_ZERO]" in " ".join(result.output.split())

    yaml = (sector / "sale.yml").read_text().replace("amount / units", "try_divide(amount, units)")
    (sector / "sale.yml").write_text(yaml)
    done = api.generate("shop", tmp_path / "fixed", **args)
    assert done.rows > 0

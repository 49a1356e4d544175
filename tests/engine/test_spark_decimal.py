"""Division of decimals follows Spark (#13.9): the result type Spark gives decimal(p1,s1) /
decimal(p2,s2), scale = max(6, s1 + p2 + 1), precision = p1 - s1 + s2 + scale, cut to 38 digits
keeping the integral ones (scale never below 6), and the quotient rounded HALF_UP to it; a zero
divisor stops the query with DIVIDE_BY_ZERO (Spark with ANSI mode on, as Databricks runs it;
expr/ansi.py), for `%` and `div` too, while NULL / 0 is NULL. Expected values are computed here
from that rule with Python's Decimal, never taken from the engine."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamforge.expr.ansi import AnsiError
from streamforge.expr.bind import result_type, typed_duckdb
from streamforge.expr.duck import evaluate

TYPES = {
    "a": "DECIMAL(10, 2)",
    "b": "DECIMAL(10, 2)",
    "w": "DECIMAL(38, 18)",
    "q": "INTEGER",
    "n": "BIGINT",
    "d": "DOUBLE",
}


def spark_division_type(p1: int, s1: int, p2: int, s2: int) -> tuple[int, int]:
    scale = max(6, s1 + p2 + 1)
    precision = p1 - s1 + s2 + scale
    if precision > 38:
        integral = precision - scale
        scale = max(38 - integral, min(scale, 6))
        precision = 38
    return precision, scale


@pytest.mark.parametrize(
    ("text", "spark"),
    [
        ("a / b", (10, 2, 10, 2)),  # decimal(23,13)
        ("a / 3", (10, 2, 1, 0)),  # an integer literal is decimal(<its digits>, 0)
        ("a / 0.0825", (10, 2, 4, 4)),  # 0.0825 is decimal(4,4) in Spark
        ("q / a", (10, 0, 10, 2)),  # an INT column is decimal(10,0)
        ("a / n", (10, 2, 20, 0)),  # a BIGINT decimal(20,0)
        ("w / w", (38, 18, 38, 18)),  # cut to 38 digits: decimal(38,6)
        ("(a - b) / b", (11, 2, 10, 2)),  # decimal(10,2) - decimal(10,2) is decimal(11,2)
        ("(a * q) / 7", (21, 2, 1, 0)),  # decimal(10,2) * decimal(10,0) is decimal(21,2)
    ],
)
def test_division_of_decimals_has_sparks_result_type(text, spark):
    precision, scale = spark_division_type(*spark)
    assert result_type(TYPES, typed_duckdb(text, TYPES)) == f"DECIMAL({precision},{scale})"


@pytest.mark.parametrize("text", ["q / 2", "a / d", "d / 2"])
def test_division_with_a_double_or_of_integers_stays_a_double(text):
    assert result_type(TYPES, typed_duckdb(text, TYPES)) == "DOUBLE"


def _spark_quotient(a: Decimal, b: Decimal, scale: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 100
        return (a / b).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


cents = st.integers(-(10**10) + 1, 10**10 - 1).map(lambda u: Decimal(u).scaleb(-2))
divisors = cents.filter(lambda d: d != 0)  # a zero stops the query: see below


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cents, divisors), min_size=1, max_size=40))
def test_quotients_are_exact_to_sparks_scale_and_then_to_the_column(pairs):
    table = pa.table(
        {
            "a": pa.array([a for a, _ in pairs], pa.decimal128(10, 2)),
            "b": pa.array([b for _, b in pairs], pa.decimal128(10, 2)),
        }
    )
    sql = typed_duckdb("a / b", TYPES)
    got = evaluate(
        table,
        {"spark": sql, "column": sql},
        {"spark": pa.decimal128(23, 13), "column": pa.decimal128(12, 2)},
    )
    for (a, b), spark, column in zip(
        pairs, got.column("spark").to_pylist(), got.column("column").to_pylist(), strict=True
    ):
        exact = _spark_quotient(a, b, 13)
        assert spark == exact
        # the column (scale 2) reads Spark's decimal(23,13) rounded HALF_UP once more;
        # a quotient of more than 10 integral digits does not fit decimal(12,2): NULL
        cent = exact.quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert column == (cent if abs(cent) < 10**10 else None)


def test_a_half_cent_that_a_double_would_lose_rounds_up_as_in_spark():
    """Spark: 1.005 / 1 is decimal(11,7) 1.0050000, which a scale-2 column reads as 1.01;
    through a double (1.00499999999999989...) it would read 1.00."""
    types = {"x": "DECIMAL(7, 3)", "y": "DECIMAL(3, 0)"}
    table = pa.table(
        {
            "x": pa.array([Decimal("1.005")], pa.decimal128(7, 3)),
            "y": pa.array([Decimal(1)], pa.decimal128(3, 0)),
        }
    )
    got = evaluate(table, {"v": typed_duckdb("x / y", types)}, {"v": pa.decimal128(10, 2)})
    assert got.column("v").to_pylist() == [Decimal("1.01")]


@pytest.mark.parametrize("text", ["(a / b) - b", "2 * (a / b)", "(a / b) + (b / a)"])
def test_a_quotient_inside_more_arithmetic_is_exact(text):
    """A decimal quotient nested in further arithmetic translates and evaluates (the DuckDB SQL
    is read back by sqlglot, which once failed on a nested `//`): decimal(10,2) / decimal(10,2)
    is decimal(23,13) by Spark's rule, then the sum or product is exact."""
    a, b = Decimal("31.95"), Decimal("57.26")
    table = pa.table(
        {"a": pa.array([a], pa.decimal128(10, 2)), "b": pa.array([b], pa.decimal128(10, 2))}
    )
    got = evaluate(table, {"v": typed_duckdb(text, TYPES)}, {"v": pa.decimal128(38, 13)})
    ab, ba = _spark_quotient(a, b, 13), _spark_quotient(b, a, 13)
    expected = {"(a / b) - b": ab - b, "2 * (a / b)": 2 * ab, "(a / b) + (b / a)": ab + ba}
    assert got.column("v").to_pylist() == [expected[text]]


ZERO_DIVISIONS = ["q % 0", "q div 0", "mod(q, 0)", "a / 0", "q / 0", "a / b", "d / 0", "q / (q-7)"]


@pytest.mark.parametrize("text", ZERO_DIVISIONS)
def test_a_zero_divisor_stops_as_spark_with_ansi_mode_does(text):
    table = pa.table(
        {
            "q": pa.array([7], pa.int32()),
            "a": pa.array([Decimal("1.00")], pa.decimal128(10, 2)),
            "b": pa.array([Decimal("0.00")], pa.decimal128(10, 2)),
            "d": pa.array([1.5], pa.float64()),
        }
    )
    with pytest.raises(AnsiError) as caught:
        evaluate(table, {"v": typed_duckdb(text, TYPES)}, {"v": pa.float64()})
    remainder = "%" in text or "mod(" in text  # Spark names these REMAINDER_BY_ZERO
    expected = "REMAINDER_BY_ZERO" if remainder else "DIVIDE_BY_ZERO"
    assert caught.value.error_class == expected and caught.value.column == "v"
    fix = "x % nullif(y, 0)" if remainder else "try_divide(x, y) or x / nullif(y, 0)"
    assert fix in str(caught.value)


@pytest.mark.parametrize("text", [*ZERO_DIVISIONS, "try_divide(a, 0)", "a / nullif(b, 0)"])
def test_null_divided_by_zero_and_try_divide_give_null(text):
    """Spark: a NULL dividend gives NULL before the divisor is looked at; try_divide and
    nullif are how an expression asks for NULL."""
    table = pa.table(
        {
            "q": pa.array([None], pa.int32()),
            "a": pa.array([None], pa.decimal128(10, 2)),
            "b": pa.array([Decimal("0.00")], pa.decimal128(10, 2)),
            "d": pa.array([None], pa.float64()),
        }
    )
    got = evaluate(table, {"v": typed_duckdb(text, TYPES)}, {"v": pa.float64()})
    assert got.column("v").to_pylist() == [None]
    if "try_divide" in text or "nullif" in text:
        table = table.set_column(1, "a", pa.array([Decimal("1.00")], pa.decimal128(10, 2)))
        got = evaluate(table, {"v": typed_duckdb(text, TYPES)}, {"v": pa.float64()})
        assert got.column("v").to_pylist() == [None]


def test_a_product_beyond_18_digits_is_exact_as_in_spark_not_an_error():
    # Spark: decimal(10,2) * int is decimal(21,2), which holds 99999999.99 * 2147483647
    table = pa.table(
        {
            "a": pa.array([Decimal("99999999.99"), Decimal("-0.01")], pa.decimal128(10, 2)),
            "q": pa.array([2147483647, 3], pa.int32()),
        }
    )
    got = evaluate(table, {"v": typed_duckdb("a * q", TYPES)}, {"v": pa.decimal128(21, 2)})
    assert got.column("v").to_pylist() == [
        Decimal("99999999.99") * 2147483647,
        Decimal("-0.03"),
    ]

"""expr/fast.py computes what DuckDB computes (#13.9): for random Spark expressions over random
rows (NULLs, negatives, rounding ties, values at the edge of their type and of 64 bits, NaN and
infinities), the numpy path gives DuckDB's exact values, or hands the chunk back to DuckDB; it
never returns a value where DuckDB stops with an error. The expected values are DuckDB's own
(the engine's reference path), run on the same SQL the engine writes."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from streamforge.expr import duck
from streamforge.expr.bind import typed_duckdb
from streamforge.expr.fast import compile_cast, fast_levels

from .expr_oracle import duckdb_levels, fast_and_duckdb

N = 16  # rows per example

COLUMNS = {
    "q": pa.int32(),
    "n": pa.int64(),
    "a": pa.decimal128(10, 2),
    "w": pa.decimal128(18, 4),
    "h": pa.decimal128(38, 2),
    "d": pa.float64(),
}
TARGETS = [
    pa.decimal128(10, 2),
    pa.decimal128(12, 2),
    pa.decimal128(18, 4),
    pa.decimal128(38, 6),
    pa.decimal128(4, 0),
    pa.float64(),
    pa.int32(),
    pa.int64(),
]


def _edges(limit: int) -> st.SearchStrategy[int]:
    return st.sampled_from([0, 1, -1, limit, -limit, limit - 1, 5, -5, 50, -50, 500, -500])


def _unscaled(digits: int) -> st.SearchStrategy[int]:
    top = 10**digits - 1
    return st.integers(-top, top) | _edges(top) | st.integers(-1000, 1000).map(lambda x: x * 10 + 5)


def _decimal(digits: int, scale: int) -> st.SearchStrategy[Decimal]:
    return _unscaled(digits).map(lambda u: Decimal(f"{u}E-{scale}"))


VALUES = {
    "q": st.integers(-(2**31), 2**31 - 1) | _edges(2**31 - 1) | st.integers(-20, 20),
    "n": st.integers(-(2**63), 2**63 - 1) | _edges(2**63 - 1) | st.integers(-(10**6), 10**6),
    "a": _decimal(10, 2),
    "w": _decimal(18, 4),
    "h": _decimal(38, 2) | _decimal(12, 2),
    "d": st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0.5, -0.5, 2.5, 0.125, -0.125, 1.005, 0.285, 1e15 + 0.5, 9999999999.995])
    | st.integers(-(10**6), 10**6).map(lambda x: x / 1000),
}


@st.composite
def rows(draw) -> pa.Table:  # type: ignore[no-untyped-def]
    columns = {}
    for name, kind in COLUMNS.items():
        values = draw(st.lists(VALUES[name] | st.none(), min_size=N, max_size=N))
        columns[name] = pa.array(values, kind)
    return pa.table(columns)


LEAVES = st.sampled_from(
    [*COLUMNS, "2", "0", "1", "100", "0.0825", "1.5", "0.005", "12345.678", "2147483647"]
)


def _node(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(children, st.integers(0, 4)).map(lambda t: f"round({t[0]}, {t[1]})"),
        children.map(lambda c: f"-({c})"),
        # `/` of doubles and integers (a decimal division nested in more arithmetic fails to
        # translate in expr/bind.py today, so decimals divide only in the parametrized case)
        st.tuples(
            st.sampled_from(["d", "q", "n", "(d * 2)", "(q + n)"]),
            st.sampled_from(["d", "q", "n", "2", "100", "0", "(d - d)"]),
        ).map(lambda t: f"({t[0]} / {t[1]})"),
        st.tuples(children, st.sampled_from(["decimal(12,2)", "decimal(20,3)", "double"])).map(
            lambda t: f"cast({t[0]} as {t[1]})"
        ),
    )


EXPRESSIONS = st.recursive(LEAVES, _node, max_leaves=5)


def _row_types() -> dict[str, str]:
    return {name: duck.duck_type(kind) for name, kind in COLUMNS.items()}


def _same(fast: pa.Array, slow: pa.Array) -> bool:
    if fast.type != slow.type:
        return False
    for x, y in zip(fast.to_pylist(), slow.to_pylist(), strict=True):
        both_nan = isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y)
        if x != y and not both_nan:
            return False
    return True


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(rows(), EXPRESSIONS, st.sampled_from(TARGETS))
def test_the_numpy_path_gives_duckdbs_values_or_hands_back(table, text, target):
    sql = typed_duckdb(text, _row_types())
    if (both := fast_and_duckdb(table, sql, target)) is not None:
        got, expected = both
        assert _same(got.column("v").combine_chunks(), expected.column("v").combine_chunks()), sql


BENCH = [  # bench/bench_expr.py's columns: a lookup, a product, a total with a double rate
    {"unit_price_usd": '"price"'},
    {
        "line_amount_usd": typed_duckdb(
            "round(quantity * unit_price_usd, 2)",
            {"quantity": "INTEGER", "unit_price_usd": "DECIMAL(10, 2)"},
        )
    },
    {
        "total_usd": typed_duckdb(
            "round(line_amount_usd * (1 + tax_rate), 2)",
            {"line_amount_usd": "DECIMAL(12, 2)", "tax_rate": "DOUBLE"},
        )
    },
]
BENCH_TYPES = {
    "unit_price_usd": pa.decimal128(10, 2),
    "line_amount_usd": pa.decimal128(12, 2),
    "total_usd": pa.decimal128(12, 2),
}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 12) | st.none(),
            _unscaled(10).map(lambda u: Decimal(f"{u}E-2")) | st.none(),
            st.floats(-1, 1) | st.sampled_from([0.0, 0.1, 0.0825, 0.005]) | st.none(),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_levels_that_read_each_other_match_duckdb_and_take_the_numpy_path(data):
    quantity, price, rate = zip(*data, strict=True)
    table = pa.table(
        {
            "price": pa.array(price, pa.decimal128(10, 2)),
            "quantity": pa.array(quantity, pa.int32()),
            "tax_rate": pa.array(rate, pa.float64()),
        }
    )
    expected = duckdb_levels(table, BENCH, BENCH_TYPES)
    got = fast_levels(table, BENCH, BENCH_TYPES)
    assert got is not None, "prices of 10 digits times 1-12 stay within 64 bits"
    assert got.schema == expected.schema
    for name in BENCH_TYPES:
        assert _same(got.column(name).combine_chunks(), expected.column(name).combine_chunks())


def test_a_chunk_taken_from_a_larger_array_reads_its_own_rows():
    whole = pa.array(
        [Decimal("1.25"), None, Decimal("-3.35"), Decimal("7.05")], pa.decimal128(10, 2)
    )
    table = pa.table({"a": whole.slice(1, 3), "q": pa.array([2, 3, None], pa.int32())})
    levels = [{"v": typed_duckdb("round(a * q, 1)", {"a": "DECIMAL(10, 2)", "q": "INTEGER"})}]
    types = {"v": pa.decimal128(12, 1)}
    got = fast_levels(table, levels, types)
    assert got is not None
    assert got.column("v").to_pylist() == [None, Decimal("-10.1"), None]  # -10.05 half away


NUMBERS = st.recursive(LEAVES, _node, max_leaves=3)


def _condition(numbers: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    compared = st.tuples(numbers, st.sampled_from(["=", "<>", "<", "<=", ">", ">="]), numbers)
    simple = compared.map(lambda t: f"({t[0]} {t[1]} {t[2]})") | st.tuples(
        numbers, st.sampled_from(["IS NULL", "IS NOT NULL"])
    ).map(lambda t: f"({t[0]} {t[1]})")

    def combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(["AND", "OR", "="]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            inner.map(lambda c: f"(NOT {c})"),
            st.tuples(inner, inner, inner).map(
                lambda t: f"(CASE WHEN {t[0]} THEN {t[1]} ELSE {t[2]} END)"
            ),
        )

    return st.recursive(simple | st.sampled_from(["true", "false"]), combine, max_leaves=4)


CONDITIONS = _condition(NUMBERS)
CHOICES = st.one_of(
    st.tuples(CONDITIONS, NUMBERS, NUMBERS).map(
        lambda t: f"CASE WHEN {t[0]} THEN {t[1]} ELSE {t[2]} END"
    ),
    st.tuples(CONDITIONS, NUMBERS, CONDITIONS, NUMBERS, NUMBERS).map(
        lambda t: f"CASE WHEN {t[0]} THEN {t[1]} WHEN {t[2]} THEN {t[3]} ELSE {t[4]} END"
    ),
    # no ELSE: NULL where no WHEN holds, typed by the THEN branches alone (SQL's ELSE NULL)
    st.tuples(CONDITIONS, NUMBERS).map(lambda t: f"CASE WHEN {t[0]} THEN {t[1]} END"),
    st.tuples(CONDITIONS, NUMBERS, CONDITIONS, NUMBERS).map(
        lambda t: f"CASE WHEN {t[0]} THEN {t[1]} WHEN {t[2]} THEN {t[3]} END"
    ),
    st.lists(NUMBERS, min_size=2, max_size=3).map(lambda xs: f"coalesce({', '.join(xs)})"),
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(
    rows(),
    st.one_of(
        CONDITIONS.map(lambda c: (c, pa.bool_())),
        CONDITIONS.map(lambda c: (f"coalesce({c}, false)", pa.bool_())),  # a check's query
        st.tuples(CHOICES, st.sampled_from(TARGETS)),
    ),
)
def test_conditions_and_choices_give_duckdbs_values_with_nulls_or_hand_back(table, case):
    """Comparisons, AND/OR/NOT, IS [NOT] NULL, CASE and COALESCE: Spark's three-valued logic
    (NULL AND false is false, NULL OR true is true, a NULL condition is not true), as DuckDB."""
    text, target = case
    sql = typed_duckdb(text, _row_types())
    if (both := fast_and_duckdb(table, sql, target)) is not None:
        got, expected = both
        assert _same(got.column("v").combine_chunks(), expected.column("v").combine_chunks()), sql


def test_null_logic_follows_spark():
    """The truth tables of AND, OR and NOT with NULL (Spark SQL's reference), and a CASE whose
    condition is NULL taking the ELSE branch."""
    x = [True, True, True, False, False, False, None, None, None]
    y = [True, False, None] * 3
    table = pa.table(
        {
            name: pa.array([None if v is None else int(v) for v in vs], pa.int32())
            for name, vs in (("x", x), ("y", y))
        }
    )
    types = {"x": "INTEGER", "y": "INTEGER"}
    levels = [
        {
            "and": typed_duckdb("x = 1 AND y = 1", types),
            "or": typed_duckdb("x = 1 OR y = 1", types),
            "not": typed_duckdb("NOT x = 1", types),
            "case": typed_duckdb("CASE WHEN x = 1 THEN 1 ELSE 2 END", types),
            "check": typed_duckdb("coalesce(x = 1 AND y = 1, false)", types),
        }
    ]
    out = {
        "and": pa.bool_(),
        "or": pa.bool_(),
        "not": pa.bool_(),
        "case": pa.int32(),
        "check": pa.bool_(),
    }
    got = fast_levels(table, levels, out)
    assert got is not None
    T, F, N = True, False, None
    assert got.column("and").to_pylist() == [T, F, N, F, F, F, N, F, N]
    assert got.column("or").to_pylist() == [T, T, T, T, F, N, T, N, N]
    assert got.column("not").to_pylist() == [F, F, F, T, T, T, N, N, N]
    assert got.column("case").to_pylist() == [1, 1, 1, 2, 2, 2, 2, 2, 2]
    assert got.column("check").to_pylist() == [T, F, F, F, F, F, F, F, F]


@pytest.mark.parametrize(
    "text",
    [
        "a / 3",  # Spark's exact division of decimals stays in DuckDB
        "d / q",  # a column divisor: Spark's zero check is DuckDB's ERROR()
        "upper(s)",
        "CASE WHEN s LIKE 'x%' THEN a ELSE 0 END",  # text is equal or not here, nothing more
        "round(a, -1)",
    ],
)
def test_shapes_it_does_not_know_go_to_duckdb(text):
    types = {**_row_types(), "s": "VARCHAR"}
    assert compile_cast(typed_duckdb(text, types), "DECIMAL(12, 2)") is None


def test_a_value_beyond_64_bits_hands_the_chunk_back():
    big = pa.array([Decimal(10**30)], pa.decimal128(38, 2))
    table = pa.table({"h": big})
    assert fast_levels(table, [{"v": '"h"'}], {"v": pa.decimal128(38, 2)}) is None
    assert duckdb_levels(table, [{"v": '"h"'}], {"v": pa.decimal128(38, 2)}).column(
        0
    ).to_pylist() == [Decimal(10**30)]


def test_a_case_of_decimals_of_other_scales_gives_duckdbs_digits_or_hands_back():
    """DuckDB types a CASE over decimal(4,4) and decimal(38,2) as one decimal of at most 38
    digits, dropping scale: -0.0825 comes out -0.08. The numpy path holds no declared
    precisions, so it must hand such a CASE back rather than keep four digits (found by the
    Hypothesis test above)."""
    table = pa.table({"h": pa.array([Decimal("-2.19"), Decimal("5.00")], pa.decimal128(38, 2))})
    text = 'CASE WHEN "h" < 0 THEN -(0.0825) ELSE ROUND("h", 3) END'
    target = {"v": pa.decimal128(38, 6)}
    expected = duckdb_levels(table, [{"v": text}], target).column(0).to_pylist()
    assert expected == [Decimal("-0.080000"), Decimal("5.000000")]  # DuckDB's rule, as above
    made = fast_levels(table, [{"v": text}], target)
    assert made is None or made.column(0).to_pylist() == expected


def test_the_engine_reads_numpy_values_it_wrote():
    made = fast_levels(
        pa.table({"x": pa.array(np.arange(5), pa.int64())}), [{"v": '"x" * 2'}], {"v": pa.int64()}
    )
    assert made is not None
    assert made.column("v").to_pylist() == [0, 2, 4, 6, 8]


def test_round_of_a_double_judges_its_exact_value_and_a_cast_its_scaled_double():
    """2888.725 is 2888.724999.. in binary: ROUND(x, 2) gives 2888.72 (DuckDB rounds the exact
    value), while CAST(x AS DECIMAL(12, 2)) gives 2888.73 (x * 100 is the double 288872.5,
    rounded half away); 0.285 * 100 is 28.499999999999996, so its cast is 0.28."""
    table = pa.table({"d": pa.array([2888.725, -2888.725, 0.285, 0.125], pa.float64())})
    levels = [{"r": 'ROUND("d", 2)', "c": '"d"'}]
    types = {"r": pa.float64(), "c": pa.decimal128(12, 2)}
    got = fast_levels(table, levels, types)
    assert got is not None
    assert got.column("r").to_pylist() == [2888.72, -2888.72, 0.28, 0.13]
    assert got.column("c").to_pylist() == [
        Decimal("2888.73"),
        Decimal("-2888.73"),
        Decimal("0.28"),
        Decimal("0.13"),
    ]
    assert got.equals(duckdb_levels(table, levels, types))


def test_a_text_column_written_as_it_is_takes_the_numpy_path():
    """A lookup of a text attribute is the column itself: no DuckDB; any other text shape,
    or a text target for a number, goes to DuckDB."""
    table = pa.table({"s": pa.array(["a", None, "c"]), "x": pa.array([1, 2, 3], pa.int64())})
    got = fast_levels(table, [{"v": '"s"'}], {"v": pa.string()})
    assert got is not None
    assert got.column("v").to_pylist() == ["a", None, "c"]
    assert fast_levels(table, [{"v": '"x"'}], {"v": pa.string()}) is None
    assert fast_levels(table, [{"v": 'upper("s")'}], {"v": pa.string()}) is None


def test_a_text_column_is_null_or_equal_on_the_numpy_path_and_never_ordered():
    table = pa.table({"s": pa.array(["a", None, "c"]), "x": pa.array([1, 2, None], pa.int64())})
    types = {"s": "VARCHAR", "x": "BIGINT"}
    check = typed_duckdb("coalesce(s IS NULL OR x = 1, false)", types)
    got = fast_levels(table, [{"v": check}], {"v": pa.bool_()})
    assert got is not None
    assert got.column("v").to_pylist() == [True, True, False]
    assert got.equals(duckdb_levels(table, [{"v": check}], {"v": pa.bool_()}))
    equal = typed_duckdb("s = 'a'", types)
    assert fast_levels(table, [{"v": equal}], {"v": pa.bool_()}) == duckdb_levels(
        table, [{"v": equal}], {"v": pa.bool_()}
    )
    ordered = typed_duckdb("s < 'b'", types)
    assert fast_levels(table, [{"v": ordered}], {"v": pa.bool_()}) is None


def test_the_smallest_integer_casts_to_its_own_type():
    """-2^31 fits an INTEGER (DuckDB keeps it); only values beyond the type are NULL."""
    table = pa.table({"q": pa.array([-(2**31), 2**31 - 1, None], pa.int32())})
    got = fast_levels(table, [{"v": '"q"'}], {"v": pa.int32()})
    assert got is not None
    assert got.column("v").to_pylist() == [-(2**31), 2**31 - 1, None]
    assert got.equals(duckdb_levels(table, [{"v": '"q"'}], {"v": pa.int32()}))

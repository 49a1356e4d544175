"""expr/fast_text.py computes what DuckDB computes: text compared with `=`, `<>` and IN, a CASE
choosing a text or timestamp column or NULL, `hour` of a timestamp and a list of numbers
indexed by it (the shapes of the shipped sectors' expressions and checks, issue 14). For random
rows (NULLs, empty and non-ASCII text, instants before 1970) the numpy path gives DuckDB's exact
values or hands the chunk back; the expected values are DuckDB's own, on the SQL the engine
writes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamforge.expr import duck
from streamforge.expr.bind import typed_duckdb
from streamforge.expr.fast import compile_cast, fast_levels

from .expr_oracle import fast_and_duckdb

N = 12
TS = pa.timestamp("us", tz="UTC")
COLUMNS = {
    "s": pa.string(),
    "r": pa.string(),
    "t": TS,
    "q": pa.int32(),
    "a": pa.decimal128(10, 2),
    "d": pa.float64(),
}
WORDS = ["a", "b", "", "MISSED", "Zoë", "a "]
VALUES = {
    "s": st.sampled_from(WORDS),
    "r": st.sampled_from(WORDS),
    # 1900..2100, any microsecond: hours before 1970 are floored, not truncated
    "t": st.integers(-2_208_988_800_000_000, 4_102_444_800_000_000),
    "q": st.integers(-(2**31), 2**31 - 1) | st.integers(-30, 30),
    "a": st.integers(-(10**9), 10**9).map(lambda u: Decimal(u).scaleb(-2)),
    "d": st.floats(-1e6, 1e6) | st.sampled_from([0.5, -0.5, 2.5, 0.125]),
}
SPARK_TYPES = {"s": "VARCHAR", "r": "VARCHAR", "t": "TIMESTAMP", "q": "INTEGER"}
SPARK_TYPES |= {"a": "DECIMAL(10, 2)", "d": "DOUBLE"}
CURVE = ", ".join(f"{0.3 + 0.05 * h:.2f}" for h in range(24))  # a load curve, one per hour

CASES = [  # (Spark SQL, the column's type)
    ("s = 'a'", pa.bool_()),
    ("s <> 'MISSED'", pa.bool_()),
    ("s = r", pa.bool_()),
    ("s IN ('a', 'b', '')", pa.bool_()),
    ("coalesce(NOT s IN ('a', 'Zoë') OR (r IS NULL AND t IS NULL), false)", pa.bool_()),
    ("coalesce((s = 'MISSED') = (t IS NULL), false)", pa.bool_()),
    ("CASE WHEN s IN ('a', 'b') THEN NULL ELSE r END", pa.string()),
    ("CASE WHEN s = 'a' THEN r WHEN s = 'b' THEN NULL ELSE r END", pa.string()),
    ("CASE WHEN s = 'MISSED' THEN NULL ELSE t END", TS),
    ("CASE WHEN q > 0 THEN NULL ELSE q END", pa.int32()),
    ("CASE WHEN s = 'a' THEN 0 WHEN s = 'b' THEN round(a * d, 2) ELSE a END", pa.decimal128(10, 2)),
    ("CASE WHEN s IN ('a') THEN a ELSE -a END", pa.decimal128(13, 2)),
    ("hour(t)", pa.int64()),
    (f"round(d * element_at(array({CURVE}), hour(t) + 1), 3)", pa.float64()),
    ("element_at(array(1, 2.5, 10), hour(t) % 3 + 1)", pa.decimal128(12, 1)),
    ("CASE WHEN t IS NULL THEN q ELSE NULL END", pa.int32()),
]


@st.composite
def rows(draw) -> pa.Table:  # type: ignore[no-untyped-def]
    columns = {}
    for name, kind in COLUMNS.items():
        values = draw(st.lists(VALUES[name] | st.none(), min_size=N, max_size=N))
        columns[name] = pa.array(values, pa.int64() if kind == TS else kind).cast(kind)
    table = pa.table(columns)
    offset = draw(st.integers(0, 2))  # a chunk sliced from a larger batch reads its own rows
    return table.slice(offset)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows(), st.sampled_from(CASES))
def test_text_times_and_lists_give_duckdbs_values_or_hand_back(table, case):
    text, target = case
    sql = typed_duckdb(text, SPARK_TYPES)
    if (both := fast_and_duckdb(table, sql, target)) is not None:
        got, expected = both
        assert got.schema == expected.schema, sql
        assert got.column("v").to_pylist() == expected.column("v").to_pylist(), sql


@pytest.mark.parametrize("case", CASES[:-2], ids=[c[0][:40] for c in CASES[:-2]])
def test_these_shapes_take_the_numpy_path(case):
    """The rule above is not met by handing everything back: each shape (but the two that may
    index outside their list or use `%`) compiles."""
    text, target = case
    assert compile_cast(typed_duckdb(text, SPARK_TYPES), duck.duck_type(target)) is not None


def test_a_load_curve_reads_the_hour_of_each_instant():
    """The Energy sector's shape: the weight of the instant's UTC hour, 1-based in the list."""
    hours = [datetime(2026, 1, 31, h, 59, tzinfo=UTC) for h in (0, 7, 23)]
    table = pa.table({"t": pa.array(hours, TS), "d": pa.array([2.0, 2.0, None])})
    levels = [{"v": typed_duckdb(f"d * element_at(array({CURVE}), hour(t) + 1)", SPARK_TYPES)}]
    got = fast_levels(table, levels, {"v": pa.float64()})
    assert got is not None
    assert got.column("v").to_pylist() == [2.0 * 0.30, 2.0 * 0.65, None]


@pytest.mark.parametrize(
    "text",
    [
        "s < 'b'",  # text is ordered by DuckDB only
        "CASE WHEN q > 0 THEN s ELSE r END",  # two text columns
        "CASE WHEN q > 0 THEN 'x' ELSE s END",  # a text literal chosen
        "coalesce(s, r)",
        "upper(s) = 'A'",
    ],
)
def test_other_text_shapes_go_to_duckdb(text):
    table = pa.table({name: pa.array([None] * 2, kind) for name, kind in COLUMNS.items()})
    table = table.set_column(0, "s", pa.array(["a", "b"]))
    table = table.set_column(1, "r", pa.array(["c", None]))
    table = table.set_column(3, "q", pa.array([1, -1], pa.int32()))
    sql = typed_duckdb(text, SPARK_TYPES)
    target = pa.bool_() if "=" in text or "<" in text else pa.string()
    assert fast_levels(table, [{"v": sql}], {"v": target}) is None


def test_an_index_outside_the_list_hands_back():
    """DuckDB gives NULL (or counts from the end); the numpy path does not decide it."""
    table = pa.table({"q": pa.array([1, 4], pa.int32())})
    sql = typed_duckdb("element_at(array(1.5, 2.5, 3.5), q)", {"q": "INTEGER"})
    assert fast_levels(table, [{"v": sql}], {"v": pa.decimal128(3, 1)}) is None
    inside = pa.table({"q": pa.array([1, 3, None], pa.int32())})
    got = fast_levels(inside, [{"v": sql}], {"v": pa.decimal128(3, 1)})
    assert got is not None
    assert got.column("v").to_pylist() == [Decimal("1.5"), Decimal("3.5"), None]

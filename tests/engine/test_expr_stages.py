"""Computed columns that build on each other are evaluated in one query per stage (issue #13.9);
a later column still reads an earlier one as declared (its type) and as written (its faults)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.times import at

from streamforge import api
from streamforge.expr.duck import evaluate_levels

CENT = Decimal("0.01")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-10_000, 10_000) | st.none(), min_size=1, max_size=50))
def test_later_levels_read_earlier_columns_as_their_declared_type(xs):
    table = pa.table({"x": pa.array(xs, pa.int64())})
    types = {"a": pa.decimal128(10, 2), "b": pa.decimal128(12, 2), "c": pa.int32()}
    levels = [{"a": '"x" / 3'}, {"b": '"a" * 3', "c": 'CAST("a" > 0 AS INTEGER)'}]
    got = evaluate_levels(table, levels, types)
    assert got.schema == pa.schema([pa.field(n, t) for n, t in types.items()])
    for x, a, b, c in zip(xs, *(got.column(n).to_pylist() for n in types), strict=True):
        if x is None:
            assert (a, b, c) == (None, None, None)
            continue
        # Spark: int / int is a double; the cast to decimal(10,2) rounds half up
        expected_a = Decimal(x / 3).quantize(CENT, rounding=ROUND_HALF_UP)
        assert (a, b, c) == (expected_a, expected_a * 3, int(expected_a > 0))


def test_a_single_level_may_compute_a_column_named_like_an_input():
    table = pa.table({"v": pa.array([1, 2, None], pa.int64())})
    got = evaluate_levels(table, [{"v": '"v" + 1'}], {"v": pa.int64()})
    assert got.column("v").to_pylist() == [2, 3, None]


SECTOR = """\
table: reading
type: fact
num_rows: 3000
columns:
  reading_id: int
  x: {type: int, min: 1, max: 1000}
  a: {type: int, expr: "x * 2", null_rate: 0.3}
  b: {type: int, expr: "coalesce(a, -1)"}
  c: {type: int, expr: "b + 1"}
"""


def test_a_column_with_faults_reaches_later_columns_as_written(tmp_path: Path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "reading.yml").write_text(SECTOR)
    out = tmp_path / "out"
    api.generate("s", out, schema_dir=tmp_path, fmt="parquet", cycles=1, start=at("2026-01-01"))
    rows = [
        r for f in sorted((out / "reading").glob("*.parquet")) for r in pq.read_table(f).to_pylist()
    ]
    nulls = [r for r in rows if r["a"] is None]
    assert 0.2 * len(rows) < len(nulls) < 0.4 * len(rows), "null_rate 0.3 applies to a"
    for r in rows:
        expected_b = -1 if r["a"] is None else r["x"] * 2
        assert (r["a"] in (None, r["x"] * 2), r["b"], r["c"]) == (True, expected_b, expected_b + 1)

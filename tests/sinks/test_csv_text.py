"""encode_csv_rows: the bytes of Arrow's CSV writer (the RFC 4180 text our Spark readers are set up
for), for every type it covers, and the values read back by pyarrow."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamforge.sinks._fast.csv_text import encode_csv_rows
from streamforge.sinks.fmt_csv import arrow_csv_rows

TEXTS = st.text(alphabet=st.sampled_from(["a", "Z", " ", '"', ",", "\n", "\r", "é", "😀", "\\"]))


def column_values(draw: st.DrawFn, rows: int) -> pa.Array:
    """One column of `rows` values of a drawn type; narrow palettes too, so that both the
    small-table and the per-row renderings are exercised."""
    nullable = draw(st.booleans())

    def values(elements: st.SearchStrategy[object]) -> list[object]:
        palette = draw(st.lists(elements, min_size=1, max_size=draw(st.sampled_from([2, 50]))))
        chosen = st.sampled_from(palette)
        return draw(st.lists(st.none() | chosen if nullable else chosen, min_size=rows,
                             max_size=rows))  # fmt: skip

    kind = draw(st.sampled_from(
        ["int64", "int8", "uint64", "hundredths", "double", "float32", "bool", "string",
         "large_string", "dictionary", "date", "decimal", "null"]
    ))  # fmt: skip
    if kind == "int64":
        return pa.array(values(st.integers(-(2**63), 2**63 - 1) | st.integers(-300, 300)))
    if kind == "int8":
        return pa.array(values(st.integers(-128, 127)), pa.int8())
    if kind == "uint64":
        return pa.array(values(st.integers(0, 2**64 - 1) | st.integers(0, 300)), pa.uint64())
    if kind == "hundredths":
        units = st.integers(-(10**11), 10**11) | st.integers(-300, 300)
        return pa.array([None if u is None else u / 100 for u in values(units)], pa.float64())
    if kind == "double":
        return pa.array(values(st.floats(width=64) | st.sampled_from([-0.0, 0.0])), pa.float64())
    if kind == "float32":
        return pa.array(values(st.floats(width=32)), pa.float32())
    if kind == "bool":
        return pa.array(values(st.booleans()), pa.bool_())
    if kind in ("string", "large_string"):
        return pa.array(values(TEXTS), pa.string() if kind == "string" else pa.large_string())
    if kind == "dictionary":
        return pa.array(values(TEXTS), pa.string()).dictionary_encode()
    if kind == "date":
        days = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
        return pa.array(values(days), pa.date32())
    if kind == "decimal":
        amounts = st.decimals(-(10**6), 10**6, places=2, allow_nan=False)
        return pa.array(values(amounts), pa.decimal128(9, 2))
    return pa.nulls(rows)


@st.composite
def batches(draw: st.DrawFn) -> pa.RecordBatch:
    rows = draw(st.integers(1, 40))
    width = draw(st.integers(1, 5))
    columns = [column_values(draw, rows) for _ in range(width)]
    batch = pa.RecordBatch.from_arrays(columns, names=[f"c{i}" for i in range(width)])
    start = draw(st.integers(0, rows - 1))
    return batch.slice(start, draw(st.integers(1, rows - start)))


@settings(max_examples=300, deadline=None)
@given(batches())
def test_rows_are_the_bytes_of_arrows_csv_writer(batch: pa.RecordBatch) -> None:
    assert encode_csv_rows(batch) is not None
    assert encode_csv_rows(batch).to_pybytes() == arrow_csv_rows(batch).to_pybytes()


def test_fact_shaped_slice_uses_both_renderings_and_reads_back() -> None:
    rows = 4_000
    rng = np.random.default_rng(7)
    amounts = rng.integers(-100_000, 100_001, rows) / 100
    batch = pa.record_batch(
        {
            "production_id": pa.array(np.arange(10**9, 10**9 + rows)),  # per-row texts
            "plant_id": pa.array(rng.integers(1, 121, rows)),  # a table of 120 texts
            "at": pa.array([f"2026-12-01T03:11:{i % 60:02d}.000018Z" for i in range(rows)]),
            "generation_mwh": pa.array(amounts),  # whole and fraction tables
            "weather": pa.array(rng.choice(["CLEAR", 'say "hi", then\nleave'], rows)),
        }
    )
    data = encode_csv_rows(batch)
    assert data is not None
    assert data.to_pybytes() == arrow_csv_rows(batch).to_pybytes()
    back = pcsv.read_csv(
        io.BytesIO(data.to_pybytes()),
        read_options=pcsv.ReadOptions(column_names=batch.schema.names),
        convert_options=pcsv.ConvertOptions(column_types=batch.schema),
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
    )
    assert back.to_batches()[0].equals(batch)


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (pa.array([1.5, -0.0, -2.25, 1e300]), b"1.5\n-0\n-2.25\n1e+300\n"),
        (pa.array(['a"b', None, ""]), b'"a""b"\n\n""\n'),
        (pa.array(["x", None, "x"]).dictionary_encode(), b'"x"\n\n"x"\n'),
        (pa.array([True, None, False]), b"true\n\nfalse\n"),
        (
            pa.array([Decimal("1.50"), None, Decimal("-3.00")], pa.decimal128(5, 2)),
            b"1.50\n\n-3.00\n",
        ),
    ],
)
def test_values_as_rfc_4180_fields(array: pa.Array, expected: bytes) -> None:
    data = encode_csv_rows(pa.RecordBatch.from_arrays([array], names=["v"]))
    assert data is not None and data.to_pybytes() == expected


def test_binary_is_left_to_arrows_writer() -> None:
    batch = pa.record_batch({"b": pa.array([b"\x00\xff"], pa.binary())})
    assert encode_csv_rows(batch) is None


def test_dictionary_indices_out_of_bounds_are_left_to_arrows_writer() -> None:
    # The gather skips Arrow's bounds check, so an unvalidated index must never reach it.
    values = pa.DictionaryArray.from_arrays(pa.array([0, 5], pa.int8()), ["x"], safe=False)
    batch = pa.RecordBatch.from_arrays([values], names=["v"])
    assert encode_csv_rows(batch) is None
    with pytest.raises(pa.ArrowIndexError):
        arrow_csv_rows(batch)


def test_batches_without_columns_or_rows() -> None:
    empty = pa.record_batch({"v": pa.array([], pa.int64())})
    assert encode_csv_rows(empty) == arrow_csv_rows(empty)
    no_columns = pa.record_batch({"v": [1, 2]}).select([])
    assert encode_csv_rows(no_columns) is None  # Arrow's writer writes nothing for them
    assert arrow_csv_rows(no_columns).to_pybytes() == b""

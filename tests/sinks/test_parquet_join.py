"""Parquet parts encoded apart and joined into one file: the Thrift footer codec and the join."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamforge.sinks._fast.parquet_join import ParquetJoiner, ParquetJoinError, split_part
from streamforge.sinks._fast.thrift_compact import ThriftError, read_struct, write_struct


def table(rows: int, start: int = 0) -> pa.Table:
    ids = np.arange(start, start + rows, dtype=np.int64)
    return pa.table(
        {
            "id": ids,
            "name": pc.cast(pa.array(ids), pa.string()),
            "at": pa.array(ids * 1_000_000, pa.timestamp("us", "UTC")),
            "tags": pa.array([["a", "b"][: i % 3] for i in range(rows)], pa.list_(pa.string())),
            "attrs": pa.array([[("k", i)] for i in range(rows)], pa.map_(pa.string(), pa.int64())),
            "category": pa.array(["x", "y", None][i % 3] for i in range(rows)),
        }
    )


def encode(part: pa.Table, **options) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, part.schema, **options) as writer:
        writer.write_table(part)
    return sink.getvalue()


def footer_bytes(data: pa.Buffer) -> bytes:
    raw = data.to_pybytes()
    length = int.from_bytes(raw[-8:-4], "little")
    return raw[-8 - length : -8]


def join(*parts: pa.Buffer) -> bytes:
    out = io.BytesIO()
    joiner = ParquetJoiner(out)
    for part in parts:
        joiner.add(split_part(part))
    joiner.finish()
    return out.getvalue()


OPTIONS = [
    {},
    {"compression": "snappy", "use_dictionary": ["category"], "write_statistics": ["id"]},
    {"write_page_index": True},  # page indexes sit after the pages, so they move too
    {"bloom_filter_options": {"name": {}}},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_a_footer_reads_and_writes_back_to_the_same_bytes(options) -> None:
    footer = footer_bytes(encode(table(50), **options))
    assert write_struct(read_struct(footer)) == footer


@pytest.mark.parametrize("options", OPTIONS)
def test_joined_parts_read_back_as_one_table(options) -> None:
    pieces = [table(7), table(1, 7), table(40, 8)]
    data = join(*(encode(p, **options) for p in pieces))
    whole = pa.concat_tables(pieces)
    parquet = pq.ParquetFile(io.BytesIO(data))
    assert parquet.metadata.num_rows == 48
    assert parquet.metadata.num_row_groups == 3
    assert parquet.read().equals(whole)
    for index, piece in enumerate(pieces):  # each row group found at its new offsets
        assert parquet.read_row_group(index).equals(piece)
        assert parquet.metadata.row_group(index).num_rows == piece.num_rows
    # Statistics survive, so a filter still skips whole row groups.
    assert pq.read_table(io.BytesIO(data), filters=[("id", ">=", 45)]).num_rows == 3


def test_a_part_with_several_row_groups_keeps_them_all() -> None:
    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, table(1).schema) as writer:
        writer.write_table(table(30), row_group_size=10)
    data = join(sink.getvalue(), encode(table(5, 30)))
    parquet = pq.ParquetFile(io.BytesIO(data))
    assert parquet.metadata.num_row_groups == 4
    assert parquet.read().equals(pa.concat_tables([table(30), table(5, 30)]))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 300), min_size=1, max_size=6))
def test_any_split_of_a_table_joins_back_to_it(sizes: list[int]) -> None:
    starts = np.cumsum([0, *sizes])
    pieces = [table(size, int(start)) for size, start in zip(sizes, starts, strict=False)]
    data = join(*(encode(p, compression="snappy") for p in pieces))
    assert pq.read_table(io.BytesIO(data)).equals(pa.concat_tables(pieces))


def test_not_parquet_is_refused() -> None:
    with pytest.raises(ParquetJoinError, match="PAR1"):
        split_part(b"PAR1 this is not parquet")
    with pytest.raises(ParquetJoinError, match="no part"):
        ParquetJoiner(io.BytesIO()).finish()


def test_truncated_thrift_is_an_error_not_a_crash() -> None:
    footer = footer_bytes(encode(table(3)))
    with pytest.raises(ThriftError):
        read_struct(footer[:-5])
    with pytest.raises(ThriftError, match="after the struct"):
        read_struct(footer + b"\x00")

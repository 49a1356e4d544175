"""The `parquet` format: typed, compressed columns; nested types stay native."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from ._fast.ordered import OrderedEncoder
from .formats import SparkWrite, WritesFiles, check_batch, register_format

if TYPE_CHECKING:
    import pyarrow.parquet as pq

    from ._fast.parquet_join import ParquetPart

# pyarrow.parquet (which loads pyarrow.fs and ssl) and the joiner are imported when a Parquet
# file is opened: every command registers this format, and a JSON or CSV run never needs them
# (~55 ms of CPU a process).

# The first rows of the first batch decide which text columns get a dictionary: counting the
# distinct values of a whole batch of names or e-mails cost more than writing them (130+ ms of a
# 100k-row dimension), while a prefix of 4096 rows is enough to tell categories from free text.
SAMPLE_ROWS = 4096
# Rows per row group (the last of a file may have fewer): batches are gathered up to it, and cut
# at it. Four engine chunks (65,536 rows each) per part, not one, took the 10M-row Energy fact's
# Parquet encoding from 6.5 to 5.9 ms of CPU per 65,536 rows (min of 9, 2 cores): a quarter as
# many writers, footers and pages to set up and join; readers such as Spark want large row groups
# anyway (pyarrow's own default is 1Mi rows).
PART_ROWS = 1 << 18
# ... except the first row groups of a file, one engine chunk each. A 100k-row dimension in one
# 262,144-row part is generated, then encoded on one thread: 0.76M rows/s to Parquet on the quiet
# 2-core VM. In parts of one chunk, the first part is encoded while the second is generated, and
# the two encode on both cores: 1.35M rows/s (`bench/bench_generate.py --only customer`). Four
# small parts cost a large file a few ms at most.
SMALL_PART_ROWS = 1 << 16
SMALL_PARTS = 4
# Set to 1: a plain pyarrow ParquetWriter instead of parts joined (see sinks/_fast/__init__.py).
PLAIN_PARQUET_ENV = "STREAMFORGE_PLAIN_PARQUET"


def _text_like(dtype: pa.DataType) -> bool:
    return pa.types.is_string(dtype) or pa.types.is_large_string(dtype)


def _may_repeat(dtype: pa.DataType) -> bool:
    """Types a Parquet dictionary can hold: text, integers, floats, dates (not booleans)."""
    return (
        _text_like(dtype)
        or pa.types.is_integer(dtype)
        or pa.types.is_floating(dtype)
        or pa.types.is_date(dtype)
    )


def _repetitive(batch: pa.RecordBatch) -> list[str]:
    """Columns whose values repeat enough, over a row group, for a dictionary to pay off.

    The first rows tell how many distinct values the whole column draws from: a city drawn from
    4,000 names shows ~2,600 in 4,096 rows, yet repeats 16 times over a 65,536-row row group
    (its dictionary took the column from 746 to 174 KiB and 7 to 4 ms per 100k rows). Numbers
    too: a foreign key to 500 equipment rows is 9-bit indices instead of 64-bit values, which
    took the 6-column fact's Parquet encoding from 0.42 to 0.38 CPU-s per 4M rows and its file
    from 71 to 60 MB. Keys, times and amounts (all distinct) keep plain encoding.
    """
    sample = batch.slice(0, SAMPLE_ROWS)
    limit = max(64, batch.num_rows // 4)
    names = []
    for field, column in zip(sample.schema, sample.columns, strict=True):
        if not _may_repeat(field.type):
            continue
        distinct = pc.count_distinct(column).as_py()
        if estimated_distinct(distinct, sample.num_rows) <= limit:
            names.append(field.name)
    return names


def estimated_distinct(seen: int, drawn: int) -> float:
    """How many values a column draws from, given `seen` distinct values in `drawn` uniform draws
    (solves seen = n * (1 - exp(-drawn / n)) for n; infinite when every draw was new)."""
    if seen >= drawn:
        return math.inf
    if seen == 0:  # nothing but nulls
        return 0.0
    low, high = float(seen), float(seen)
    while high * -math.expm1(-drawn / high) < seen:
        high *= 2
    for _ in range(60):  # bisection: the expected count grows with n
        middle = (low + high) / 2
        if middle * -math.expm1(-drawn / middle) < seen:
            low = middle
        else:
            high = middle
    return high


def _delta_encoded(schema: pa.Schema, dictionary: list[str]) -> dict[str, str]:
    """DELTA_BINARY_PACKED for the integer, timestamp and date columns without a dictionary.

    These are keys, row numbers and event times: near-sorted, so the differences between
    neighbours pack into a few bits, where plain encoding spends 8 bytes a value and snappy then
    burns CPU finding the few repeats. On the 10M-row Energy fact this took the Parquet encoding
    from 5.75 to 4.90 ms of CPU per 65,536 rows and the file from 976 to 489 KiB per 65,536 rows
    (ids: 1.5 KiB instead of 256). Random integers pack to their range's width, no worse than
    plain. pyarrow and Spark (3.3+, vectorized reader) read it back as the same values
    (tests/pipelines/test_spark_reads_parquet.py).
    """
    skip = set(dictionary)
    return {
        f.name: "DELTA_BINARY_PACKED"
        for f in schema
        if f.name not in skip
        and (
            pa.types.is_integer(f.type) or pa.types.is_timestamp(f.type) or pa.types.is_date(f.type)
        )
    }


def _with_statistics(schema: pa.Schema) -> list[str]:
    """Columns whose min/max are worth their cost: keys, times and numbers, not text.

    Min/max of free text (names, e-mails, addresses) prune nothing and cost ~11% of the write
    of a 100k-row customer batch. Nor do they for categories: a row group holds thousands of
    draws, so its smallest and largest category are those of the whole column, and comparing
    every string took 12% of the 6-column fact's Parquet encoding (readers filter categories
    with the dictionary page instead).
    """
    return [f.name for f in schema if not _text_like(f.type)]


def part_rows(index: int) -> int:
    """Rows of a file's row group number `index` (0-based) when more rows follow it:
    SMALL_PART_ROWS for the first SMALL_PARTS, PART_ROWS after (never more than PART_ROWS)."""
    return min(PART_ROWS, SMALL_PART_ROWS) if index < SMALL_PARTS else PART_ROWS


class RowGroups:
    """Gathers batches into row groups of `part_rows(i)` rows (slices, no copy): where a file's
    row groups end depends on its row count only, not on how its rows were cut into batches."""

    def __init__(self) -> None:
        self._held: list[pa.RecordBatch] = []
        self._rows = 0
        self._groups = 0

    def add(self, batch: pa.RecordBatch) -> list[pa.Table]:
        """The row groups that `batch` completes (often none)."""
        groups = []
        while batch.num_rows:
            size = part_rows(self._groups)
            take = min(batch.num_rows, size - self._rows)
            self._held.append(batch.slice(0, take))
            self._rows += take
            batch = batch.slice(take)
            if self._rows == size:
                groups.append(self._take())
        return groups

    def rest(self) -> list[pa.Table]:
        """The rows still held (fewer than PART_ROWS) as one last row group, if there are any."""
        return [self._take()] if self._rows else []

    def _take(self) -> pa.Table:
        group = pa.Table.from_batches(self._held)
        self._held, self._rows = [], 0
        self._groups += 1
        return group


class _ParquetWriter:
    """Each row group (PART_ROWS rows, `RowGroups`) is encoded on the shared pool as a Parquet
    file of its own, in memory; the parts are joined into one file (`parquet_join`).

    The options are settled on the first batch, when it can see which columns repeat, so that
    every part is written alike.
    """

    def __init__(self, stream: BinaryIO, schema: pa.Schema) -> None:
        from ._fast.parquet_join import ParquetJoiner

        self._stream, self._schema = stream, schema
        self._joiner = ParquetJoiner(stream)
        self._encoder = OrderedEncoder(stream, self._encode, self._joiner.add, PART_ROWS)
        self._options: dict[str, Any] | None = None
        self._groups = RowGroups()

    def write(self, batch: pa.RecordBatch) -> None:
        check_batch(batch, self._schema)
        if batch.num_rows == 0:
            return
        if self._options is None:
            self._options = _writer_options(self._schema, batch)
        for group in self._groups.add(batch):
            self._encoder.write(group)  # a Table slices like a batch

    def _encode(self, group: pa.Table) -> ParquetPart:
        import pyarrow.parquet as pq

        from ._fast.parquet_join import split_part

        assert self._options is not None
        sink = pa.BufferOutputStream()  # native: pyarrow never calls back into Python
        with pq.ParquetWriter(sink, self._schema, **self._options) as writer:
            writer.write_table(group, row_group_size=group.num_rows)  # one row group
        return split_part(sink.getvalue())

    def close(self) -> None:
        for group in self._groups.rest():
            self._encoder.write(group)
        self._encoder.close()
        if self._joiner.parts:
            self._joiner.finish()
        else:  # no rows: still a valid, empty Parquet file
            import pyarrow.parquet as pq

            sink = pa.BufferOutputStream()
            pq.ParquetWriter(sink, self._schema, **_writer_options(self._schema, None)).close()
            self._stream.write(sink.getvalue())
        self._stream.flush()  # the caller's stream stays open


def _writer_options(schema: pa.Schema, sample: pa.RecordBatch | None) -> dict[str, Any]:
    dictionary = _repetitive(sample) if sample is not None else []
    return {
        "compression": "snappy",
        # Dictionaries pay off for repetitive columns (categories, names, foreign keys to small
        # dimensions); on keys, times and amounts they cost more time than they save (measured:
        # 5.2M -> 8M rows/s on a 6-column fact with a dictionary on every column).
        "use_dictionary": dictionary,
        "column_encoding": _delta_encoded(schema, dictionary),
        "write_statistics": _with_statistics(schema),
        # Spark timestamps have microsecond precision and do not read NANOS columns by
        # default; generated data never needs the lost nanoseconds.
        "coerce_timestamps": "us",
        "allow_truncated_timestamps": True,
    }


class _PlainParquetWriter:
    """The fallback: one pyarrow ParquetWriter on the caller's thread, same options and row
    groups (`RowGroups`), no joined footer."""

    def __init__(self, stream: BinaryIO, schema: pa.Schema) -> None:
        self._stream, self._schema = stream, schema
        self._writer: pq.ParquetWriter | None = None
        self._groups = RowGroups()

    def _open(self, sample: pa.RecordBatch | None) -> pq.ParquetWriter:
        import pyarrow.parquet as pq

        if self._writer is None:
            options = _writer_options(self._schema, sample)
            self._writer = pq.ParquetWriter(self._stream, self._schema, **options)
        return self._writer

    def write(self, batch: pa.RecordBatch) -> None:
        check_batch(batch, self._schema)
        if batch.num_rows:
            writer = self._open(batch)
            for group in self._groups.add(batch):
                writer.write_table(group, row_group_size=group.num_rows)

    def close(self) -> None:
        writer = self._open(None)
        for group in self._groups.rest():
            writer.write_table(group, row_group_size=group.num_rows)
        writer.close()  # writes the footer; the caller's stream stays open
        self._stream.flush()


def plain_parquet() -> bool:
    """True when STREAMFORGE_PLAIN_PARQUET asks for pyarrow's own writer."""
    return os.environ.get(PLAIN_PARQUET_ENV, "").strip().lower() in ("1", "true", "yes", "on")


class ParquetFormat(WritesFiles):
    """Apache Parquet, snappy-compressed, row groups of PART_ROWS rows (the last may be smaller)."""

    name = "parquet"
    extension = "parquet"
    data_format = "parquet"
    header = False
    nested_as_text = False
    text_map_keys = False
    carries_schema = True
    spark_source: str | None = "parquet"
    # Spark writes INT96 timestamps by default; ours are INT64 microseconds.
    spark_write: SparkWrite | None = SparkWrite(
        "parquet", conf={"spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS"}
    )

    def open(self, stream: BinaryIO, schema: pa.Schema) -> _ParquetWriter | _PlainParquetWriter:
        if plain_parquet():
            return _PlainParquetWriter(stream, schema)
        return _ParquetWriter(stream, schema)


PARQUET = register_format(ParquetFormat())

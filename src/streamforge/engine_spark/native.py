"""Executors write the landing files themselves, with the local engine's format code.

Spark still schedules the work: a batch is `spark.range(parts)`, one partition per part of up
to CHUNKS_PER_PART consecutive chunks, and `mapInArrow` calls the chunk kernel (`make_chunk`, as
the local engine does) for each chunk of its part and writes them as one part file with the
registered format's writer (`FileFormat.open`, the same code the local engine's files come
from), through a hidden temporary name and a rename. Only one short row per part goes back to
the driver: (part, chunks, rows, bytes, the chunks' counts as JSON), and the driver writes the
manifest line. No row passes through the JVM, so neither Spark's Arrow-to-row
conversion nor its encoders run; that is where Spark's writers spend their time on a small
cluster (bench/README.md, "Spark engine").

Layout (DESIGN §6, as the Spark writer lays it out): a cycle is the folder
`<table>/<table>-c<cycle:06d>-<id8>/` of `part-<first chunk:06d>.<ext>` files, in chunk order;
no `_SUCCESS` or `.crc` files. Auto Loader lists a table folder recursively and `verify`
reads a folder part by part in name order, so both read it; every file format works (csv too).

The trade: the executors must reach the landing as a file system path that the driver sees
too. That holds for a local folder on `local[N]` and for `/Volumes/<catalog>/<schema>/<volume>/...`
(a FUSE mount on Databricks clusters and serverless); `sinks.mounted_paths.landing_place` maps
`dbfs:/Volumes/...` and `dbfs:/...` to those mounts and refuses an object-store URI. After
each batch the driver lists the folder: parts it cannot see (a local folder on a cluster of
several machines) fail the run instead of leaving a manifest that names missing files.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from streamforge.engine.rows import BatchRequest, Chunk, make_chunk
from streamforge.engine_spark.kernel import Tally, counts_of
from streamforge.errors import StreamForgeError
from streamforge.landing_write import (
    OutputWriter,
    ProgressCallback,
    WriteStopped,
    WrittenFile,
    file_id,
)
from streamforge.plan.columns import table_schema
from streamforge.sinks.formats import FileFormat
from streamforge.sinks.landing import Landing, data_file_path
from streamforge.sinks.local import write_data_file
from streamforge.sinks.mounted_paths import check_file_landing

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from streamforge.engine.session import TableOutput

# What a task sends back per part: never data, only where it went and what it holds (`counts`:
# a JSON list of its chunks' counts).
PART_SCHEMA = pa.schema(
    [
        ("part", pa.int64()),
        ("chunks", pa.int64()),
        ("rows", pa.int64()),
        ("bytes", pa.int64()),
        ("counts", pa.string()),
    ]
)
# A part holds up to 4 chunks (262,144 rows): a Parquet row group of the local engine's file
# (fmt_parquet.PART_ROWS), and far less per-file cost than a part per chunk (a 65,536-row
# Parquet part took 120 ms to encode, a chunk inside a larger file 40 ms).
CHUNKS_PER_PART = 4


def check_native(root: str, fmt: FileFormat) -> None:
    """Raise StreamForgeError when executors cannot write `fmt` at `root` themselves."""
    check_file_landing(root, fmt)


def cycle_folder(table: str, cycle: int, seed: int) -> str:
    """`<table>/<table>-c<cycle:06d>-<id8>`: the local engine's file name without its extension."""
    return data_file_path(table, cycle, file_id(seed, cycle), "x")[: -len(".x")]


def part_name(first_chunk: int, fmt: FileFormat) -> str:
    """`part-<first chunk:06d>.<ext>`: name order is chunk order (the rows' order)."""
    return f"part-{first_chunk:06d}.{fmt.extension}"


def chunks_per_part(count: int, parallelism: int) -> int:
    """Chunks per part for a batch of `count` chunks: up to CHUNKS_PER_PART, but fewer when that
    would leave fewer than two parts per core (a 100k-row dimension is only two chunks)."""
    return max(1, min(CHUNKS_PER_PART, count // max(1, 2 * parallelism)))


def part_chunks(part: int, per: int, count: int) -> range:
    """The chunk numbers part `part` holds when each part holds `per` of `count` chunks."""
    return range(part * per, min((part + 1) * per, count))


def write_part(
    folder: Path, chunks: Iterable[Chunk], first: int, schema: pa.Schema, fmt: FileFormat
) -> tuple[int, int, list[dict]]:
    """Write `chunks` as the part file named after chunk `first`; (rows, bytes, their counts)."""
    rows = 0
    counts: list[dict] = []

    def batches() -> Iterator[pa.RecordBatch]:
        nonlocal rows
        for chunk in chunks:
            rows += chunk.batch.num_rows
            counts.append(counts_of(chunk))
            yield chunk.batch

    size = write_data_file(folder / part_name(first, fmt), fmt, batches(), schema)
    return rows, size, counts


def write_parts(
    request: BatchRequest,
    folder: Path,
    fmt: FileFormat,
    per: int,
    numbers: Iterable[pa.RecordBatch],
) -> Iterator[pa.RecordBatch]:
    """The `mapInArrow` body: for each part number, make its chunks with the kernel and write them
    as one part file; yield the part's PART_SCHEMA row."""
    schema = table_schema(request.table)
    for batch in numbers:
        for part in batch.column(0).to_pylist():
            numbers_in = part_chunks(int(part), per, request.chunk_count)
            chunks = (make_chunk(request, n) for n in numbers_in)
            rows, size, counts = write_part(folder, chunks, numbers_in.start, schema, fmt)
            row = {
                "part": int(part),
                "chunks": len(numbers_in),
                "rows": rows,
                "bytes": size,
                "counts": json.dumps(counts),
            }
            yield pa.RecordBatch.from_pylist([row], schema=PART_SCHEMA)


def parallelism(spark: SparkSession) -> int:
    """Cores Spark runs tasks on (classic: defaultParallelism; Spark Connect has no
    SparkContext: `spark.default.parallelism`, else 8)."""
    try:
        return int(spark.sparkContext.defaultParallelism)
    except Exception:  # Spark Connect, serverless
        return int(spark.conf.get("spark.default.parallelism", "8") or 8)


def parts_on_executors(
    spark: SparkSession, request: BatchRequest, folder: Path, fmt: FileFormat
) -> tuple[Tally, int]:
    """Make and write every chunk of `request` on the executors, a part of up to
    CHUNKS_PER_PART chunks per task; (tally, bytes) from the tasks' rows."""
    from pyspark.sql.pandas.types import from_arrow_schema

    count = request.chunk_count
    if count == 0:
        return Tally(0, {}, 0, {}), empty_part(folder, table_schema(request.table), fmt)
    per = chunks_per_part(count, parallelism(spark))
    parts = -(-count // per)

    def make(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return write_parts(request, folder, fmt, per, batches)

    numbers = spark.range(0, parts, 1, numPartitions=parts)
    rows = numbers.mapInArrow(make, from_arrow_schema(PART_SCHEMA)).collect()
    done = sorted(int(row["part"]) for row in rows)
    if done != list(range(parts)) or sum(r["chunks"] for r in rows) != count:
        raise StreamForgeError(f"{request.table.name}: parts written {done}, not 0..{parts - 1}")
    check_visible(folder, [part_name(part_chunks(p, per, count).start, fmt) for p in done])
    counts = [c for r in rows for c in json.loads(r["counts"])]
    tally = Tally.of_counts(sum(r["rows"] for r in rows), counts)
    return tally, sum(int(r["bytes"]) for r in rows)


def check_visible(folder: Path, names: list[str]) -> None:
    """Refuse parts that executors wrote where the driver does not see them (each machine's own
    local folder on a multi-machine cluster): the manifest would name files nobody can read."""
    seen = set(os.listdir(folder)) if folder.is_dir() else set()
    missing = [name for name in names if name not in seen]
    if missing:
        raise StreamForgeError(
            f"the executors wrote {len(missing)} of {len(names)} part files of {folder} where "
            f"the driver does not see them (first: {missing[0]}): on a cluster of several "
            "machines the landing must be storage they all mount, /Volumes/<catalog>/<schema>/"
            "<volume>/... on Databricks"
        )


def parts_on_driver(
    chunks: Iterable[Chunk], schema: pa.Schema, folder: Path, fmt: FileFormat
) -> tuple[Tally, int]:
    """Write a batch the driver made (a change feed) as parts of CHUNKS_PER_PART chunks."""
    rows = size = 0
    counts: list[dict] = []
    group: list[Chunk] = []
    for number, chunk in enumerate(chunks):
        group.append(chunk)
        if len(group) == CHUNKS_PER_PART:
            done = write_part(folder, group, number + 1 - len(group), schema, fmt)
            rows, size, counts = rows + done[0], size + done[1], counts + done[2]
            group = []
    if group:
        done = write_part(folder, group, len(counts), schema, fmt)
        rows, size, counts = rows + done[0], size + done[1], counts + done[2]
    if not counts:
        size = empty_part(folder, schema, fmt)
    return Tally.of_counts(rows, counts), size


def empty_part(folder: Path, schema: pa.Schema, fmt: FileFormat) -> int:
    """A batch without chunks still lands one file (a header, a Parquet schema), as locally."""
    return write_data_file(folder / part_name(0, fmt), fmt, [], schema)


@dataclass
class NativeFiles:
    """An `OutputWriter` (landing_write) whose executors write each chunk as a part file under
    `root` (a path every executor reaches); the control files go through the `landing` passed."""

    spark: SparkSession
    root: str

    def __call__(
        self,
        landing: Landing,
        output: TableOutput,
        fmt: FileFormat,
        seed: int,
        window: tuple[int, int],
        on_rows: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        scenario: dict | None = None,
    ) -> WrittenFile:
        if stop is not None and stop.is_set():
            raise WriteStopped(output.table.name)
        check_native(self.root, fmt)
        relpath = cycle_folder(output.table.name, output.cycle, seed)
        folder = Path(self.root) / relpath
        shutil.rmtree(folder, ignore_errors=True)  # a redone cycle writes the same folder anew
        folder.mkdir(parents=True, exist_ok=True)
        if output.request is not None:
            tally, size = parts_on_executors(self.spark, output.request, folder, fmt)
            if output.settles_state:  # the run state learns from this dimension's rows
                for _ in output.chunks:
                    pass
        else:
            tally, size = parts_on_driver(output.chunks, output.schema, folder, fmt)
        if on_rows is not None:
            on_rows(output.table.name, tally.rows)
        return tally.land(landing, output, fmt, (relpath, size), window, scenario)


WRITERS = ("native", "spark")


def check_writer(root: str, fmt: FileFormat, writer: str) -> None:
    """Raise StreamForgeError for an unknown writer, or a format or path it cannot take."""
    from streamforge.engine_spark.writer import check_format

    if writer == "native":
        check_native(root, fmt)
    elif writer == "spark":
        check_format(fmt)
    else:
        raise StreamForgeError(
            f"the Spark engine's writer must be one of {', '.join(WRITERS)}, not {writer!r}"
        )


def landing_writer(
    spark: SparkSession, root: str, fmt: FileFormat, writer: str = "native"
) -> OutputWriter:
    """The OutputWriter for the landing folder `root`: `native` (executors write with our format
    code, any file format, `root` a path they reach) or `spark` (Spark's JSON/Parquet writers,
    any path or URI Spark writes to). Raises as `check_writer`."""
    from streamforge.engine_spark.writer import SparkFiles

    check_writer(root, fmt, writer)
    if writer == "native":
        return NativeFiles(spark, root)
    return SparkFiles(spark, root)

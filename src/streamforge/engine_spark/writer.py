"""Write a Session's output with Spark's writers: a folder of part files per table and cycle.

`generate_spark(writer="spark")`, `--spark-writer spark`, and the table variant (`tables.py`).
The default writer is `native.py` (the executors write with StreamForge's own format code);
this one takes any path or URI Spark writes to, but moves every row into the JVM and encodes it
there, which costs several times the kernel's time on a small cluster.

The landing layout stays DESIGN §6 with one difference: where the local engine writes the file
`<table>/<table>-c<cycle:06d>-<id8>.<ext>`, Spark writes the *folder* `<table>/<table>-c<cycle:06d>-
<id8>/` of `part-*.<ext>` files (no `_SUCCESS` or `.crc` files: `QUIET_OUTPUT`). Auto Loader lists
a table folder recursively, so the pipelines read both layouts unchanged; the manifest line names
the folder and `verify` reads it.

The driver writes the manifest, through the landing's own sink (local folder or Volume).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from streamforge.engine_spark.kernel import Made, Tally, chunk_frame, spark_schema
from streamforge.errors import StreamForgeError
from streamforge.landing_write import (
    ProgressCallback,
    WriteStopped,
    WrittenFile,
    file_id,
)
from streamforge.sinks.formats import FileFormat, SparkWrite, spark_formats
from streamforge.sinks.landing import Landing, data_file_path

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from streamforge.engine.session import TableOutput


def check_format(fmt: FileFormat) -> SparkWrite:
    """How Spark writes `fmt` (the format's `spark_write`).

    Raises:
        StreamForgeError: the format declares none (CSV, Delta).
    """
    if fmt.spark_write is None:
        raise StreamForgeError(
            f"--engine spark writes {' or '.join(spark_formats())}, not {fmt.name}: CSV has no "
            "place for arrays and maps in Spark's writer, and Delta needs the delta-spark package; "
            "use generate_spark_tables(...) to write Delta tables on Databricks, or --engine local"
        )
    return fmt.spark_write


def batch_frame(spark: SparkSession, output: TableOutput) -> tuple[DataFrame, Made | Tally]:
    """The output's rows as a DataFrame: made on executors from its request, or, for a batch the
    driver made (a change feed is a transition of the run state), sent from the driver."""
    if output.request is not None:
        made = chunk_frame(spark, output.request)
        return made.frame, made
    chunks = list(output.chunks)
    table = pa.Table.from_batches([c.batch for c in chunks], output.schema)
    return spark.createDataFrame(table, spark_schema(output.schema)), Tally.of_chunks(chunks)


def settle(output: TableOutput) -> None:
    """Let the run state learn from a dimension it needs (made again here, from the plan and the
    seeds: a tracked dimension's current rows, the keys a dimension pins), never collected."""
    if output.settles_state:
        for _ in output.chunks:
            pass


class SparkWriter:
    """A writer with `landing_write.write_output`'s signature that lands each batch with Spark and
    records it in the landing's manifest; subclasses say where a batch goes (`place`)."""

    spark: SparkSession

    def place(self, output: TableOutput, fmt: FileFormat, seed: int, frame: DataFrame) -> str:
        """Write `frame`; return the path the manifest names."""
        raise NotImplementedError

    def size(self, path: str) -> int:
        """Bytes written at `path`, 0 when unknown."""
        return 0

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
        frame, counted = batch_frame(self.spark, output)
        path = self.place(output, fmt, seed, frame)
        tally = counted.result() if isinstance(counted, Made) else counted
        settle(output)
        if on_rows is not None:
            on_rows(output.table.name, tally.rows)
        return tally.land(landing, output, fmt, (path, self.size(path)), window, scenario)


@dataclass
class SparkFiles(SparkWriter):
    """Each batch into the landing folder `root` as Spark names it (a local path, `/Volumes/...`,
    `dbfs:/...`, a URI); the control files go through the `landing` the caller passes."""

    spark: SparkSession
    root: str

    def place(self, output: TableOutput, fmt: FileFormat, seed: int, frame: DataFrame) -> str:
        how = check_format(fmt)
        name, cycle = output.table.name, output.cycle
        relpath = data_file_path(name, cycle, file_id(seed, cycle), "x")[: -len(".x")]
        write_frame(self.spark, frame, how, f"{self.root.rstrip('/')}/{relpath}")
        return relpath

    def size(self, path: str) -> int:
        return folder_bytes(self.root, path)


# Hadoop settings for one write (a file source passes its options into the job's Hadoop conf):
# no `_SUCCESS` marker, and on a local file system no `.crc` checksum beside each part (the raw
# local file system; its cached instance is bypassed). Readers skip both names anyway; they are
# clutter in a landing a person browses. Object stores and Volumes write no checksums.
QUIET_OUTPUT = {
    "mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
    "fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem",
    "fs.file.impl.disable.cache": "true",
}


def write_frame(spark: SparkSession, frame: DataFrame, how: SparkWrite, path: str) -> None:
    """Replace the folder at `path` (a redone cycle writes the same folder)."""
    writer = frame.write.mode("overwrite").format(how.source).options(**QUIET_OUTPUT)
    writer = writer.options(**how.options)
    with _conf(spark, how.conf):
        writer.save(path)


class _conf:
    """Set session confs for one write and put the caller's values back (a notebook's session
    is the user's)."""

    def __init__(self, spark: SparkSession, settings: Mapping[str, str]) -> None:
        self.spark, self.settings = spark, settings
        self.old: dict[str, Any] = {}

    def __enter__(self) -> None:
        for key, value in self.settings.items():
            self.old[key] = self.spark.conf.get(key, None)
            self.spark.conf.set(key, value)

    def __exit__(self, *exc: object) -> None:
        for key, old in self.old.items():
            if old is None:
                self.spark.conf.unset(key)
            else:
                self.spark.conf.set(key, old)


def folder_bytes(root: str, relpath: str) -> int:
    """Bytes of the data files in a written folder, when the driver sees it as a file system
    (local, `/Volumes` on a cluster); 0 where it cannot look (an object-store URI)."""
    folder = os.path.join(root.removeprefix("file:"), relpath)
    if not os.path.isdir(folder):
        return 0
    return sum(
        entry.stat().st_size
        for entry in os.scandir(folder)
        if entry.is_file() and not entry.name.startswith(("_", "."))
    )

"""Generate a sector with Spark: the notebook API (`generate_spark`, `generate_spark_tables`).

The driver runs the engine's Session, which holds the run state (live keys, next keys,
sequences, change-feed entities) and computes it from the plan and the seeds; Spark makes and
writes the rows of every dimension and fact from the Session's chunk requests. What the driver
computes itself, and why (none of it is collected from the executors):
- change feeds: a change batch *is* a transition of the run state (which keys are inserted,
  updated, deleted), made in one piece from the entity state, as the local engine makes it; the
  driver sends it to Spark to be written;
- a dimension that a change feed tracks, or that references a changing entity: the driver makes
  its rows again with the same kernel (the change feeds start from the tracked rows; referenced
  keys are never deleted), while Spark makes and writes them.
Facts and other dimensions (the volume) are never made on the driver.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from streamforge.engine_spark.native import landing_writer
from streamforge.errors import StreamForgeError
from streamforge.sinks.mounted_paths import check_mounted, landing_place

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from streamforge.landing_write import GenerateResult, OutputWriter, ProgressCallback
    from streamforge.sinks.formats import FileFormat
    from streamforge.sinks.landing import Landing


def generate_spark(
    spark: SparkSession,
    schema_dir: Path | str | None,
    sector: str,
    *,
    out: str,
    cycles: int = 1,
    seed: int = 42,
    fmt: str = "json",
    start: datetime | None = None,
    interval: float = 30.0,
    scale: float = 1.0,
    fresh: bool = False,
    on_rows: ProgressCallback | None = None,
    writer: str = "native",
) -> GenerateResult:
    """Dimensions once, then `cycles` batches of every fact and change feed, made on the
    executors into the landing at `out`; the same rows as `api.generate` for the same
    arguments, a folder of part files per table and cycle.

    Args:
        spark: the session to run on (a notebook's `spark`, or `local_session(...)`).
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.
        sector: the sector's folder name (e.g. "Retail").
        out: the landing: a local folder, or on Databricks `/Volumes/<catalog>/<schema>/
            <volume>/<path>` (also as `dbfs:/Volumes/...`; executors write it through the
            Volumes FUSE mount, clusters and serverless) or `dbfs:/<path>` (the DBFS root,
            written as `/dbfs/<path>`: classic clusters only). Not an object-store URI
            (`s3://`, `abfss://`, `gs://`): create a Volume on that storage and write there
            (`paths.landing_place`).
        cycles: batches of every fact and change feed, >= 0.
        seed: every value is a pure function of (seed, table, cycle, chunk).
        fmt: a registered landing format the writer takes (native: json, csv, parquet;
            spark: the formats that declare a Spark writer, json and parquet).
        start: event time of cycle 0, an aware datetime (None: now, to the second).
        interval: seconds of event time per cycle, > 0.
        scale: multiplies every num_rows, > 0.
        fresh: clear a landing area StreamForge already wrote at `out` first.
        on_rows: called with (table, rows) as batches land (progress).
        writer: who encodes the files. "native" (default): each executor writes its chunks
            with StreamForge's own format code (`engine_spark.native`) and sends back only
            paths and counts; several times faster; every executor and the driver must reach
            `out` as the same file system path (a local folder on `local[N]`, `/Volumes/...`
            on Databricks). "spark": Spark's own writer (`engine_spark.writer`), json and
            parquet only, at the cost of moving every row into the JVM and encoding it there.

    Returns:
        A GenerateResult: the folders written (table, cycle, path, rows, anomalies), in order.

    Raises:
        StreamForgeError: bad arguments, a format or path the writer cannot take (an
            object-store URI; `/Volumes` or `/dbfs` where they are not mounted, for the native
            writer), or a landing area already at `out` without `fresh`.
        TypeError: `start` is not a datetime. ValueError: `start` is naive.
        NotFound: no such sector. SchemaError: the sector has errors.
    """
    from streamforge.landing_write import claim_landing
    from streamforge.sinks.destination import open_landing
    from streamforge.sinks.formats import get_format

    file_format = get_format(fmt)
    place = landing_place(out)  # refuses a URI executors and the manifest cannot reach
    if writer == "native":
        check_mounted(place.path)  # /Volumes, /dbfs: only where Databricks mounts them
    root = place.path if writer == "native" else place.uri
    files = landing_writer(spark, root, file_format, writer)  # checks before anything is removed
    landing = open_landing(place.path)  # the manifest: the Volume's Files API, else the path
    claim_landing(landing, out, fresh)
    args = (sector, schema_dir, seed, cycles, start, interval, scale)
    return _generate(landing, files, file_format, args, on_rows)


def generate_spark_tables(
    spark: SparkSession,
    schema_dir: Path | str | None,
    sector: str,
    *,
    database: str,
    cycles: int = 1,
    seed: int = 42,
    table_format: str = "delta",
    start: datetime | None = None,
    interval: float = 30.0,
    scale: float = 1.0,
) -> GenerateResult:
    """The same rows as `generate_spark`, appended to tables `<database>.<table>` with
    `saveAsTable` instead of files; the first call replaces each table.

    Args:
        spark: the session to run on.
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.
        sector: the sector's folder name.
        database: where the tables go; in Unity Catalog `"<catalog>.<schema>"`.
        cycles: batches of every fact and change feed, >= 0.
        seed: every value is a pure function of (seed, table, cycle, chunk).
        table_format: Spark's table format: delta on Databricks; on open-source Spark without
            delta-spark, parquet.
        start: event time of cycle 0, an aware datetime (None: now, to the second).
        interval: seconds of event time per cycle, > 0.
        scale: multiplies every num_rows, > 0.

    Returns:
        A GenerateResult whose `files` are the manifest lines (path: the table name).

    Raises:
        StreamForgeError: bad arguments. TypeError: `start` is not a datetime.
        NotFound: no such sector. SchemaError: the sector has errors.
    """
    from streamforge.engine_spark.tables import SparkTables, TableManifest
    from streamforge.sinks.formats import get_format

    writer = SparkTables(spark, database, table_format)
    args = (sector, schema_dir, seed, cycles, start, interval, scale)
    manifest = cast("Landing", TableManifest())  # SparkTables only appends manifest lines
    return _generate(manifest, writer, get_format("parquet"), args, None)


def _generate(
    landing: Landing,
    writer: OutputWriter,
    file_format: FileFormat,
    args: tuple,
    on_rows: ProgressCallback | None,
) -> GenerateResult:
    from streamforge.engine.session import Session
    from streamforge.engine.settings import RunSettings
    from streamforge.landing_write import GenerateResult, write_session
    from streamforge.plan.times import start_micros
    from streamforge.sectors import plan_of

    sector, schema_dir, seed, cycles, start, interval, scale = args
    if cycles < 0 or interval <= 0 or scale <= 0:
        raise StreamForgeError("cycles must be >= 0, interval and scale > 0")
    plan = plan_of(sector, schema_dir)
    start_us = start_micros(start)
    config = RunSettings(seed=seed, start_us=start_us, interval_s=interval, scale=scale)
    result = GenerateResult(plan.sector.name, Path(getattr(landing, "root", ".")), seed, cycles)
    session = Session(plan, config)
    write_session(session, landing, file_format, cycles, writer, on_rows, result.files.append)
    return result

"""Write a landing area: `generate` (dimensions, then a number of cycles, without waiting) and
`run` (a cycle every interval, resumed from the checkpoint), with the local or the Spark engine.
The facade, api.py, re-exports both."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from streamforge.api_choices import DEFAULT_FORMAT, DEFAULT_SEED
from streamforge.api_landing import check_destination, open_landing, table_format
from streamforge.api_sectors import load_plan
from streamforge.errors import StreamForgeError

if TYPE_CHECKING:
    from streamforge.engine.scenario import Scenario
    from streamforge.landing_write import (
        GenerateResult,
        OutputWriter,
        ProgressCallback,
        WrittenFile,
    )
    from streamforge.run_events import Listener
    from streamforge.runner import Clock, RunSummary
    from streamforge.sinks.formats import FileFormat
    from streamforge.sinks.landing import Landing
    from streamforge.sinks.local import LocalLanding


def generate(
    sector: str,
    out: Path | str,
    *,
    schema_dir: Path | str | None = None,
    fmt: str = DEFAULT_FORMAT,
    seed: int = DEFAULT_SEED,
    cycles: int = 1,
    start: datetime | None = None,
    interval: float = 30.0,
    scale: float = 1.0,
    workers: int = 2,
    fresh: bool = False,
    on_rows: ProgressCallback | None = None,
    on_file: Callable[[WrittenFile], None] | None = None,
    engine: str = "local",
    master: str | None = None,
    spark_writer: str = "native",
) -> GenerateResult:
    """Dimensions once, then `cycles` batches of every fact and change feed, without waiting.

    `engine="spark"` makes and writes the rows with Spark (a local session on `master`, default
    `local[2]`): the same rows, a folder of part files per table and cycle (`engine_spark`).

    Args:
        sector: the sector's folder name (e.g. "Energy").
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.
        fmt: a registered landing format (`landing_formats()`: json, csv, parquet, delta).
        seed: every value is a pure function of (seed, table, cycle, chunk).
        out: the local landing folder (one folder per table, `_streamforge/` manifest).
        cycles: batches of every fact and change feed, >= 0.
        start: event time of cycle 0, an aware datetime (None: now, to the second); cycle c
            covers [start + c × interval, start + (c + 1) × interval).
        interval: seconds of event time per cycle, > 0.
        scale: multiplies every num_rows, > 0.
        workers: chunks made at once on the shared thread pool (1: on this thread).
        fresh: clear a landing area StreamForge already wrote in `out` first.
        on_rows: called with (table, rows) as chunks are made (progress).
        on_file: called with each WrittenFile as it lands.
        engine: "local" or "spark".
        master: Spark master URL for engine="spark" (None: local[2]).
        spark_writer: for engine="spark", who encodes the files: "native" (the executors, with
            StreamForge's format code; any file format) or "spark" (Spark's JSON/Parquet
            writers); see `engine_spark.generate_spark`.

    Returns:
        A GenerateResult: the files written (table, cycle, path, rows, anomalies), in order.

    Raises:
        StreamForgeError: cycles < 0, interval or scale <= 0, an unknown format or engine, a
            Volume destination for engine="spark", or a landing area already in `out` without
            `fresh`.
        TypeError: `start` is not a datetime (text is the CLI's to parse).
        ValueError: `start` is naive.
        NotFound: no such sector. SchemaError: the sector has errors.
        UniqueExhausted: a unique column runs out of values within the requested cycles.
    """
    from streamforge.engine.session import Session
    from streamforge.engine.settings import RunSettings
    from streamforge.landing_write import GenerateResult, claim_landing, write_session
    from streamforge.plan.times import start_micros
    from streamforge.sinks import destination
    from streamforge.sinks.local import LocalLanding

    if cycles < 0 or interval <= 0 or scale <= 0:
        raise StreamForgeError("--cycles must be >= 0, --interval and --scale > 0")
    plan = load_plan(sector, schema_dir)
    file_format = table_format(fmt)
    start_us = start_micros(start)  # every input is checked before anything is removed
    landing: Landing
    if engine == "local":
        # Only a local folder, or a Volume through the Files API: a URI is refused here, before
        # anything is written (never a folder called `s3:`).
        destination.check_format(str(out), file_format)
        landing = destination.open_landing(str(out))
        out = Path(out)
    else:  # refuse a bad --out before Spark starts (tens of seconds)
        out = Path(out)
        landing = LocalLanding(out)
        _check_out_folder(landing, out, fresh)
    writer = _engine_writer(engine, master, out, file_format, spark_writer)
    claim_landing(landing, str(out), fresh)
    config = RunSettings(
        seed=seed, start_us=start_us, interval_s=interval, scale=scale, workers=workers
    )
    session = Session(plan, config)
    result = GenerateResult(plan.sector.name, out, seed, cycles)

    def emit(written: WrittenFile) -> None:
        result.files.append(written)
        if on_file is not None:
            on_file(written)

    write_session(session, landing, file_format, cycles, writer, on_rows, emit)
    return result


def _check_out_folder(landing: LocalLanding, out: Path, fresh: bool) -> None:
    """A URI, a landing already at `out` without `fresh`, or a file where its folder goes, as
    `_engine_writer`, `claim_landing` and the first write would refuse them (StreamForgeError,
    StorageError)."""
    import errno
    import os

    from streamforge.errors import storage_error
    from streamforge.landing_write import claim_landing
    from streamforge.sinks.mounted_paths import landing_place

    landing_place(str(out))  # a URI (s3:/b/x after click.Path) is refused, no folder made
    for folder in (out, *out.parents):  # nothing is made here: only looked at
        if folder.exists():
            if not folder.is_dir():
                error = NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
                raise (storage_error(error, folder) or error) from None
            break
    if not fresh:
        claim_landing(landing, str(out), fresh)


def _engine_writer(
    engine: str, master: str | None, out: Path | str, fmt: FileFormat, spark_writer: str = "native"
) -> OutputWriter | None:
    """None for the local engine; for Spark, its writer on a local session (started here)."""
    from streamforge.sinks import destination

    if engine == "local":
        return None
    if engine != "spark":
        raise StreamForgeError(f"--engine must be local or spark, not {engine!r}")
    if destination.is_volume(str(out)):
        raise StreamForgeError(
            f"--engine spark writes a local folder from here, not {out}: Spark reaches a Volume "
            "from a Databricks cluster; call generate_spark(spark, ...) in a notebook or job there "
            "(see the README), or use --engine local"
        )
    from streamforge.engine_spark.native import check_writer, landing_writer
    from streamforge.engine_spark.start import check_master, local_session
    from streamforge.sinks.mounted_paths import landing_place

    # A URI is refused even as the CLI passes it (click.Path makes s3://b/x the path s3:/b/x).
    root = landing_place(str(out)).path
    check_writer(root, fmt, spark_writer)  # before Spark starts (tens of seconds)
    check_master(master or "local[2]")
    return landing_writer(local_session(master or "local[2]"), root, fmt, spark_writer)


def run(
    sector: str,
    dest: str | Path,
    *,
    schema_dir: Path | str | None = None,
    fmt: str = DEFAULT_FORMAT,
    seed: int = DEFAULT_SEED,
    interval: float = 30.0,
    cycles: int | None = None,
    duration: float | None = None,
    scale: float = 1.0,
    workers: int = 2,
    fresh: bool = False,
    stop: threading.Event | None = None,
    listener: Listener | None = None,
    clock: Clock | None = None,
    break_lock: bool = False,
    scenario: Callable[[], Scenario] | None = None,
    engine: str = "local",
    master: str | None = None,
    spark_writer: str = "native",
) -> RunSummary:
    """Dimensions once, then a batch of every fact and change feed every `interval` seconds,
    until `cycles`, `duration` or `stop`; resumes from the landing area's checkpoint.

    `scenario`, when given, is asked before each new cycle for the fault rates, anomaly rates
    and burst to use (the app's scenario controls); the manifest records them per file.
    `engine="spark"`: the rows are made and written by Spark on `master` (a local folder only);
    `spark_writer` as in `generate`.

    Args:
        sector: the sector's folder name (e.g. "Energy").
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.
        fmt: a registered landing format (`landing_formats()`: json, csv, parquet, delta).
        seed: every value is a pure function of (seed, table, cycle, chunk).
        dest: a local folder, or a Unity Catalog Volume path (/Volumes/<catalog>/<schema>/...).
        interval: seconds between cycles (event time and wall clock), > 0.
        cycles: stop after this many cycles (None: no limit). duration: stop after this many
            seconds (None: no limit).
        scale: multiplies every num_rows, > 0. workers: chunks made at once.
        fresh: clear the landing area first instead of resuming its checkpoint.
        stop: set it to stop after the file in progress. listener: receives run events.
        clock: the clock that paces cycles (tests inject one). break_lock: take over the
            landing's lock from a runner that is gone.
        scenario: asked before each new cycle for the fault rates, anomaly rates and burst to
            use; None: the YAML's.
        engine: "local" or "spark". master: Spark master URL for engine="spark" (None:
            local[2]). spark_writer: as in `generate`.

    Returns:
        A RunSummary: files written this run, whether it resumed and whether it was stopped.

    Raises:
        StreamForgeError: interval or scale <= 0, cycles < 0, a format the destination cannot
            take, an unknown engine, the landing locked by another runner, or a checkpoint of
            another run (Runner.run).
        StorageError: the landing could not be read or written.
        NotFound: no such sector. SchemaError: the sector has errors.
    """
    from streamforge.engine.settings import RunSettings
    from streamforge.runner import Runner

    if interval <= 0 or scale <= 0 or (cycles is not None and cycles < 0):
        raise StreamForgeError("--interval and --scale must be > 0, --cycles >= 0")
    check_destination(dest, fmt)
    plan = load_plan(sector, schema_dir)
    writer = _engine_writer(engine, master, dest, table_format(fmt), spark_writer)
    landing = open_landing(dest)
    settings = RunSettings(
        seed=seed,
        interval_s=interval,
        scale=scale,
        cycles=cycles,
        duration_s=duration,
        workers=workers,
        fresh=fresh,
        break_lock=break_lock,
        scenario=scenario,
    )
    runner = Runner(plan, landing, table_format(fmt), settings, clock, stop, listener, writer)
    return runner.run()

"""The one facade the CLI and the web app call: list, validate, preview and generate."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamforge import sectors
from streamforge.api_pipelines import DEFAULT_FORMAT as DEFAULT_FORMAT
from streamforge.api_pipelines import DeployFailed as DeployFailed
from streamforge.api_pipelines import default_landing as default_landing
from streamforge.api_pipelines import deploy_credentials_present as deploy_credentials_present
from streamforge.api_pipelines import deploy_pipeline as deploy_pipeline
from streamforge.api_pipelines import deployable_targets as deployable_targets
from streamforge.api_pipelines import local_targets as local_targets
from streamforge.api_pipelines import pipeline as pipeline  # the pipeline half of the facade
from streamforge.api_pipelines import pipeline_formats as pipeline_formats
from streamforge.api_pipelines import pipeline_quality as pipeline_quality
from streamforge.api_pipelines import pipeline_targets as pipeline_targets
from streamforge.api_pipelines import pipeline_zip as pipeline_zip
from streamforge.api_pipelines import run_pipeline_locally as run_pipeline_locally
from streamforge.api_pipelines import workspace_client as workspace_client
from streamforge.errors import StreamForgeError, did_you_mean, display_path
from streamforge.sectors import NotFound as NotFound  # the web API answers 404

# The engine, the sinks, pyarrow and the spec models load when a function needs them, not on
# `import streamforge.api`: the CLI imports this module for every command, `--version` too.
if TYPE_CHECKING:
    import pyarrow as pa

    from streamforge.engine.load_profile import LoadCurve
    from streamforge.engine.scenario import Scenario
    from streamforge.estimate import RunEstimate
    from streamforge.landing_view import LandingView
    from streamforge.landing_write import (
        GenerateResult,
        OutputWriter,
        ProgressCallback,
        WrittenFile,
    )
    from streamforge.plan import Plan
    from streamforge.profile import ColumnProfile
    from streamforge.run_events import Listener
    from streamforge.runner import Clock, RunSummary
    from streamforge.sectors import SectorCheck
    from streamforge.sinks.formats import FileFormat
    from streamforge.sinks.landing import Landing
    from streamforge.sinks.local import LocalLanding

# Names callers read as `api.X` (types in annotations): resolved on first use.
_LAZY = {
    "SectorCheck": "streamforge.sectors",
    "RunEstimate": "streamforge.estimate",
    "LandingView": "streamforge.landing_view",
    "Plan": "streamforge.plan",
    "ColumnProfile": "streamforge.profile",
    "WrittenFile": "streamforge.landing_write",
    "GenerateResult": "streamforge.landing_write",
    "RunSummary": "streamforge.runner",
    "RunSettings": "streamforge.engine.settings",
    "FileFormat": "streamforge.sinks.formats",
    "Landing": "streamforge.sinks.landing",
    "LocalLanding": "streamforge.sinks.local",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DEFAULT_SEED = 42
DEFAULT_TARGET = "databricks"
STATE_DIR = "_streamforge"


@dataclass(frozen=True, slots=True)
class TableSummary:
    name: str
    kind: str
    rows: int
    primary_key: str | None
    foreign_keys: dict[str, str]  # column -> referenced table
    tracks: str | None
    description: str | None


@dataclass(frozen=True, slots=True)
class SectorSummary:
    name: str
    tables: tuple[TableSummary, ...]
    errors: int
    warnings: int


def list_sectors(schema_dir: Path | str | None = None) -> list[SectorSummary]:
    """Every sector of the folder with its tables, for listings.

    Args:
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        One SectorSummary per sector, in name order: its tables (kind, num_rows, keys,
        foreign keys, tracked dimension, description; none when the sector has errors) and
        its error and warning counts.

    Raises:
        StreamForgeError: the schema folder does not exist.
    """
    root = sectors.resolve_schema_dir(schema_dir)
    return [summarize(sectors.check_sector(root, name)) for name in sectors.sector_names(root)]


def summarize(check: SectorCheck) -> SectorSummary:
    """One sector's listing line, from its check.

    Args:
        check: a sector's plan and issues (`check_sector`, `validate`).

    Returns:
        A SectorSummary: per table its kind, `num_rows` (before --scale), primary key, foreign
        keys (column -> referenced table), tracked dimension and description (no tables when
        the sector has errors), and the error and warning counts.
    """
    tables: list[TableSummary] = []
    if check.plan is not None:
        for t in check.plan.tables:
            fks = {c: check.plan.entities[fk.entity].source for c, fk in t.foreign_keys.items()}
            tracks = t.feed.entity if t.feed is not None else None
            tables.append(
                TableSummary(
                    t.name, t.kind, t.spec.num_rows, t.primary_key, fks, tracks, t.spec.description
                )
            )
    return SectorSummary(check.name, tuple(tables), len(check.errors), len(check.warnings))


def validate(schema_dir: Path | str | None = None, sector: str | None = None) -> list[SectorCheck]:
    """Check one sector, or every sector of the folder (a folder of YAML files is one sector).

    Args:
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.
        sector: the one sector to check; None: every sector of the folder.

    Returns:
        One SectorCheck per sector: its plan (None when it has errors) and every issue found,
        each with file, line, message and hint. Schema problems are returned, never raised.

    Raises:
        StreamForgeError: the schema folder does not exist, or `sector` is not in it.
    """
    return [sectors.check_sector(root, name) for root, name in sectors.to_check(schema_dir, sector)]


def load_curve(
    sector: str, table: str, schema_dir: Path | str | None = None, interval: float = 30.0
) -> LoadCurve | None:
    """The load a table's `profile:` gives, in rows, for charts.

    Args:
        sector: the sector's folder name.
        table: a table of the sector.
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.
        interval: seconds of event time per cycle, > 0.

    Returns:
        A LoadCurve (24 hourly expected row counts, UTC; 7 weekday factors, Monday first;
        average and peak rows per cycle), or None for a dimension or a table without
        `profile:`.

    Raises:
        NotFound: no such sector, or no such table in it.
        SchemaError: the sector has errors.
    """
    from streamforge.engine.load_profile import load_curve as curve_of

    plan = load_plan(sector, schema_dir)
    if table not in {t.name for t in plan.tables}:
        raise NotFound(f"unknown table '{table}' in sector '{sector}'")
    spec = plan.table(table).spec
    if spec.profile is None or plan.table(table).kind == "dimension":
        return None
    return curve_of(spec.profile, spec.num_rows, interval)


def load_plan(sector: str, schema_dir: Path | str | None = None) -> Plan:
    """The plan of a valid sector: its tables in dependency order, keys and change feeds.

    Args:
        sector: the sector's folder name (e.g. "Energy").
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        The sector's Plan.

    Raises:
        StreamForgeError: the schema folder does not exist.
        NotFound: no such sector in the folder.
        SchemaError: the sector has errors (all of them, with file:line).
    """
    return sectors.plan_of(sector, schema_dir)


def sector_names(schema_dir: Path | str | None = None) -> list[str]:
    """The sector folders (those holding *.yml or *.yaml files) of the folder, sorted.

    Args:
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        The folder names, sorted.

    Raises:
        StreamForgeError: the schema folder does not exist.
    """
    return sectors.sector_names(sectors.resolve_schema_dir(schema_dir))


def check_sector(sector: str, schema_dir: Path | str | None = None) -> SectorCheck:
    """One sector's plan and every problem found in it.

    Args:
        sector: the sector's folder name.
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        A SectorCheck: the plan (None when the sector has errors) and every issue.

    Raises:
        StreamForgeError: the schema folder does not exist.
        NotFound: no such sector in the folder.
    """
    root = sectors.resolve_schema_dir(schema_dir)
    sectors.known_sector_dir(root, sector)
    return sectors.check_sector(root, sector)


@dataclass(frozen=True, slots=True)
class TableSource:
    sector: str
    table: str
    kind: str
    file: str  # as the user would type it
    text: str  # the YAML, as written


def table_source(sector: str, table: str, schema_dir: Path | str | None = None) -> TableSource:
    """The YAML file that defines one table of a (valid) sector.

    Args:
        sector: the sector's folder name.
        table: a table of the sector.
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        A TableSource: sector, table, kind, the file's path as the user would type it, and
        its text as written.

    Raises:
        NotFound: no such sector, or no such table (with a "did you mean" hint).
        SchemaError: the sector has errors.
    """
    plan = load_plan(sector, schema_dir)
    spec = plan.sector.table(table)
    if spec is None:
        names = [t.name for t in plan.tables]
        hint = did_you_mean(table, names) or f"known tables: {', '.join(names)}"
        raise NotFound(f"unknown table '{table}' in sector '{plan.sector.name}'; {hint}")
    text = spec.file.read_text(encoding="utf-8")
    return TableSource(plan.sector.name, spec.name, spec.kind, display_path(spec.file), text)


def column_profile(rows: pa.Table, bins: int = 12) -> list[ColumnProfile]:
    """Counts per column of some generated rows, for charts.

    Args:
        rows: any table (e.g. `preview`'s rows); every column is profiled.
        bins: histogram bins of a numeric, date or timestamp column, >= 1.

    Returns:
        One ColumnProfile per column, in column order: the chart kind (histogram, categories,
        text or none), its bars, the null count and the distinct count.
    """
    from streamforge.profile import profile_table

    return profile_table(rows, bins)


def _start_us(start: datetime | None) -> int:
    from streamforge.plan.times import start_micros  # loads the plan package: not at import

    return start_micros(start)


def preview(
    sector: str,
    table: str,
    rows: int = 20,
    seed: int = DEFAULT_SEED,
    schema_dir: Path | str | None = None,
) -> pa.Table:
    """The first rows a run would write for one table (dimensions first, as a run does).

    Args:
        sector: the sector's folder name.
        table: a table of the sector.
        rows: how many rows to return at most.
        seed: the run's seed; the same seed gives the same rows.
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        A pyarrow.Table of up to `rows` rows (cycle 0 for a fact or change feed; `profile:`
        ignored, so a quiet hour still shows rows).

    Raises:
        NotFound: no such sector, or no such table in it.
        SchemaError: the sector has errors.
        UniqueExhausted: a unique column has fewer values than a batch needs.
    """

    from streamforge.engine.session import Session
    from streamforge.engine.settings import RunSettings

    plan = load_plan(sector, schema_dir)
    names = [t.name for t in plan.tables]
    if table not in names:
        raise NotFound(f"unknown table '{table}' in sector '{sector}'")
    # A preview ignores `profile:` (at a quiet hour a table could have no rows to show).
    settings = RunSettings(seed=seed, start_us=_start_us(None), profiles=False)
    for made, data in Session(plan, settings).first_tables():
        if made.name == table:
            return data.slice(0, rows)
    raise AssertionError("unreachable")


def landing_formats() -> tuple[str, ...]:
    """Names of the registered landing formats (`json`, `csv`, `parquet`, `delta`, ...).

    Returns:
        The format names, sorted.

    Read from the names of the `sinks/fmt_<name>.py` modules, which the sinks package registers
    (and `register_format` checks that a format's name is its module's), without importing them:
    the CLI's --help lists them and loads no pyarrow.
    """
    sinks = Path(__file__).resolve().parent / "sinks"
    return tuple(sorted(path.stem.removeprefix("fmt_") for path in sinks.glob("fmt_*.py")))


def estimate(plan: Plan, fmt: str, scale: float = 1.0, seed: int = DEFAULT_SEED) -> RunEstimate:
    """Rows and bytes a run of `plan` writes: the dimensions once, then per cycle.

    Args:
        plan: a sector's plan (`load_plan`).
        fmt: a registered landing format (bytes per row depend on it).
        scale: multiplies every num_rows, > 0.
        seed: the run's seed (sizes are measured on a sample of its rows).

    Returns:
        A RunEstimate: per table its kind, rows and bytes (dimensions once, facts and change
        feeds per cycle; see `streamforge.estimate.estimate_run`).

    Raises:
        ValueError: an unknown format.
    """
    from streamforge.estimate import estimate_run

    return estimate_run(plan, fmt, scale, seed, _start_us(None))


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
    from streamforge.sinks import destination
    from streamforge.sinks.local import LocalLanding

    if cycles < 0 or interval <= 0 or scale <= 0:
        raise StreamForgeError("--cycles must be >= 0, --interval and --scale > 0")
    plan = load_plan(sector, schema_dir)
    file_format = _table_format(fmt)
    start_us = _start_us(start)  # every input is checked before anything is removed
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


def expected_rows(
    sector: str,
    cycles: int,
    scale: float = 1.0,
    schema_dir: Path | str | None = None,
    *,
    seed: int = DEFAULT_SEED,
    start: datetime | None = None,
    interval: float = 30.0,
) -> int:
    """Rows a generate call with the same arguments makes in total (for progress bars): exact,
    `profile:` included, since rows per cycle are a pure function of the seed and the window.

    Args:
        sector: the sector's folder name.
        cycles: batches of every fact and change feed, >= 0.
        scale: multiplies every num_rows, > 0.
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.
        seed: the run's seed.
        start: event time of cycle 0, an aware datetime (None: now, to the second); pass the
            same moment as to `generate`, or a `profile:` may count another hour's rows.
        interval: seconds of event time per cycle, > 0.

    Returns:
        The number of rows: every dimension once plus every fact and change feed per cycle.

    Raises:
        NotFound: no such sector. SchemaError: the sector has errors.
        TypeError: `start` is not a datetime. ValueError: `start` is naive.
    """
    from streamforge.engine.settings import RunSettings

    plan = load_plan(sector, schema_dir)
    settings = RunSettings(seed=seed, start_us=_start_us(start), interval_s=interval, scale=scale)
    return sum(settings.rows(t) for t in plan.dimensions) + sum(
        settings.rows(t, cycle, final=cycle == cycles - 1)
        for cycle in range(cycles)
        for t in plan.streams
    )


def check_destination(dest: str | Path, fmt: str) -> None:
    """Refuse a format the destination cannot take, before anything is written.

    Args:
        dest: a local folder or a Volume path.
        fmt: a landing format name.

    Raises:
        StreamForgeError: an unknown format, or one the destination cannot take (see
            `streamforge.sinks.destination.check_format`).
    """
    from streamforge.sinks import destination

    destination.check_format(str(dest), _table_format(fmt))


def open_landing(dest: str | Path) -> Landing:
    """The landing area at `dest`, to read or write.

    Args:
        dest: a local folder, or a Unity Catalog Volume path (`/Volumes/<catalog>/<schema>/
            <volume>/...`, also as `dbfs:/Volumes/...`).

    Returns:
        A Landing: a LocalLanding for a folder, a VolumeLanding for a Volume.

    Raises:
        StreamForgeError: a malformed Volume path, or a destination StreamForge cannot write
            (see `streamforge.sinks.destination.open_landing`).
    """
    from streamforge.sinks import destination

    return destination.open_landing(str(dest))


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
    writer = _engine_writer(engine, master, dest, _table_format(fmt), spark_writer)
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
    runner = Runner(plan, landing, _table_format(fmt), settings, clock, stop, listener, writer)
    return runner.run()


def _table_format(name: str) -> FileFormat:
    from streamforge.sinks.formats import get_format

    try:
        return get_format(name)
    except ValueError as exc:
        raise StreamForgeError(str(exc)) from None


def view_landing(dest: str | Path, plan: Plan) -> LandingView:
    """What the landing at `dest` holds, from its manifest.

    Args:
        dest: a local folder or a Volume path.
        plan: the plan of the sector written there (its tables are listed even before any file).

    Returns:
        A LandingView: per table its files, rows, bytes, last write and newest files; per
        cycle its rows, files, anomalies and faults by table.

    Raises:
        StorageError: the landing could not be read. StreamForgeError: a malformed path.
    """
    from streamforge import landing_view

    return landing_view.view_landing(open_landing(dest), plan)


def sample_landed_file(dest: str | Path, plan: Plan, relpath: str, rows: int = 20) -> pa.Table:
    """The first rows of one landed file, read back with the table's types.

    Args:
        dest: a local folder or a Volume path.
        plan: the plan of the sector written there.
        relpath: the file as the manifest names it (`<table>/<table>-c<cycle>-<id>.<ext>`).
        rows: how many rows to return at most.

    Returns:
        A pyarrow.Table of up to `rows` rows with the table's schema.

    Raises:
        StreamForgeError: the file is not in the manifest, or cannot be read here (a Delta
            table is sampled from a local landing only).
    """
    from streamforge import landing_view

    return landing_view.sample_file(open_landing(dest), plan, relpath, rows)


def verify(sector: str, out: Path | str, schema_dir: Path | str | None = None):
    """Read a landing area back and check keys, foreign keys, change feeds and anomaly counts;
    when it holds a live run's checkpoint, also that replaying every change feed rebuilds the
    entity state the runner holds.

    Args:
        sector: the sector the landing area was written from.
        out: the landing folder, read with file I/O: a local folder, or on Databricks compute a
            mounted Volume (`/Volumes/...`, also as `dbfs:/Volumes/...`).
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        A report: `findings` (each problem, empty when the landing is right), and per table the
        files and rows read.

    Raises:
        StreamForgeError: `out` holds no StreamForge landing area, is a URI of another scheme
            (s3://...), or lies under a /Volumes or /dbfs this machine does not mount.
        NotFound: no such sector. SchemaError: the sector has errors.
    """
    from streamforge import checkpoint
    from streamforge.engine.redraw import EngineRedraw
    from streamforge.file_uris import LANDING_READ, check_mounted, dbfs_uri, file_path
    from streamforge.sinks.local import LocalLanding
    from streamforge.verify import compare_entities, verify_landing

    out = file_path(out, LANDING_READ)  # dbfs:/Volumes/x is the mounted /Volumes/x
    landing = LocalLanding(out)
    if not landing.exists():
        check_mounted(
            out,
            LANDING_READ,
            f"run verify there, or copy the landing here (databricks fs cp -r {dbfs_uri(out)} "
            "./landing) and verify ./landing",
        )
        raise StreamForgeError(f"{out} holds no StreamForge landing area (no {STATE_DIR}/)")
    plan = load_plan(sector, schema_dir)
    loaded = checkpoint.load(landing)
    settled = loaded is not None and loaded[1].pending_cycle is None
    # Rows held back as late at the last checkpoint are changes the generator made: they date
    # keys that facts of finished cycles use, even while a stopped cycle is pending (its own
    # held rows are lost with it and redone on restart).
    held = loaded[0].held if loaded is not None else None
    report = verify_landing(out, plan, held, EngineRedraw())  # hidden inputs drawn again
    if loaded is not None and settled:
        state = loaded[0]
        tables = {n: e.table for n, e in state.entities.items() if e.table is not None}
        compare_entities(report, tables, {n: e.key for n, e in state.entities.items()})
    return report

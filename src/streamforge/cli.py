"""The `streamforge` command: thin click wrappers around api.py, with rich output."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from streamforge import __version__, api, stopping
from streamforge.cli_engine import check_engine_options, engine_options
from streamforge.cli_options import FolderPath, landing_format_option, schema_dir_option
from streamforge.cli_summary import COLUMNS, RIGHT, plain_output, plain_table, summary_rows
from streamforge.errors import SchemaError, StreamForgeError, storage_error
from streamforge.file_uris import LANDING_READ, PROJECT_WRITTEN, SCHEMA_READ, file_path
from streamforge.plural import counted

# rich, like the engine behind `api`, loads inside the commands that print with it: `--version`
# and `--help` start in a tenth of a second (bench/bench_start.py).
if TYPE_CHECKING:
    from rich.console import Console


@functools.cache
def stdout() -> Console:
    """Standard output. soft_wrap: a `file:line: message` stays one line in pipes and CI logs,
    where rich assumes 80 columns; editors and grep can then jump to it. emoji=False: rich would
    turn the `:100:` of `file.yml:100:` into an emoji. User text (paths, names, messages) is
    printed as Text or with markup=False, so a `[bold]` in a path is printed, not interpreted."""
    from rich.console import Console

    return Console(soft_wrap=True, emoji=False)


@functools.cache
def stderr() -> Console:
    """Standard error, printed as `stdout()` prints."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True, emoji=False)


class RegistryChoice(click.Choice):
    """One of the names a registry holds, read when click first needs them (to parse the option
    or print its --help), so that loading the CLI loads no registry."""

    def __init__(self, names: Callable[[], Sequence[str]]) -> None:
        self._names = names
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        return tuple(self._names())

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        """click's constructor sets the choices; the registry holds them."""


SHOWN_FINDINGS = 20
PROGRESS_THRESHOLD = 200_000  # rows: below this a bar only flickers


# Commands in modules of their own, loaded when named (or listed by --help): `generate` does
# not pay for `run`'s module and its event classes.
LAZY_COMMANDS = {"run": "streamforge.cli_run"}


class Group(click.Group):
    """Turn StreamForge errors into a message and an exit code; a traceback only with --debug."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            import importlib

            self.add_command(getattr(importlib.import_module(LAZY_COMMANDS[cmd_name]), cmd_name))
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SchemaError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            for issue in exc.issues:
                stderr().print(
                    str(issue),
                    style="red" if issue.severity == "error" else "yellow",
                    markup=False,
                    highlight=False,
                )
            raise SystemExit(exc.exit_code) from None
        except StreamForgeError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            stderr().print(f"error: {exc}", style="red", markup=False, highlight=False)
            raise SystemExit(exc.exit_code) from None
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            problem = storage_error(exc)  # a full disk or a refused path is not a bug
            if problem is not None:
                stderr().print(f"error: {problem}", style="red", markup=False, highlight=False)
                raise SystemExit(problem.exit_code) from None
            stderr().print(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "rerun with --debug for the traceback",
                style="red",
                markup=False,
            )
            raise SystemExit(1) from None


@click.group(cls=Group)
@click.version_option(__version__, prog_name="streamforge")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """StreamForge: referentially intact, continuously arriving test data for Lakeflow pipelines."""
    ctx.obj = {"debug": debug}
    if ctx.invoked_subcommand != "run":
        stopping.release()  # only a live run stops cleanly on signals; the rest keep Ctrl-C


@main.command()
@schema_dir_option
def sectors(schema_dir: Path | None) -> None:
    """List sectors and their tables."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    for sector in api.list_sectors(schema_dir):
        title = escape(sector.name)
        if sector.errors:
            title += f"  [red]({counted(sector.errors, 'error')}: run streamforge validate)[/red]"
        table = Table(title=title, title_justify="left", show_edge=False)
        # Names never get cut; the description gives way first in a narrow terminal.
        table.add_column("table", no_wrap=True)
        table.add_column("type", no_wrap=True)
        table.add_column("rows", justify="right", no_wrap=True)
        table.add_column("key", no_wrap=True)
        table.add_column("foreign keys", overflow="fold")
        table.add_column("description", overflow="ellipsis", max_width=60)
        for t in sector.tables:
            fks = ", ".join(f"{c}→{target}" for c, target in t.foreign_keys.items())
            if t.tracks:
                fks = f"tracks {t.tracks}" + (f"; {fks}" if fks else "")
            cells = (t.name, t.kind, f"{t.rows:,}", t.primary_key or "", fks, t.description or "")
            table.add_row(*(Text(cell) for cell in cells))
        stdout().print(table)
        stdout().print()


@main.command()
@click.argument("target", metavar="[SECTOR | SCHEMA_DIR]", required=False)
@schema_dir_option
@click.option("--sector", help="Check only this sector (the same as SECTOR).")
def validate(target: str | None, schema_dir: Path | None, sector: str | None) -> None:
    """Check schema files; report every problem as file:line. Exit 2 when any is an error.

    SECTOR checks one sector of --schema-dir, as the other commands name it; without it, every
    sector. A folder in its place (`validate schema`, `validate schema/Energy`) is the schema
    folder, as in earlier releases."""
    from streamforge.cli_plain import plain_name, plain_stream, plain_text, write_line
    from streamforge.sectors import check_summary, to_check

    schema_dir, sector = _validate_target(target, schema_dir, sector)
    # what api.validate checks, from the disk cache when nothing changed (check_cache.py)
    checks = [check_summary(root, name) for root, name in to_check(schema_dir, sector)]
    if not checks:  # nothing checked is not "valid"
        raise StreamForgeError(
            f"no sector in {schema_dir or './schema'}: a schema folder holds one folder of "
            "table YAML files per sector (or is one); pass that folder, or --schema-dir DIR SECTOR"
        )
    failed = False
    # without a terminal, the lines rich would print are written without loading it (cli_plain)
    plain_out, plain_err = plain_stream(sys.stdout), plain_stream(sys.stderr)
    for check in checks:
        for issue in check.issues:
            text = str(issue)
            if plain_err and plain_text(text):
                write_line(sys.stderr, text)
                continue
            style = "red" if issue.severity == "error" else "yellow"
            stderr().print(text, style=style, markup=False, highlight=False)
        status, style = ("invalid", "red") if check.errors else ("valid", "green")
        # an invalid sector has no plan: count what was read, and what of it failed to load
        read = (
            f"{counted(check.files, 'file')} read, {check.failed} failed to load"
            if check.errors
            else counted(check.tables, "table")
        )
        rest = (
            f" ({read}, "
            f"{counted(len(check.errors), 'error')}, {counted(len(check.warnings), 'warning')})"
        )
        if plain_out and plain_name(check.name):
            write_line(sys.stdout, f"{check.name}: {status}{rest}")
        else:
            from rich.markup import escape

            stdout().print(f"{escape(check.name)}: [{style}]{status}[/{style}]{rest}")
        failed = failed or bool(check.errors)
    if failed:
        raise SystemExit(2)


def _validate_target(
    target: str | None, schema_dir: Path | None, sector: str | None
) -> tuple[Path | None, str | None]:
    """(schema folder, sector) of `validate [TARGET] [--schema-dir] [--sector]`: TARGET is a
    sector name, or, without --schema-dir, a path or an existing folder (the earlier form)."""
    if target is None:
        return schema_dir, sector
    if schema_dir is None and ("/" in target or os.sep in target or Path(target).is_dir()):
        return file_path(target, SCHEMA_READ), sector  # s3://b/x quoted as typed
    if sector is not None and sector.lower() != target.lower():
        raise click.UsageError(
            f"two sectors: '{target}' and --sector {sector}; name one (validate SECTOR)"
        )
    return schema_dir, target


@main.command()
@click.argument("sector")
@schema_dir_option
# --out stays text: click.Path would turn s3://b/x into the folder s3:/b/x (api.generate refuses
# a URI, quoting what was typed).
@click.option("--out", required=True, help="Landing folder, or /Volumes/<c>/<s>/<v>/path.")
@landing_format_option
@click.option("--seed", type=int, default=api.DEFAULT_SEED, show_default=True)
@click.option(
    "--cycles",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Batches of every fact and change feed.",
)
@click.option("--start", help="Event time of the first cycle, ISO-8601 (default: now).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.001),
    default=30.0,
    show_default=True,
    help="Seconds of event time between cycles.",
)
@click.option(
    "--scale",
    type=click.FloatRange(min=0.0, min_open=True),
    default=1.0,
    show_default=True,
    help="Multiply every num_rows.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help=(
        "Chunks made at once, ahead of the writer, on the shared pool of one thread per core "
        "(1: made one by one on the main thread)."
    ),
)
@click.option("--fresh", is_flag=True, help="Replace a landing area already in --out.")
@engine_options
def generate(
    sector: str,
    schema_dir: Path | None,
    out: str,
    fmt: str,
    seed: int,
    cycles: int,
    start: str | None,
    interval: float,
    scale: float,
    workers: int,
    fresh: bool,
    engine: str,
    master: str | None,
    spark_writer: str,
) -> None:
    """Write the dimensions, then CYCLES batches of facts and change feeds, at once."""
    from streamforge.arrow_start import skip_pandas
    from streamforge.cli_times import parse_start

    check_engine_options(engine)
    if engine == "local":  # pyspark's Arrow functions need pandas importable
        skip_pandas()  # json, csv and parquet rows never pass through pandas
    moment = parse_start(start)
    total = api.expected_rows(
        sector, cycles, scale, schema_dir, seed=seed, start=moment, interval=interval
    )
    began = time.perf_counter()
    with _progress(total) as on_rows:
        result = api.generate(
            sector,
            out,
            schema_dir=schema_dir,
            fmt=fmt,
            seed=seed,
            cycles=cycles,
            start=moment,
            interval=interval,
            scale=scale,
            workers=workers,
            fresh=fresh,
            on_rows=on_rows,
            engine=engine,
            master=master,
            spark_writer=spark_writer,
        )
    elapsed = time.perf_counter() - began
    rows = summary_rows(result.files)
    if plain_output():
        sys.stdout.write(plain_table(rows))
    else:
        from rich.table import Table
        from rich.text import Text

        summary = Table(show_edge=False)
        for column in COLUMNS:
            summary.add_column(column, justify="right" if column in RIGHT else "left")
        for name, *cells in rows:
            summary.add_row(Text(name), *cells)
        stdout().print(summary)
    rate = result.rows / elapsed if elapsed > 0 else 0
    done = (
        f"wrote {counted(result.rows, 'row')} in {counted(len(result.files), 'file')} to {out} "
        f"({elapsed:.1f}s, {rate:,.0f} rows/s, seed {seed})"
    )
    if plain_output():
        sys.stdout.write(done + "\n")
    else:
        stdout().print(done, markup=False)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[str, int], None] | None]:
    """A progress bar for a big run in a terminal; else nothing (and no rich.progress import)."""
    if total < PROGRESS_THRESHOLD or not stdout().is_terminal:
        yield None  # below the threshold a bar only flickers
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} rows"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=stdout()) as progress:
        task = progress.add_task("generating", total=total)
        yield lambda table, rows: progress.update(task, advance=rows, description=table)


@main.command()
@click.argument("sector")
@schema_dir_option
@click.option(
    "--out",
    type=FolderPath(LANDING_READ),
    required=True,
    help="Landing folder (on Databricks compute also /Volumes/... or dbfs:/Volumes/...).",
)
def verify(sector: str, schema_dir: Path | None, out: Path) -> None:
    """Read a landing area back: unique keys, no orphan foreign key, consistent change feeds."""
    from rich.markup import escape

    report = api.verify(sector, out, schema_dir)
    for note in report.notes:
        stderr().print(f"note: {note}", style="yellow", markup=False, highlight=False)
    for finding in report.findings[:SHOWN_FINDINGS]:
        stderr().print(str(finding), style="red", markup=False, highlight=False)
    total = sum(report.rows.values())
    files = sum(report.files.values())
    if len(report.findings) > SHOWN_FINDINGS:
        stderr().print(f"... and {len(report.findings) - SHOWN_FINDINGS} more", style="red")
    if report.findings:
        stdout().print(
            f"[red]{counted(len(report.findings), 'problem')}[/red] in {counted(files, 'file')}, "
            f"{counted(total, 'row')}"
        )
        raise SystemExit(1)
    stdout().print(
        f"[green]ok[/green]: {counted(files, 'file')}, {counted(total, 'row')}; "
        + escape(report.summary())
    )


@main.command()
@click.argument("sector")
@schema_dir_option
@click.option("--out", type=FolderPath(PROJECT_WRITTEN), required=True, help="Project folder.")
@click.option(
    "--target",
    type=RegistryChoice(lambda: tuple(api.pipeline_targets())),
    default=api.DEFAULT_TARGET,
    show_default=True,
)
@click.option(
    "--language", type=click.Choice(["python", "sql"]), default="python", show_default=True
)
@click.option(
    "--landing",
    help="Landing path the pipeline reads (a Volume path on Databricks; with --run, default "
    "./landing).",
)
@click.option(
    "--scd",
    type=click.Choice(["1", "2"]),
    default="1",
    show_default=True,
    help="2 adds a history table (SCD type 2) per changing dimension.",
)
@click.option(
    "--format",
    "fmt",
    type=RegistryChoice(api.pipeline_formats),
    default=None,
    help=f"Format of the landing files (default: read from a local --landing, else "
    f"{api.DEFAULT_FORMAT}).",
)
@click.option(
    "--interval",
    type=float,
    default=None,
    help="Seconds between the landing's cycles; the watermark follows it "
    "(default: read from a local --landing, else 30).",
)
@click.option(
    "--continuous",
    is_flag=True,
    help="Databricks targets: a continuous pipeline instead of a job that refreshes it when "
    "files land.",
)
@click.option(
    "--notebooks",
    type=click.Choice(["source", "ipynb"]),
    default=None,
    help="Write the pipeline as notebooks, a cell per dataset under a note with documentation "
    "links: Databricks source format (.py/.sql) or .ipynb.",
)
@click.option(
    "--workshop",
    is_flag=True,
    help="Notebooks with exercises (an expectation, the AUTO CDC flow, a gold view) left as "
    "TODO cells with hints; the solutions in solutions/.",
)
@click.option(
    "--generator-job",
    is_flag=True,
    help="Databricks targets: add a job to the bundle that writes the landing Volume with the "
    "Spark engine (a notebook task; serverless with Unity Catalog).",
)
@click.option(
    "--run",
    "run_it",
    is_flag=True,
    help="Run the spark target on local pyspark and show every dataset's rows.",
)
def pipeline(
    sector: str,
    schema_dir: Path | None,
    out: Path,
    target: str,
    language: str,
    landing: str | None,
    scd: str,
    fmt: str | None,
    interval: float | None,
    continuous: bool,
    notebooks: str | None,
    workshop: bool,
    generator_job: bool,
    run_it: bool,
) -> None:
    """Write the pipeline project that ingests SECTOR's landing area (bronze, silver, gold)."""
    local, deployable = api.local_targets(), api.deployable_targets()
    if run_it and target not in local:
        raise click.UsageError(f"--run runs a target on local pyspark: add --target {local[0]}")
    if continuous and target not in deployable:
        raise click.UsageError(
            f"--continuous shapes the Databricks bundle; the {target} target has none: "
            f"drop --continuous or use --target {deployable[0]}"
        )
    if run_it and landing is None:
        # The run starts in the project's work folder: the target's relative default landing
        # would be looked for there. Here is where `generate SECTOR --out landing` writes.
        landing = str(Path(api.default_landing(target)).resolve())
    project = api.pipeline(
        sector,
        out,
        schema_dir=schema_dir,
        target=target,
        language=language,
        landing=landing,
        scd=int(scd),
        fmt=fmt,
        interval=interval,
        continuous=continuous,
        notebooks=notebooks,
        workshop=workshop,
        generator_job=generator_job,
    )
    for relpath in project.files:
        stdout().print(f"wrote {out / relpath}", markup=False)
    if run_it:
        stdout().print("running the pipeline on local Spark (about a minute)...")
        dimensions = {
            t.name for t in api.load_plan(sector, schema_dir).tables if t.kind == "dimension"
        }
        _print_datasets(api.run_pipeline_locally(out), dimensions)
        _print_quality(api.pipeline_quality(sector, out, schema_dir=schema_dir))


def dataset_layer(name: str, dimensions: set[str]) -> str:
    """The layer of a dataset of the generated pipeline, by its name (the README's layers): a
    dimension's current table or `_history` first (a dimension may be called `gold_tier`), the
    `expectations` metrics, then the bronze_/silver_/quarantine_/late_/gold_ prefixes."""
    from streamforge.pipelines.model import METRICS

    if name in dimensions or name.removesuffix("_history") in dimensions:
        return "dimension"
    if name == METRICS:
        return "metrics"
    prefix = name.split("_")[0]
    return prefix if prefix in ("bronze", "silver", "quarantine", "late", "gold") else "other"


def _print_datasets(counts: dict[str, int], dimensions: set[str]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_edge=False)
    table.add_column("dataset", no_wrap=True)
    table.add_column("layer")
    table.add_column("rows", justify="right")
    for name, rows in counts.items():
        table.add_row(Text(name), dataset_layer(name, dimensions), f"{rows:,}")
    stdout().print(table)


def _print_quality(checks: list) -> None:
    """Injected vs caught, rule by rule (what reports/data_quality.sql shows on Databricks)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_edge=False, title="data quality: injected vs caught")
    for column in ("dataset", "rule", "action", "injected", "caught", ""):
        table.add_column(column, justify="right" if column in ("injected", "caught") else "left")
    for c in checks:
        caught = "-" if c.caught is None else f"{c.caught:,}"
        verdict = "ok" if c.ok else "[red]MISMATCH[/red]"
        table.add_row(Text(c.dataset), Text(c.rule), c.action, f"{c.injected:,}", caught, verdict)
    stdout().print(table)
    wrong = [c for c in checks if not c.ok]
    if wrong:
        stdout().print(
            f"[red]{len(wrong)} of {counted(len(checks), 'rule')} did not catch what was injected"
        )
    elif len(checks) == 1:
        stdout().print("the 1 rule caught exactly what the landing injected")
    else:
        stdout().print(f"all {len(checks)} rules caught exactly what the landing injected")


if __name__ == "__main__":
    sys.exit(main())

"""`streamforge run`: the live loop in a terminal, a status line, and a clean stop on signals."""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from streamforge import api, stopping
from streamforge.cli_engine import check_engine_options, engine_options
from streamforge.cli_options import landing_format_option, schema_dir_option
from streamforge.errors import StreamForgeError
from streamforge.plural import counted
from streamforge.run_events import (
    CycleReport,
    CycleWritten,
    DimensionsWritten,
    Late,
    LockTakenOver,
    Resumed,
    RunEvent,
    Waiting,
)

if TYPE_CHECKING:  # rich and the runner load when `run` runs, not when the CLI starts
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table

    from streamforge.runner import RunSummary


@functools.cache
def stdout() -> Console:
    """No emoji in `file.yml:100:`; one line a note."""
    from rich.console import Console

    return Console(emoji=False, soft_wrap=True)


class Status:
    """What the status line shows, updated by the runner's events."""

    def __init__(self, dest: str, interval: float):
        self.dest, self.interval = dest, interval
        self.cycle: int | None = None
        self.rows: dict[str, int] = {}
        self.files: dict[str, int] = {}
        self.last: CycleReport | None = None
        self.next_at: float | None = None
        self.notes: list[str] = []

    def on_event(self, event: RunEvent) -> None:
        match event:
            case LockTakenOver(reason=reason):
                self.note(reason)
            case Resumed():
                self.note(f"resuming from the checkpoint in {self.dest}")
            case DimensionsWritten(files=files):
                for f in files:
                    self._count(f)
                self.note(f"wrote {counted(len(files), 'dimension')}")
            case CycleWritten(report=report):
                self._cycle(report)
            case Waiting(seconds=seconds):
                self.next_at = time.monotonic() + seconds
            case Late(seconds=seconds):
                self.note(f"running {seconds:.1f}s behind schedule")

    def _cycle(self, report: CycleReport) -> None:
        self.cycle, self.last = report.cycle, report
        for f in report.files:
            self._count(f)
        if not stdout().is_terminal:
            rows = sum(f.rows for f in report.files)
            self.note(
                f"cycle {report.cycle}: {counted(rows, 'row')} in "
                f"{counted(len(report.files), 'file')} "
                f"({report.seconds:.2f}s)"
            )
        if report.overrun:
            self.note(
                f"cycle {report.cycle} took {report.seconds:.1f}s, longer than the "
                f"{self.interval:g}s interval: the next one starts at once"
            )

    def note(self, text: str) -> None:
        stamp = datetime.now(UTC).strftime("%H:%M:%S")
        self.notes = [*self.notes[-3:], f"{stamp} {text}"]
        if not stdout().is_terminal:
            # A log line, as is: rich's print (highlighting, wrapping) was ~3% of a live cycle.
            out = stdout().file
            out.write(f"{stamp} {text}\n")
            out.flush()

    def _count(self, f) -> None:
        self.rows[f.table] = self.rows.get(f.table, 0) + f.rows
        self.files[f.table] = self.files.get(f.table, 0) + 1

    def render(self) -> Table:
        from rich.markup import escape
        from rich.table import Table
        from rich.text import Text

        grid = Table(show_edge=False, title_justify="left")
        wait = max(0.0, self.next_at - time.monotonic()) if self.next_at else 0.0
        cycle = "-" if self.cycle is None else str(self.cycle)
        dest = escape(str(self.dest))
        grid.title = f"cycle {cycle} → {dest}   next cycle in {wait:4.1f}s   (Ctrl-C stops)"
        grid.add_column("table")
        grid.add_column("files", justify="right")
        grid.add_column("rows", justify="right")
        for table, rows in self.rows.items():
            grid.add_row(Text(table), str(self.files[table]), f"{rows:,}")
        for note in self.notes:
            grid.add_row(Text(note, style="dim"), "", "")
        return grid


@click.command()
@click.argument("sector")
@click.option("--out", "dest", required=True, help="Landing folder, or /Volumes/<c>/<s>/<v>/path.")
@schema_dir_option
@landing_format_option
@click.option("--interval", type=click.FloatRange(min=0.01), default=30.0, show_default=True)
@click.option("--cycles", type=click.IntRange(min=0), default=None, help="Stop after N cycles.")
@click.option("--duration", default=None, help="Stop after this long: 90s, 15m, 2h.")
@click.option("--seed", type=int, default=api.DEFAULT_SEED, show_default=True)
@click.option("--scale", type=click.FloatRange(min=0.0, min_open=True), default=1.0)
@click.option("--fresh", is_flag=True, help="Clear what an earlier run wrote here, then start.")
@click.option(
    "--break-lock",
    is_flag=True,
    help="Take over a Volume's lock even if its holder may be alive (you know it is gone).",
)
@engine_options
def run(
    sector: str,
    dest: str,
    schema_dir: Path | None,
    fmt: str,
    interval: float,
    cycles: int | None,
    duration: str | None,
    seed: int,
    scale: float,
    fresh: bool,
    break_lock: bool,
    engine: str,
    master: str | None,
    spark_writer: str,
) -> None:
    """Write the dimensions once, then a batch of facts and change feeds every interval.

    Running it again continues where the last run stopped (same --seed and --format).
    """
    check_engine_options(engine)
    seconds = parse_duration(duration) if duration else None
    status = Status(dest, interval)

    def on_first_signal() -> None:
        status.note("stopping after the current file… (a second signal stops at once)")

    # A signal may have come already, while Python was importing: the run then stops at once.
    options = dict(schema_dir=schema_dir, fmt=fmt, seed=seed, interval=interval, cycles=cycles,
                   duration=seconds, scale=scale, fresh=fresh, break_lock=break_lock,
                   engine=engine, master=master, spark_writer=spark_writer)  # fmt: skip
    with stopping.requests(on_first_signal) as stop:
        try:
            summary = _run_live(status, stop, sector, dest, options)
        except stopping.StopNow:
            stdout().print(
                "stopped at once: the next start redoes what was in progress; run the "
                "same command to continue"
            )
            return
    how = "stopped" if summary.stopped else "done"
    stdout().print(
        f"{how}: {counted(len(summary.cycles), 'cycle')}, {counted(summary.rows, 'row')} this run"
        f"{' (resumed)' if summary.resumed else ''}; run the same command to continue"
    )


def _run_live(
    status: Status, stop: threading.Event, sector: str, dest: str, options: dict[str, Any]
) -> RunSummary:
    """`api.run` with the status line live in a terminal (a line per event elsewhere)."""
    from rich.live import Live

    live = Live(status.render(), console=stdout(), refresh_per_second=4)
    with live if stdout().is_terminal else contextlib.nullcontext():
        if stdout().is_terminal:
            threading.Thread(target=_refresh, args=(live, status, stop), daemon=True).start()
        summary = api.run(sector, dest, stop=stop, listener=status.on_event, **options)
        if stdout().is_terminal:
            live.update(status.render())
    return summary


def _refresh(live: Live, status: Status, stop: threading.Event) -> None:
    while not stop.wait(0.25):
        live.update(status.render())


def parse_duration(text: str) -> float:
    """Seconds in `90`, `90s`, `15m`, `2h`, `1h30m` (the text a user types; the facade takes
    seconds)."""
    match = re.fullmatch(
        r"\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*"
        r"(?:(\d+(?:\.\d+)?)s?)?\s*",
        text,
    )
    if not text.strip() or match is None or not any(match.groups()):
        raise StreamForgeError(f"--duration '{text}' is not a duration; write e.g. 90s, 15m, 2h")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds

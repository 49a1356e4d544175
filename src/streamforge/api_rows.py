"""Rows without a landing: a table's first rows, their column profile, and the rows and bytes a
run would write (the facade, api.py, re-exports all of it)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from streamforge.api_choices import DEFAULT_SEED
from streamforge.api_sectors import load_plan
from streamforge.sectors import NotFound

if TYPE_CHECKING:
    import pyarrow as pa

    from streamforge.estimate import RunEstimate
    from streamforge.plan import Plan
    from streamforge.profile import ColumnProfile


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

"""How much a run writes: rows and bytes per table, once for the dimensions and then per cycle.

Row counts follow the plan and the scale exactly; a table with a `profile:` has an average cycle
and a busiest one. Bytes per row are measured, not guessed: the first
rows of each table are made by the engine and encoded in the chosen format in memory (Delta stores
Parquet files, so it is measured as Parquet). The estimate is what the app shows before Start and
what it checks against the free space of a local destination.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import pyarrow as pa

from streamforge.engine.session import Session
from streamforge.engine.settings import RunSettings
from streamforge.plan import Plan, TablePlan
from streamforge.sinks.formats import get_format
from streamforge.spec.profile_factors import mean_factor, peak_factor

SAMPLE_ROWS = 1_000  # rows encoded per table to measure its bytes per row
SAMPLE_ROWS_LIMIT = 20_000  # a sector is sampled at a scale that keeps its largest table under this


@dataclass(frozen=True, slots=True)
class TableEstimate:
    name: str
    kind: str  # dimension | fact | change_feed
    rows: int  # dimension: rows in total; fact / change feed: rows per cycle, at the scale asked
    bytes_per_row: float  # measured on the encoded sample
    # The busiest cycle's rows: its `profile:`'s busiest hour and weekday, in a burst (= rows
    # without a profile). `rows` is then the average cycle's (bursts included); the trend is not.
    peak_rows: int = 0

    @property
    def busiest(self) -> int:
        return max(self.rows, self.peak_rows)


@dataclass(frozen=True, slots=True)
class RunEstimate:
    """Rows and bytes of the dimensions (written once) and of one cycle (written every interval)."""

    fmt: str
    scale: float
    tables: tuple[TableEstimate, ...]

    @property
    def dimension_rows(self) -> int:
        return sum(t.rows for t in self.tables if t.kind == "dimension")

    @property
    def cycle_rows(self) -> int:
        return sum(t.rows for t in self.tables if t.kind != "dimension")

    @property
    def dimension_bytes(self) -> int:
        return round(sum(t.rows * t.bytes_per_row for t in self.tables if t.kind == "dimension"))

    @property
    def cycle_bytes(self) -> int:
        return round(sum(t.rows * t.bytes_per_row for t in self.tables if t.kind != "dimension"))

    @property
    def peak_cycle_rows(self) -> int:
        """Rows of a cycle in which every table is at its busiest (what limits must allow)."""
        return sum(t.busiest for t in self.tables if t.kind != "dimension")

    @property
    def peak_cycle_bytes(self) -> int:
        return round(sum(t.busiest * t.bytes_per_row for t in self.tables if t.kind != "dimension"))


def estimate_run(plan: Plan, fmt: str, scale: float, seed: int, start_us: int) -> RunEstimate:
    """Rows at `scale` from the plan; bytes per row from a sample encoded as `fmt`.

    Args:
        plan: the sector's plan.
        fmt: a registered landing format name (`json`, `csv`, `parquet`, `delta`).
        scale: the run's multiplier of every `num_rows` (> 0).
        seed, start_us: the run's seed and cycle-0 start (microseconds since the epoch), so the
            sample is the start of what the run writes.

    Raises:
        ValueError: `fmt` is not a registered format.
    """
    # A table format's size is that of the data files its commits add (Delta: Parquet).
    file_format = get_format(get_format(fmt).data_format)
    largest = max((t.spec.num_rows for t in plan.tables), default=1)
    sample_scale = min(1.0, SAMPLE_ROWS_LIMIT / max(largest, 1))
    # The sample ignores profiles: a table at a quiet hour still has rows to measure.
    sample = RunSettings(seed=seed, start_us=start_us, scale=sample_scale, profiles=False)
    measured = {
        made.name: _bytes_per_row(file_format, data.slice(0, SAMPLE_ROWS))
        for made, data in Session(plan, sample).first_tables()
    }
    return RunEstimate(
        fmt=fmt,
        scale=scale,
        tables=tuple(_table(t, scale, measured.get(t.name, 0.0)) for t in plan.tables),
    )


def _table(table: TablePlan, scale: float, bytes_per_row: float) -> TableEstimate:
    rows = max(1, round(table.spec.num_rows * scale))
    profile = table.spec.profile
    if profile is None or table.kind == "dimension":
        return TableEstimate(table.name, table.kind, rows, bytes_per_row, rows)
    average = round(table.spec.num_rows * scale * mean_factor(profile))
    peak = math.ceil(table.spec.num_rows * scale * peak_factor(profile))
    return TableEstimate(table.name, table.kind, average, bytes_per_row, peak)


def _bytes_per_row(file_format, table: pa.Table) -> float:
    if table.num_rows == 0:
        return 0.0
    buffer = io.BytesIO()
    writer = file_format.open(buffer, table.schema)
    for batch in table.to_batches():
        writer.write(batch)
    writer.close()
    return buffer.tell() / table.num_rows

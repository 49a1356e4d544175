"""How much a run writes: rows and bytes per table, once for the dimensions and then per cycle.

Row counts follow the plan and the scale exactly. Bytes per row are measured, not guessed: the first
rows of each table are made by the engine and encoded in the chosen format in memory (Delta stores
Parquet files, so it is measured as Parquet). The estimate is what the app shows before Start and
what it checks against the free space of a local destination.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pyarrow as pa

from streamforge.engine.session import Session
from streamforge.engine.settings import RunSettings
from streamforge.plan import Plan
from streamforge.sinks.formats import get_format

SAMPLE_ROWS = 1_000  # rows encoded per table to measure its bytes per row
SAMPLE_ROWS_LIMIT = 20_000  # a sector is sampled at a scale that keeps its largest table under this


@dataclass(frozen=True, slots=True)
class TableEstimate:
    name: str
    kind: str  # dimension | fact | change_feed
    rows: int  # dimension: rows in total; fact / change feed: rows per cycle, at the scale asked
    bytes_per_row: float  # measured on the encoded sample


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
    file_format = get_format("parquet" if fmt == "delta" else fmt)
    wanted = RunSettings(seed=seed, start_us=start_us, scale=scale)
    largest = max((t.spec.num_rows for t in plan.tables), default=1)
    sample_scale = min(1.0, SAMPLE_ROWS_LIMIT / max(largest, 1))
    session = Session(plan, RunSettings(seed=seed, start_us=start_us, scale=sample_scale))
    measured = {
        made.name: _bytes_per_row(file_format, data.slice(0, SAMPLE_ROWS))
        for made, data in session.first_tables()
    }
    return RunEstimate(
        fmt=fmt,
        scale=scale,
        tables=tuple(
            TableEstimate(t.name, t.kind, wanted.rows(t), measured.get(t.name, 0.0))
            for t in plan.tables
        ),
    )


def _bytes_per_row(file_format, table: pa.Table) -> float:
    if table.num_rows == 0:
        return 0.0
    buffer = io.BytesIO()
    writer = file_format.open(buffer, table.schema)
    for batch in table.to_batches():
        writer.write(batch)
    writer.close()
    return buffer.tell() / table.num_rows

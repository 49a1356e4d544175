"""What any chunk of one table's batch is made from (`BatchRequest`), what it gives (`Chunk`), and
each column's context within a chunk: its random streams, row positions and the row it is in."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from streamforge.engine.context import ColumnContext, RowSource
from streamforge.engine.key_time import KeyBirths
from streamforge.engine.late_rows import LateShare
from streamforge.engine.load_profile import EventClock
from streamforge.engine.seeding import VALUES, chunk_bounds, rng_for, stable_rng
from streamforge.engine.shared_draws import remember
from streamforge.plan import TablePlan
from streamforge.spec.locales import DEFAULT_LOCALE
from streamforge.spec.model import TableSpec

if TYPE_CHECKING:
    from streamforge.engine.versions import Versions


@dataclass(frozen=True, slots=True)
class Chunk:
    batch: pa.RecordBatch
    anomalies: Mapping[str, int]  # column -> rows pushed outside its rule
    anomalous_rows: int  # rows with at least one anomaly
    faults: Mapping[str, int] = field(default_factory=dict)  # late / duplicate / out_of_order


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """Everything needed to make any chunk of one table's batch, in any order, on any worker."""

    table: TablePlan
    seed: int
    cycle: int
    rows: int
    first_key: int  # key of the batch's first row (1 for a dimension)
    window: tuple[int, int]
    history: tuple[int, int]
    live: Mapping[str, np.ndarray]  # entity -> live keys, for foreign keys
    # entity -> its live keys by birth, for entities with keys born during the run
    births: Mapping[str, KeyBirths] = field(default_factory=dict)
    clock: EventClock | None = None  # the table's `profile:` over `window` (None: even spread)
    # dimension -> the looked-up columns' versions, for point-in-time lookups (engine/versions.py)
    lookups: Mapping[str, Versions] = field(default_factory=dict)
    # A profiled fact with `late_rate`: which rows of the batch are late, from which cycle
    late: LateShare | None = None
    # Running totals (engine/running.py): column -> its value per row of the batch, by drawn
    # position; None while `draft` (the pass that finds what the totals add up).
    running: Mapping[str, pa.Array] | None = None
    draft: bool = False

    @property
    def chunk_count(self) -> int:
        return len(chunk_bounds(self.rows))


def column_context(
    req: BatchRequest,
    col: str,
    lo: int,
    hi: int,
    chunk: int,
    positions: tuple[np.ndarray, np.ndarray] | None = None,
) -> ColumnContext:
    """`positions`: the chunk's (batch_position, row_index), shared by its columns (read-only)."""
    position, row_index = positions or chunk_positions(req, lo, hi)
    row = RowSource(
        table=row_spec(req.table),
        context=lambda other: column_context(req, other, lo, hi, chunk, positions),
        stream=lambda entity: rng_for(
            req.seed, req.table.name, req.cycle, chunk, f"entity:{entity}", VALUES
        ),
        shared=lambda name, make: remember(
            (req.seed, req.table.name, hash(req.table.spec), req.cycle, chunk, lo, hi, name), make
        ),
    )
    return ColumnContext(
        rng_source=functools.partial(rng_for, req.seed, req.table.name, req.cycle, chunk, col),
        stable_source=functools.partial(stable_rng, req.seed, req.table.name, col),
        rows=hi - lo,
        row_index=row_index,
        batch_position=position,
        batch_rows=req.rows,
        window=req.window,
        history=req.history,
        event_time=req.table.kind != "dimension",
        row=row,
        clock=req.clock,
        locale=req.table.spec.locale or DEFAULT_LOCALE,
    )


def row_spec(table: TablePlan) -> TableSpec:
    """The spec whose columns describe one row: a change feed that tracks a dimension may
    declare only a few columns, while its after-image carries all of the dimension's; the person
    and place fields must see those (else an INSERT's first name ignored its sex and an UPDATE
    renamed a patient but kept the old e-mail)."""
    if table.feed is None or table.feed.owns_entity:
        return table.spec
    declared = {c.name for c in table.spec.columns}
    extra = tuple(c for c in table.columns if c.name not in declared)
    return replace(table.spec, columns=table.spec.columns + extra) if extra else table.spec


def chunk_positions(req: BatchRequest, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's index in its batch and its run-wide row number, made once per chunk: two
    fresh 512 KiB arrays per column were ~15% of making a 6-column fact chunk. Read-only, as
    every column sees the same arrays."""
    position = np.arange(lo, hi, dtype=np.int64)
    row_index = req.first_key - 1 + position
    position.flags.writeable = row_index.flags.writeable = False
    return position, row_index

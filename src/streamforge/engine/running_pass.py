"""The two passes of a batch with running totals (engine/running.py holds the rule).

The draft pass makes each chunk with only the drawn columns the totals add up (plus the primary
key, event time and foreign keys, which event-time faults and keys in time move together) and the
computed columns those need, no checks; `with_running` orders and sums its rows and hands the
values to the real pass in the request, which puts them in by primary key. The change rows that
post a new start value are recorded here too, as a change feed's batch is made.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from streamforge.engine.running import (
    Totals,
    ledger,
    posted,
    running_columns,
    start_of,
    total_name,
    zeros,
)
from streamforge.expr.rowrefs import columns
from streamforge.plan.columns import table_schema

if TYPE_CHECKING:
    from streamforge.engine.computation import Computation, Stage
    from streamforge.engine.rows import BatchRequest
    from streamforge.engine.state import RunState
    from streamforge.plan import TablePlan
    from streamforge.spec.model import ColumnSpec


def with_running(req: BatchRequest, state: RunState, workers: int) -> BatchRequest:
    """`req` with its running totals: a draft pass over the batch finds what they add up,
    `ledger` orders and sums it; the totals carry on in `state`."""
    from streamforge.engine.rows import iter_chunks

    parts = [chunk.batch for chunk in iter_chunks(replace(req, draft=True), workers)]
    values = {}
    for col in running_columns(req.table):
        start = start_of(req.table, col)
        postings = state.postings.get(total_name(*start)) if start else None
        name = total_name(req.table.name, col.name)
        if not parts:
            values[col.name] = pa.nulls(0, table_schema(req.table).field(col.name).type)
            continue
        totals = state.totals.get(name, Totals.empty())
        drafts = pa.Table.from_batches(parts)
        values[col.name], totals = ledger(req, col, drafts, postings, totals)
        state.totals[name] = totals.kept(postings)
    return replace(req, running=values)


def record_postings(
    state: RunState,
    entity: str,
    starts: tuple[str, ...],
    batch: pa.RecordBatch,
    roles_columns: tuple[str, str, str],
    horizon: int,
) -> None:
    """The change rows of `entity` that post a new value of each start column, then the
    postings no row can read any more (replaced at or before `horizon`) forgotten.
    `roles_columns`: the feed's (entity key, change timestamp, change type) columns."""
    from streamforge.engine.key_time import micros_of

    key, stamp, kind = roles_columns
    keys = batch.column(key).to_numpy().astype(np.int64)
    stamps, _ = micros_of(batch.column(stamp))
    ops = batch.column(kind).to_numpy(zero_copy_only=False)
    images = pa.Table.from_batches([batch])
    for column in starts:
        name = total_name(entity, column)
        state.postings[name] = posted(state.postings[name], keys, stamps, ops, images).pruned(
            horizon
        )


def running_values(req: BatchRequest, col: ColumnSpec, rows: pa.Table) -> pa.Array:
    """The running total of each row, from the request by primary key (zeros in the draft)."""
    if req.running is None:
        return zeros(col, rows.num_rows)
    assert req.table.primary_key is not None
    keys = rows.column(req.table.primary_key).combine_chunks().cast(pa.int64()).to_numpy()
    return req.running[col.name].take(pa.array(keys - req.first_key))


def draft_columns(table: TablePlan, comp: Computation) -> list[str]:
    """Primary key, event time and each total's key and summed column."""
    names = [table.primary_key, table.event_time]
    for col in comp.running:
        assert col.running is not None
        names += [col.running.by, col.running.sum]
    return list(dict.fromkeys(n for n in names if n is not None))


def _summed(comp: Computation) -> set[str]:
    """Every column the running totals' summed columns are computed from, themselves included."""
    computed = {c.name: c for stage in comp.stages for level in stage for c in level}
    needed: set[str] = set()
    todo = [c.running.sum for c in comp.running if c.running is not None]
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo += list(columns(computed[name].expr or "")) if name in computed else []
    return needed


def draft_drawn(table: TablePlan, comp: Computation) -> tuple[ColumnSpec, ...]:
    """The drawn columns the draft pass makes: what the totals add up, the primary key, the event
    time and every foreign key (event-time faults and keys in time move them together). Each
    column is drawn from its own stream, so these come out as in the whole row."""
    keep = _summed(comp) | set(table.foreign_keys) | {table.primary_key, table.event_time}
    return tuple(c for c in comp.drawn if c.name in keep)


def draft_stages(comp: Computation) -> tuple[Stage, ...]:
    """The stages cut to the computed columns the summed columns need."""
    needed = _summed(comp)
    cut = (tuple(tuple(c for c in level if c.name in needed) for level in s) for s in comp.stages)
    kept = (tuple(level for level in stage if level) for stage in cut)
    return tuple(stage for stage in kept if stage)

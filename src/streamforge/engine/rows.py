"""Rows of dimensions and facts, chunk by chunk: each chunk is a pure function of its request."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import replace

import numpy as np
import pyarrow as pa

# Chunk, BatchRequest and a column's context live in batch_request.py, a column's values by role
# in key_columns.py; engines, sinks and tests import them from here, beside make_chunk.
from streamforge.engine.batch_request import BatchRequest as BatchRequest
from streamforge.engine.batch_request import Chunk as Chunk
from streamforge.engine.batch_request import chunk_positions as chunk_positions
from streamforge.engine.batch_request import column_context as column_context
from streamforge.engine.batch_request import row_spec as row_spec
from streamforge.engine.computation import computation
from streamforge.engine.computed import finish_chunk
from streamforge.engine.event_faults import apply_event_faults, has_faults
from streamforge.engine.faults import apply_quality
from streamforge.engine.key_columns import fill_column as fill_column
from streamforge.engine.key_columns import parents_below as parents_below
from streamforge.engine.key_time import keep_in_time, micros_of
from streamforge.engine.seeding import KEYS, chunk_bounds, rng_for
from streamforge.plan.columns import column_type, table_schema
from streamforge.threads import GENERATE, POOL


def _early_event_times(
    req: BatchRequest, lo: int, hi: int, chunk: int, positions: tuple[np.ndarray, np.ndarray]
) -> dict[str, pa.Array]:
    """The event-time column of a fact chunk made first, when a foreign key needs it to pick
    keys born by then (a column's values depend only on its own stream, not on the order)."""
    table, event = req.table, req.table.event_time
    if table.kind != "fact" or event is None:
        return {}
    if not any(fk.entity in req.births for fk in table.foreign_keys.values()):
        return {}
    col = next(c for c in table.columns if c.name == event)
    ctx = column_context(req, event, lo, hi, chunk, positions)
    return {event: fill_column(table, col, ctx, req.live, None)}


def make_chunk(req: BatchRequest, chunk: int) -> Chunk:
    """The chunk kernel: rows [lo, hi) of one batch, the chunk's slice of `req.rows`.

    Every value is a pure function of (seed, table, cycle, chunk), so chunks can be made in any
    order, on threads or on Spark executors, and give the same rows.

    Args:
        req: the batch: table plan, seed, cycle, rows in the batch, first row key, event-time
            window (microseconds, UTC), live keys of referenced entities.
        chunk: the chunk's index, 0 <= chunk < len(chunk_bounds(req.rows)).

    Returns:
        A Chunk: an Arrow record batch of the chunk's rows (more or fewer than hi - lo once a
        fact's late and duplicate faults apply), the rows pushed outside each column's rule,
        the rows with any anomaly, and the fault counts (late, duplicate, out_of_order).

    Raises:
        IndexError: `chunk` >= the batch's chunk count.
    """
    lo, hi = chunk_bounds(req.rows)[chunk]
    keys = req.first_key + np.arange(lo, hi, dtype=np.int64)
    arrays: list[pa.Array] = []
    masks: dict[str, np.ndarray] = {}
    comp = computation(req.table)
    # With computed columns, the drawn ones (hidden included) come first; see engine/computed.py.
    columns = req.table.columns if comp is None else comp.drawn
    if req.draft and comp is not None:  # only what the running totals add up (engine/running.py)
        from streamforge.engine.running_pass import draft_drawn

        columns = draft_drawn(req.table, comp)
    schema = pa.schema([pa.field(c.name, column_type(req.table, c)) for c in columns])
    positions = chunk_positions(req, lo, hi)
    early = _early_event_times(req, lo, hi, chunk, positions)
    event_us = micros_of(next(iter(early.values())))[0] if early else None
    for col, target in zip(columns, schema, strict=True):
        ctx = column_context(req, col.name, lo, hi, chunk, positions)
        values = early.get(col.name)
        if values is None:
            values = fill_column(req.table, col, ctx, req.live, keys, req.births, event_us)
        if col.name != req.table.primary_key:
            values, mask = apply_quality(req, col, values, ctx, chunk)
            if mask is not None:
                masks[col.name] = mask
        arrays.append(values.cast(target.type) if values.type != target.type else values)
    batch = pa.RecordBatch.from_arrays(arrays, schema=schema)
    faults: dict[str, int] = {}
    source = np.arange(hi - lo, dtype=np.int64)
    faulted = req.table.kind == "fact" and has_faults(req.table)
    if faulted:
        result = apply_event_faults(
            req.table,
            batch,
            req.seed,
            req.cycle,
            chunk,
            req.window[1] - req.window[0],
            req.late,
            req.rows,
        )
        batch, faults, source = result.batch, result.counts, result.source
        masks = {name: mask[result.source] for name, mask in masks.items()}
    if early:
        rng = rng_for(req.seed, req.table.name, req.cycle, chunk, "", KEYS)
        batch = keep_in_time(req.table, batch, req.births, rng, source, faulted)
    if comp is not None:
        batch, computed_masks = finish_chunk(req, comp, batch, source, chunk, lo, hi, masks)
        masks.update(computed_masks)
    flagged = np.zeros(hi - lo, dtype=bool)
    for mask in masks.values():
        flagged |= mask
    anomalies = {name: int(mask.sum()) for name, mask in masks.items()}
    return Chunk(batch, anomalies, int(flagged.sum()), faults)


def iter_chunks(req: BatchRequest, workers: int = 1) -> Iterator[Chunk]:
    """Chunks in order. With workers > 1, up to `workers` chunks are made ahead on the shared
    pool (numpy and Arrow release the GIL) and at most `workers + 1` are held, so a 50M-row batch
    streams; with 1, each is made on the caller's thread when asked for.

    A dimension's chunk is made column by column (see `_ColumnTasks`), so even its first chunk
    is ready in a fraction of the time and the writer starts early.
    """
    if workers <= 1 or req.chunk_count == 0:
        for index in range(req.chunk_count):
            yield make_chunk(req, index)
        return
    pending: deque[Future[Chunk] | _ColumnTasks] = deque()
    for index in range(req.chunk_count):
        if req.table.kind == "dimension":
            pending.append(_ColumnTasks(req, index))
        else:
            pending.append(POOL.submit(GENERATE, make_chunk, req, index))
        if len(pending) > workers:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class _ColumnTasks:
    """`make_chunk(req, index)` of a dimension, its columns made as separate tasks on the pool.

    Valid because a dimension's chunk is column-separable: each column depends only on its own
    name and the request (facts are not: event-time faults move whole rows). Columns that may be
    anomalous stay in one task, so its count of anomalous rows (rows with at least one anomaly)
    is exact while every other task counts none. Text columns go first: they are the slow ones,
    and starting them early balances the threads.
    """

    def __init__(self, req: BatchRequest, index: int) -> None:
        table = req.table
        if computation(table) is not None:
            # Computed columns need the whole row: one task makes the whole chunk.
            self._parts = [POOL.submit(GENERATE, make_chunk, req, index)]
            self._table = table
            return
        anomalous = tuple(c for c in table.columns if c.anomaly_rate > 0)
        plain = sorted(
            (c for c in table.columns if c.anomaly_rate <= 0), key=lambda c: c.type != "string"
        )
        groups = [(c,) for c in plain] + ([anomalous] if anomalous else [])
        self._table = table
        self._parts = [
            POOL.submit(
                GENERATE, make_chunk, replace(req, table=replace(table, columns=group)), index
            )
            for group in groups
        ]

    def result(self) -> Chunk:
        parts = [future.result() for future in self._parts]
        made = {name: part.batch.column(name) for part in parts for name in part.batch.schema.names}
        schema = table_schema(self._table)
        batch = pa.RecordBatch.from_arrays([made[name] for name in schema.names], schema=schema)
        anomalies = {name: count for part in parts for name, count in part.anomalies.items()}
        # Dimensions take no event-time faults, so no part has any to add up.
        return Chunk(batch, anomalies, sum(part.anomalous_rows for part in parts))

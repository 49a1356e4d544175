"""Rows of dimensions and facts, chunk by chunk: each chunk is a pure function of its request."""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from streamforge.engine.computation import computation
from streamforge.engine.computed import finish_chunk
from streamforge.engine.context import ColumnContext, RowSource
from streamforge.engine.event_faults import apply_event_faults, has_faults
from streamforge.engine.faults import apply_quality
from streamforge.engine.generators import generate_values
from streamforge.engine.generators.age_bounds import person_age
from streamforge.engine.key_time import KeyBirths, draw_born_before, keep_in_time, micros_of
from streamforge.engine.late_rows import LateShare
from streamforge.engine.load_profile import EventClock
from streamforge.engine.seeding import KEYS, VALUES, chunk_bounds, rng_for, stable_rng
from streamforge.engine.shared_draws import remember
from streamforge.plan import TablePlan
from streamforge.plan.columns import column_type, table_schema
from streamforge.spec.locales import DEFAULT_LOCALE
from streamforge.spec.model import ColumnSpec, TableSpec
from streamforge.threads import GENERATE, POOL

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


def foreign_key_values(
    table: TablePlan,
    col: ColumnSpec,
    ctx: ColumnContext,
    live: Mapping[str, np.ndarray],
    own_keys: np.ndarray | None,
    births: Mapping[str, KeyBirths] | None = None,
    event_us: np.ndarray | None = None,
) -> pa.Array:
    """Values drawn only from keys that are live now, so no foreign key is ever an orphan; with
    `event_us`, only from keys born by each row's event time (DESIGN §4, keys in time)."""
    fk = table.foreign_keys[col.name]
    if own_keys is not None and fk.entity == table.name:
        # A self-reference points at an earlier row (key 1 is the root): a hierarchy, never a loop.
        parent = 1 + np.floor(ctx.rng.random(ctx.rows) * (own_keys - 1)).astype(np.int64)
        return pa.array(parent, pa.int64(), mask=own_keys <= 1)
    keys = live[fk.entity]
    if len(keys) == 0:
        return pa.nulls(ctx.rows, pa.int64())
    timed = births.get(fk.entity) if births and event_us is not None else None
    if timed is not None and event_us is not None and timed.latest > int(event_us.min()):
        zipf = ctx.rng.zipf(col.skew or 1.5, ctx.rows) if col.distribution == "zipf" else None
        uniform = ctx.rng.random(ctx.rows) if zipf is None else None
        return pa.array(draw_born_before(timed, event_us, uniform, zipf), pa.int64())
    if col.distribution == "zipf":
        index = np.mod(ctx.rng.zipf(col.skew or 1.5, ctx.rows) - 1, len(keys))
    else:
        index = ctx.rng.integers(0, len(keys), ctx.rows)
    return pa.array(keys[index], pa.int64())


def parents_below(rng: np.random.Generator, keys: np.ndarray, candidates: np.ndarray) -> pa.Array:
    """A parent for each of `keys` among the sorted `candidates` with a smaller key, else null.

    The key is the node's rank (keys are handed out in insertion order), so every edge points at
    an older node: no key can become its own ancestor, whatever the updates do.
    """
    below = np.searchsorted(candidates, keys)  # how many candidates rank before each key
    pick = np.floor(rng.random(len(keys)) * below).astype(np.int64)
    parent = candidates[np.minimum(pick, len(candidates) - 1)] if len(candidates) else pick
    return pa.array(parent, pa.int64(), mask=below == 0)


def fill_column(
    table: TablePlan,
    col: ColumnSpec,
    ctx: ColumnContext,
    live: Mapping[str, np.ndarray],
    keys: np.ndarray | None,
    births: Mapping[str, KeyBirths] | None = None,
    event_us: np.ndarray | None = None,
) -> pa.Array:
    """One column of a chunk by its role: key, sequential id, foreign key, or plain value."""
    if keys is not None and (col.name == table.primary_key or col.name in table.sequential):
        return pa.array(keys, pa.int64())
    if col.name in table.foreign_keys:
        own = keys if table.kind == "dimension" else None
        return foreign_key_values(table, col, ctx, live, own, births, event_us)
    return generate_values(person_age(col, ctx), ctx)


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

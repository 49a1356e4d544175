"""One batch of a change feed (DESIGN §5), and the entity state it leaves behind.

Each key is touched at most once per batch, so every after-image differs from the previous image in
exactly the fields `changed_fields` names, and replaying batches in order rebuilds the state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.faults import apply_quality
from streamforge.engine.rows import BatchRequest, Chunk, column_context, fill_column, table_schema
from streamforge.engine.seeding import ROWS, rng_for
from streamforge.engine.state import EntityState, FeedState

INSERT, UPDATE, DELETE = 0, 1, 2
OP_NAMES = np.array(["INSERT", "UPDATE", "DELETE"])


@dataclass(frozen=True, slots=True)
class FeedBatch:
    chunk: Chunk
    entity: EntityState  # the entity after applying this batch
    feed: FeedState


def plan_operations(
    rng: np.random.Generator, rows: int, weights: Mapping[str, float], live: int
) -> np.ndarray:
    """Operation per row, made feasible: deletes at most half the live keys, updates at most the
    keys that are left, and the rest inserts (so a feed's first batch inserts everything)."""
    names = ("INSERT", "UPDATE", "DELETE")
    p = np.array([weights.get(n, 0.0) for n in names], dtype=np.float64)
    ops = rng.choice(3, size=rows, p=p / p.sum()).astype(np.int8)
    deletes = np.flatnonzero(ops == DELETE)
    ops[deletes[live // 2 :]] = UPDATE if live > 1 else INSERT
    remaining = live - min(len(deletes), live // 2)
    updates = np.flatnonzero(ops == UPDATE)
    ops[updates[remaining:]] = INSERT
    return ops


def change_batch(req: BatchRequest, entity: EntityState, feed_state: FeedState) -> FeedBatch:
    table = req.table
    roles = table.feed
    assert roles is not None and entity.table is not None
    rows = req.rows
    rng = rng_for(req.seed, table.name, req.cycle, 0, "", ROWS)
    ops = plan_operations(rng, rows, dict(roles.operations), len(entity.keys))
    is_ins, is_upd, is_del = ops == INSERT, ops == UPDATE, ops == DELETE
    # Distinct existing keys for deletes and updates, fresh keys for inserts.
    touched = rng.permutation(len(entity.keys))[: int(is_upd.sum() + is_del.sum())]
    position = np.zeros(rows, dtype=np.int64)
    position[is_del] = touched[: int(is_del.sum())]
    position[is_upd] = touched[int(is_del.sum()) :]
    keys = entity.keys[position]
    keys[is_ins] = entity.next_key + np.arange(int(is_ins.sum()), dtype=np.int64)

    attrs = [a.name for a in roles.attributes]
    changed = rng.random((rows, len(attrs))) < min(1.0, 1.5 / max(len(attrs), 1))
    if attrs:
        changed[np.arange(rows), rng.integers(0, len(attrs), rows)] = True
    changed[is_ins] = True
    changed[is_del] = False

    old = entity.table.take(pa.array(position)) if len(entity.table) else None
    columns: dict[str, pa.Array] = {}
    anomalies: dict[str, int] = {}
    flagged = np.zeros(rows, dtype=bool)
    schema = table_schema(table)
    for col in table.columns:
        ctx = column_context(req, col.name, 0, rows, 0)
        if col.name == roles.entity_key:
            values = pa.array(keys, pa.int64())
        elif col.name == roles.type_column:
            values = pa.array(OP_NAMES[ops], pa.string())
        elif col.name == roles.timestamp_column:
            values = _change_times(rng, rows, req.window, feed_state.last_change_us)
        elif col.name in roles.sequence_columns:
            values = pa.array(feed_state.next_sequence + np.arange(rows), pa.int64())
        elif col.name == roles.changed_fields_column:
            values = _changed_fields(changed, attrs)
        elif col.name == table.primary_key:
            values = pa.array(req.first_key + np.arange(rows), pa.int64())
        else:
            values = fill_column(table, col, ctx, req.live, None)
            values, mask = apply_quality(req, col, values, ctx, 0)
            if col.name in attrs and old is not None:
                take_new = changed[:, attrs.index(col.name)]
                previous = old[col.name].combine_chunks()
                values = pc.if_else(pa.array(take_new), values.cast(previous.type), previous)
                mask = None if mask is None else mask & take_new
            if mask is not None:
                anomalies[col.name], flagged = int(mask.sum()), flagged | mask
        columns[col.name] = values
    arrays = [columns[f.name].cast(f.type) for f in schema]
    batch = pa.RecordBatch.from_arrays(arrays, schema=schema)
    stamps = columns[roles.timestamp_column]
    last = int(pc.max(stamps).cast(pa.int64()).as_py()) if rows else feed_state.last_change_us
    new_feed = FeedState(feed_state.next_sequence + rows, last)
    return FeedBatch(
        Chunk(batch, anomalies, int(flagged.sum())),
        apply_changes(entity, batch, roles.entity_key, roles.type_column),
        new_feed,
    )


def apply_changes(
    entity: EntityState, batch: pa.RecordBatch, key: str, type_column: str
) -> EntityState:
    """The entity after a batch: what a SCD1 `AUTO CDC` with deletes computes, done with Arrow."""
    assert entity.table is not None
    current = entity.table
    ops = batch.column(type_column).to_numpy(zero_copy_only=False)
    keys = batch.column(key).to_numpy()
    images = pa.Table.from_batches([batch]).select(current.column_names)
    index = np.arange(len(current), dtype=np.int64)
    upd = np.flatnonzero(ops == "UPDATE")
    index[np.searchsorted(entity.keys, keys[upd])] = len(current) + upd
    keep = np.ones(len(current), dtype=bool)
    keep[np.searchsorted(entity.keys, keys[ops == "DELETE"])] = False
    merged = pa.concat_tables([current, images.cast(current.schema)]).take(pa.array(index[keep]))
    inserts = images.filter(pa.array(ops == "INSERT")).cast(current.schema)
    table = pa.concat_tables([merged, inserts]).combine_chunks()
    new_keys = table.column(key).to_numpy().astype(np.int64)
    next_key = max(entity.next_key, int(new_keys.max(initial=0)) + 1)
    return EntityState(entity.key, new_keys, next_key, table)


def _change_times(
    rng: np.random.Generator, rows: int, window: tuple[int, int], last: int
) -> pa.Array:
    """Strictly increasing microseconds inside the window, after the feed's previous change."""
    start = max(window[0], last + 1)
    span = max(window[1] - start, rows + 1)
    base = np.sort(rng.integers(0, span - rows, rows)) + np.arange(rows)
    return pa.array(start + base, pa.int64()).cast(pa.timestamp("us", tz="UTC"))


def _changed_fields(changed: np.ndarray, attrs: list[str]) -> pa.Array:
    _, cols = np.nonzero(changed)
    offsets = np.concatenate([[0], np.cumsum(changed.sum(axis=1))]).astype(np.int32)
    names = (
        pa.array(attrs, pa.string()).take(pa.array(cols)) if attrs else pa.array([], pa.string())
    )
    return pa.ListArray.from_arrays(pa.array(offsets), names)

"""One batch of a change feed (DESIGN §5), and the entity state it leaves behind.

Each key is touched at most once per batch, so every after-image differs from the previous image in
exactly the fields `changed_fields` names, and replaying batches in order rebuilds the state.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.computed import compute_images
from streamforge.engine.faults import apply_quality
from streamforge.engine.feed_checks import judge_after_images
from streamforge.engine.feed_moves import follow_moves, german_move, moved_rows, place_phones
from streamforge.engine.generators.person import follows_name
from streamforge.engine.generators.phone import german_landlines
from streamforge.engine.generators.row_fields import is_free_text, row_fields
from streamforge.engine.generators.text import category_column, text_kind
from streamforge.engine.key_time import KeyBirths, micros_of
from streamforge.engine.load_profile import EventClock, event_clock
from streamforge.engine.rows import (
    BatchRequest,
    Chunk,
    column_context,
    fill_column,
    parents_below,
    row_spec,
)
from streamforge.engine.rules import broken_rows
from streamforge.engine.seeding import ROWS, rng_for, stable_rng
from streamforge.engine.state import EntityState, FeedState
from streamforge.engine.unique import check_room
from streamforge.plan import TablePlan
from streamforge.plan.columns import table_schema
from streamforge.plan.rules import column_rules
from streamforge.spec.model import ColumnSpec

INSERT, UPDATE, DELETE = 0, 1, 2
OP_NAMES = np.array(["INSERT", "UPDATE", "DELETE"])


@dataclass(frozen=True, slots=True)
class FeedBatch:
    chunk: Chunk
    entity: EntityState  # the entity after applying this batch
    feed: FeedState


def plan_operations(
    rng: np.random.Generator,
    rows: int,
    weights: Mapping[str, float],
    live: int,
    deletable: int,
) -> np.ndarray:
    """Operation per row, made feasible: deletes at most half the live keys (and only keys nothing
    else references), updates at most the keys left; the rest become inserts, or updates when
    the feed allows no inserts (so a feed's first batch inserts everything)."""
    names = ("INSERT", "UPDATE", "DELETE")
    p = np.array([weights.get(n, 0.0) for n in names], dtype=np.float64)
    ops = rng.choice(3, size=rows, p=p / p.sum()).astype(np.int8)
    deletes = np.flatnonzero(ops == DELETE)
    allowed = min(deletable, live // 2)
    can_update = weights.get("UPDATE", 0.0) > 0 and live > allowed
    ops[deletes[allowed:]] = UPDATE if can_update else INSERT
    remaining = live - min(len(deletes), allowed)
    updates = np.flatnonzero(ops == UPDATE)
    ops[updates[remaining:]] = INSERT
    return ops


def change_batch(
    req: BatchRequest,
    entity: EntityState,
    feed_state: FeedState,
    protected: np.ndarray | None = None,
) -> FeedBatch:
    """`protected`: live keys that other rows still reference, so they are never deleted."""
    table = req.table
    roles = table.feed
    assert roles is not None and entity.table is not None
    rows = req.rows
    rng = rng_for(req.seed, table.name, req.cycle, 0, "", ROWS)
    live = entity.keys
    deletable = live if protected is None else np.setdiff1d(live, protected, assume_unique=True)
    ops = plan_operations(rng, rows, dict(roles.operations), len(live), len(deletable))
    is_ins, is_upd, is_del = ops == INSERT, ops == UPDATE, ops == DELETE
    # Distinct keys: deletes among the deletable ones, updates among the rest, inserts fresh.
    doomed = rng.permutation(deletable)[: int(is_del.sum())]
    rest = np.setdiff1d(live, doomed, assume_unique=True)
    keys = np.zeros(rows, dtype=np.int64)
    keys[is_del] = doomed
    keys[is_upd] = rng.permutation(rest)[: int(is_upd.sum())]
    keys[is_ins] = entity.next_key + np.arange(int(is_ins.sum()), dtype=np.int64)
    if rows:  # unique attributes are numbered by entity key: the new keys must have values left
        check_room(table, int(keys.max()) - 1, req.cycle)
    position = np.where(is_ins, 0, np.searchsorted(live, keys))

    attrs = list(roles.attributes)
    # Unique attributes (identifiers) keep their value on UPDATE, so they stay unique; a unique
    # e-mail or user name is the name's and the key's, so a rename may rebuild it.
    # Computed attributes (expr) follow their inputs: they change when those do, never by draw.
    # A person's sex, age and birth date are facts of the person: a rename keeps them.
    facts = _person_facts(table, attrs)
    mutable = np.array(
        [
            (not a.unique or follows_name(a)) and a.expr is None and a.name not in facts
            for a in attrs
        ],
        dtype=bool,
    )
    # A place's phone changes with its place only (its area code is the place's, feed_moves.py).
    phones = place_phones(row_spec(table), attrs, mutable)
    phone_names = {attrs[p.phone].name for p in phones}
    alone = mutable & ~np.isin(np.arange(len(attrs)), [p.phone for p in phones])
    wanted = rng.random((rows, len(attrs))) < min(1.0, 1.5 / max(int(alone.sum()), 1))
    if alone.any():
        choice = rng.choice(np.flatnonzero(alone), rows)
        wanted[np.arange(rows), choice] = True
    wanted &= alone
    landlines: dict[str, pa.Array | None] = {}  # de_DE: what a moved landline becomes

    # Made before the columns: a foreign key names only keys born by its row's change time.
    stamps = _change_times(rng, rows, req.window, feed_state.last_change_us, req.clock)
    stamp_us, _ = micros_of(stamps)
    old = entity.table.take(pa.array(position)) if len(entity.table) else None
    columns: dict[str, pa.Array] = {}
    fresh: dict[str, pa.Array] = {}
    # The person facts first: an UPDATE keeps the old image's, an INSERT draws them, and the
    # name fields drawn below read them (a renamed woman gets a woman's first name).
    known: dict[str, pa.Array] = {}
    ordered = sorted(table.columns, key=lambda c: c.name not in facts)
    for col in ordered:
        ctx = column_context(req, col.name, 0, rows, 0)
        if known and ctx.row is not None:
            ctx = dataclasses.replace(ctx, row=dataclasses.replace(ctx.row, known=known))
        if col.name in {a.name for a in attrs}:
            # Unique values follow the key, with the dimension's own permutation, so a new row
            # never repeats a value the dimension already has.
            source = table.name if roles.owns_entity else roles.entity
            ctx = dataclasses.replace(
                ctx,
                row_index=keys - 1,
                stable_source=functools.partial(stable_rng, req.seed, source, col.name),
            )
        if col.name == roles.entity_key:
            columns[col.name] = pa.array(keys, pa.int64())
        elif col.name == roles.type_column:
            columns[col.name] = pa.array(OP_NAMES[ops], pa.string())
        elif col.name == roles.timestamp_column:
            columns[col.name] = stamps
        elif col.name in roles.sequence_columns:
            columns[col.name] = pa.array(feed_state.next_sequence + np.arange(rows), pa.int64())
        elif col.name == table.primary_key:
            columns[col.name] = pa.array(req.first_key + np.arange(rows), pa.int64())
        elif _is_hierarchy(table, col.name):
            # A parent is a key that survives this batch and ranks before the row's key.
            values = parents_below(ctx.rng, keys, rest)
            fresh[col.name], _ = apply_quality(req, col, values, ctx, 0)
        elif col.name != roles.changed_fields_column:
            values = fill_column(table, col, ctx, req.live, None, req.births, stamp_us)
            values = _none_born_yet(table, col.name, values, req.births, stamp_us)
            fresh[col.name], _ = apply_quality(req, col, values, ctx, 0)
            if col.name in phone_names and ctx.locale == "de_DE":
                landlines[col.name] = german_landlines(col, ctx)
            if col.name in facts:
                if old is not None:
                    previous = old[col.name].combine_chunks()
                    drawn = fresh[col.name].cast(previous.type)
                    fresh[col.name] = pc.if_else(pa.array(is_ins), drawn, previous)
                known[col.name] = fresh[col.name]
    # An attribute counts as changed only if its value really differs from the old image.
    changed = np.zeros((rows, len(attrs)), dtype=bool)
    for j, attr in enumerate(attrs):
        if old is None:
            changed[:, j] = True
            continue
        previous = old[attr.name].combine_chunks()
        new = fresh[attr.name].cast(previous.type)
        fresh[attr.name], old_values = new, previous
        changed[:, j] = _differs(new, old_values)
    final = (wanted & changed) if old is not None else changed
    if old is not None and attrs:
        # An UPDATE whose wished-for changes all drew the old value: change another attribute.
        empty = is_upd & ~final.any(axis=1) & (changed & alone).any(axis=1)
        fallback = np.argmax(changed & alone, axis=1)
        final[np.flatnonzero(empty), fallback[empty]] = True
    # A person or a place changes whole (a move changes address, city, state, zip and
    # coordinates): the fresh draws of one entity agree, so take all of them or none.
    for group in _entity_groups(table, attrs):
        touched = final[:, group].any(axis=1, keepdims=True)
        final[:, group] |= touched & changed[:, group]
    if old is not None:
        for phone in phones:  # a phone of a moved place follows it (feed_moves.py)
            name = attrs[phone.phone].name
            if name in landlines:
                previous = old[name].combine_chunks()
                rows_moved = moved_rows(final, phone) & is_upd
                fresh[name] = german_move(previous, fresh[name], landlines[name], rows_moved)
                changed[:, phone.phone] = _differs(fresh[name], previous)
        follow_moves(final, changed, phones)
    final[is_ins] = True
    final[is_del] = False
    for j, attr in enumerate(attrs):
        if old is not None:
            previous = old[attr.name].combine_chunks()
            fresh[attr.name] = pc.if_else(pa.array(final[:, j]), fresh[attr.name], previous)
    columns.update(fresh)
    if any(a.expr is not None for a in attrs):
        after = compute_images(req, attrs, columns, rows)
        for j, attr in enumerate(attrs):
            if attr.name in after:
                new = after[attr.name].cast(columns[attr.name].type)
                if old is not None:
                    moved = _differs(new, columns[attr.name]) | _differs(new, old[attr.name])
                    final[:, j] = (moved & ~is_del) | is_ins
                columns[attr.name] = new
    if roles.changed_fields_column:
        columns[roles.changed_fields_column] = _changed_fields(final, [a.name for a in attrs])
    anomalies, flagged = _count_anomalies(table, columns, rows)
    if roles.dimension is not None and roles.dimension.checks:
        # Counted like the dimension counts them: a check's failures, each one asked for.
        failing = judge_after_images(
            roles.dimension, columns, old, is_ins, flagged, req.cycle, table.name
        )
        anomalies.update({name: int(mask.sum()) for name, mask in failing.items() if mask.any()})
        for mask in failing.values():
            flagged |= mask
    schema = table_schema(table)
    batch = pa.RecordBatch.from_arrays(
        [columns[f.name].cast(f.type) for f in schema], schema=schema
    )
    last = int(pc.max(stamps).cast(pa.int64()).as_py()) if rows else feed_state.last_change_us
    return FeedBatch(
        Chunk(batch, anomalies, int(flagged.sum())),
        apply_changes(entity, batch, roles.entity_key, roles.type_column, roles.timestamp_column),
        FeedState(feed_state.next_sequence + rows, last),
    )


def _person_facts(table: TablePlan, attrs: list[ColumnSpec]) -> frozenset[str]:
    """Attributes that are facts of a person rather than of its name: sex/gender, age, birth
    date. A rename is a name change, not a new person, so an UPDATE never redraws them."""
    fields = row_fields(row_spec(table))
    names = {a.name for a in attrs if not a.unique and a.expr is None}
    return frozenset(
        col.name
        for links in fields.links.values()
        for kind, col in links.items()
        if kind in ("gender", "age", "birth") and col.name in names
    )


def _entity_groups(table: TablePlan, attrs: list[ColumnSpec]) -> list[np.ndarray]:
    """Attribute positions per person or place of the row: a person's name fields with its
    company (whose domain a work e-mail follows); a place's fields all together."""
    fields = row_fields(row_spec(table))
    position = {
        a.name: j
        for j, a in enumerate(attrs)
        if (not a.unique or follows_name(a)) and a.expr is None
    }
    people = [
        [*cols.values(), *(c for k, c in fields.links.get(entity, {}).items() if k == "company")]
        for entity, cols in fields.people.items()
    ]
    # A product's name is drawn from its department's vocabulary (a part's description from its
    # material): a new department brings a name from it, a new name keeps its department.
    entity = table.feed.entity if table.feed is not None else table.name
    named = [
        [c, category]
        for c in attrs
        if is_free_text(c)
        and (kind := text_kind(c.name, entity)) is not None
        and (category := category_column(row_spec(table), c.name, kind)) is not None
    ]
    groups = []
    for cols in [*people, *(list(c.values()) for c in fields.places.values()), *named]:
        names = [c.name for c in cols]
        group = sorted({position[n] for n in names if n in position})
        if len(group) > 1:
            groups.append(np.array(group, dtype=np.intp))
    return groups


def _is_hierarchy(table: TablePlan, column: str) -> bool:
    """A column that points at the feed's own entity (`parent_id`): its values keep a forest."""
    fk = table.foreign_keys.get(column)
    return table.feed is not None and fk is not None and fk.entity == table.feed.entity


def _none_born_yet(
    table: TablePlan,
    column: str,
    values: pa.Array,
    births: Mapping[str, KeyBirths],
    stamp_us: np.ndarray,
) -> pa.Array:
    """A change row stamped before the first key of the entity it references was born names no
    key (null): its time cannot move, for change timestamps strictly increase along the feed."""
    fk = table.foreign_keys.get(column)
    known = births.get(fk.entity) if fk is not None else None
    if known is None or known.old:
        return values
    unborn = known.born_by(stamp_us) == 0
    if not unborn.any():
        return values
    return pc.if_else(pa.array(unborn), pa.nulls(len(values), values.type), values)


def _differs(new: pa.Array, old: pa.Array) -> np.ndarray:
    if pa.types.is_nested(new.type):
        return np.array([a != b for a, b in zip(new.to_pylist(), old.to_pylist(), strict=True)])
    unequal = pc.not_equal(new, old)
    one_null = pc.xor(pc.is_null(new), pc.is_null(old))
    return pc.fill_null(unequal, False).to_numpy(zero_copy_only=False) | one_null.to_numpy(
        zero_copy_only=False
    )


def _count_anomalies(
    table: TablePlan, columns: dict[str, pa.Array], rows: int
) -> tuple[dict[str, int], np.ndarray]:
    """Judge the final rows by each column's rule: carried-over old values count too."""
    anomalies: dict[str, int] = {}
    flagged = np.zeros(rows, dtype=bool)
    rules = {r.column.name: r for r in column_rules(table)}
    for col in table.columns:
        if col.anomaly_rate > 0 and col.name in columns and col.name in rules:
            mask = broken_rows(rules[col.name], columns[col.name])
            anomalies[col.name] = int(mask.sum())
            flagged |= mask
    return anomalies, flagged


def apply_changes(
    entity: EntityState,
    batch: pa.RecordBatch,
    key: str,
    type_column: str,
    timestamp_column: str | None = None,
) -> EntityState:
    """The entity after a batch: what a SCD1 `AUTO CDC` with deletes computes, done with Arrow.

    A key inserted here is born at its INSERT's `timestamp_column` (keys in time, DESIGN §4).
    """
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
    born = None
    if timestamp_column is not None:
        stamps, _ = micros_of(batch.column(timestamp_column))
        born = np.concatenate([entity.births()[keep], stamps[ops == "INSERT"]])
    return EntityState(entity.key, new_keys, next_key, table, born)


def _change_times(
    rng: np.random.Generator,
    rows: int,
    window: tuple[int, int],
    last: int,
    clock: EventClock | None = None,
) -> pa.Array:
    """Strictly increasing microseconds inside the window, after the feed's previous change;
    denser in the busier hours of the window when the feed has a `profile:` (its `clock`)."""
    start = max(window[0], last + 1)
    span = max(window[1] - start, rows + 1)
    offsets = np.sort(rng.integers(0, span - rows, rows))
    shaped = event_clock(clock.profile if clock else None, start, start + span - rows)
    if shaped is not None:  # the same draws, through the profile's inverse CDF (monotone)
        offsets = shaped.place(offsets / (span - rows)) - start
    base = offsets + np.arange(rows)
    return pa.array(start + base, pa.int64()).cast(pa.timestamp("us", tz="UTC"))


def _changed_fields(changed: np.ndarray, attrs: list[str]) -> pa.Array:
    _, cols = np.nonzero(changed)
    offsets = np.concatenate([[0], np.cumsum(changed.sum(axis=1))]).astype(np.int32)
    names = (
        pa.array(attrs, pa.string()).take(pa.array(cols)) if attrs else pa.array([], pa.string())
    )
    return pa.ListArray.from_arrays(pa.array(offsets), names)

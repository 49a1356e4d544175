"""A column's values by its role in the table (DESIGN §4): the key or a sequential id, a foreign
key drawn only from live keys (born by the row's event time when that matters; a self-reference
as a forest), or a plain value from its generator."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa

from streamforge.engine.context import ColumnContext
from streamforge.engine.generators import generate_values
from streamforge.engine.generators.age_bounds import person_age
from streamforge.engine.key_time import KeyBirths, draw_born_before
from streamforge.plan import TablePlan
from streamforge.spec.model import ColumnSpec


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

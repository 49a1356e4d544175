"""Data-quality faults injected on purpose: nulls (`null_rate`) and anomalies (`anomaly_rate`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.context import ColumnContext
from streamforge.engine.generators import generator_for
from streamforge.engine.seeding import ANOMALIES, NULLS, rng_for
from streamforge.spec.model import ColumnSpec

if TYPE_CHECKING:
    from streamforge.engine.rows import BatchRequest


def apply_quality(
    req: BatchRequest, col: ColumnSpec, values: pa.Array, ctx: ColumnContext, chunk: int
) -> tuple[pa.Array, np.ndarray | None]:
    """Return the values with nulls and anomalies applied, and the mask of anomalous rows."""
    if col.null_rate > 0:
        rng = rng_for(req.seed, req.table.name, req.cycle, chunk, col.name, NULLS)
        nulls = rng.random(ctx.rows) < col.null_rate
        values = pc.if_else(pa.array(nulls), pa.scalar(None, values.type), values)
    if col.anomaly_rate <= 0:
        return values, None
    rng = rng_for(req.seed, req.table.name, req.cycle, chunk, col.name, ANOMALIES)
    mask = rng.random(ctx.rows) < col.anomaly_rate
    count = int(mask.sum())
    if count == 0:
        return values, mask
    bad_ctx = ColumnContext(
        rng,
        ctx.stable,
        count,
        ctx.row_index[mask],
        ctx.batch_position[mask],
        ctx.batch_rows,
        ctx.window,
        ctx.history,
        ctx.event_time,
        ctx.clock,
        locale=ctx.locale,
    )
    if col.name in req.table.foreign_keys:
        bad = pa.nulls(count, values.type)  # a missing foreign key is the anomaly a key can have
    else:
        bad = generator_for(col).anomalies(col, bad_ctx).cast(values.type)
    broken = _replace_rows(values, mask, bad)
    if col.expr:
        # A computed column's anomaly is a value other than its expression's: a NULL drawn for a
        # row whose expression is NULL anyway (a NULL foreign key) changes nothing, so it is
        # not counted (verify judges such a column by its expression).
        mask = mask & ~_same(values, broken)
    return broken, mask


def _same(a: pa.Array, b: pa.Array) -> np.ndarray:
    if pa.types.is_nested(a.type):
        return np.zeros(len(a), dtype=bool)
    equal = pc.fill_null(pc.equal(a, b), False).to_numpy(zero_copy_only=False)
    both_null = pc.and_(a.is_null(), b.is_null()).to_numpy(zero_copy_only=False)
    return np.asarray(equal | both_null, dtype=bool)


def _replace_rows(values: pa.Array, mask: np.ndarray, bad: pa.Array) -> pa.Array:
    """`values` with the masked rows taken from `bad`, in order.

    Arrow's replace_with_mask has no kernel for lists and maps: those go through one take.
    """
    if not pa.types.is_nested(values.type):
        return pc.replace_with_mask(values, pa.array(mask), bad)
    index = np.arange(len(values), dtype=np.int64)
    index[mask] = len(values) + np.arange(len(bad), dtype=np.int64)
    return pa.concat_arrays([values, bad]).take(pa.array(index))

"""Categories: `values` (+ `weights`) or a pipe-separated `format` such as "RES|COM|IND"."""

from __future__ import annotations

import functools
from decimal import Decimal

import pyarrow as pa

from streamforge.engine.arrow_types import arrow_type
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator, pick
from streamforge.spec.model import NUMERIC_TYPES, ColumnSpec


@functools.lru_cache(maxsize=4096)
def category_pool(col: ColumnSpec) -> pa.Array:
    choices = col.choices or ()
    if col.type == "string":
        return pa.array([str(c) for c in choices], pa.string())
    if col.type == "decimal":  # through text, so 0.1 stays exactly 0.1
        return pa.array([Decimal(str(c)) for c in choices]).cast(arrow_type(col))
    return pa.array(list(choices)).cast(arrow_type(col))


class CategoricalGenerator(ValueGenerator):
    priority = 10

    def matches(self, col: ColumnSpec) -> bool:
        return col.choices is not None and col.type not in ("array", "map")

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        pool = category_pool(col)
        return pool.take(pa.array(pick(ctx.rng, ctx.rows, len(pool), col.weights)))

    def anomalies(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        choices = {str(c) for c in col.choices or ()}
        if col.type == "string":
            outsider = next(v for v in ("UNKNOWN", "INVALID", "N/A", "??") if v not in choices)
            return pa.array([outsider] * ctx.rows, pa.string())
        if col.type in NUMERIC_TYPES:
            top = max(float(c) for c in col.choices or (0,))  # type: ignore[arg-type]
            return pa.array([top + 1] * ctx.rows).cast(arrow_type(col))
        return super().anomalies(col, ctx)

"""Categories: `values` (+ `weights`) or a pipe-separated `format` such as "RES|COM|IND"."""

from __future__ import annotations

import functools
from decimal import Decimal

import numpy as np
import pyarrow as pa

from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator, pick
from streamforge.engine.generators.temporal import micros_to_arrow, to_micros
from streamforge.plan.columns import arrow_type
from streamforge.spec.model import NUMERIC_TYPES, ColumnSpec
from streamforge.spec.number_limits import from_units, to_units, unit_limits


@functools.lru_cache(maxsize=4096)
def category_pool(col: ColumnSpec) -> pa.Array:
    choices = col.choices or ()
    if col.type == "string":
        return pa.array([str(c) for c in choices], pa.string())
    if col.type == "decimal":  # through text, so 0.1 stays exactly 0.1
        return pa.array([Decimal(str(c)) for c in choices]).cast(arrow_type(col))
    if col.type in ("datetime", "date"):  # ISO text or YAML dates; a time without zone is UTC
        return micros_to_arrow(col, np.array([to_micros(str(c)) for c in choices], np.int64))
    if col.type in ("float", "double"):  # a YAML int beyond int64 is still a double
        return pa.array([float(c) for c in choices], pa.float64())  # type: ignore[arg-type]
    return pa.array(list(choices)).cast(arrow_type(col))


def outside_value(col: ColumnSpec) -> object | None:
    """A number of the column's type that is not one of its values, or None if none is left."""
    choices = col.choices or (0,)
    if col.type in ("float", "double"):
        top, bottom = max(map(float, choices)), min(map(float, choices))  # type: ignore[arg-type]
        above, below = np.nextafter(top, np.inf), np.nextafter(bottom, -np.inf)
        return float(above) if np.isfinite(above) else float(below) if np.isfinite(below) else None
    places = col.scale if col.type == "decimal" and col.scale is not None else 0
    units = [to_units(c, places, upward=True) for c in choices]  # type: ignore[arg-type]
    low, high = unit_limits(col.type, col.precision, col.scale)
    pick_units = max(units) + 1 if max(units) < high else min(units) - 1
    if not low <= pick_units <= high:
        return None
    return from_units(pick_units, places) if col.type == "decimal" else pick_units


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
        if col.type in NUMERIC_TYPES and (value := outside_value(col)) is not None:
            return pa.array([value] * ctx.rows).cast(arrow_type(col))
        return super().anomalies(col, ctx)

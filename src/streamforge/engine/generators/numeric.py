"""Numbers: int, long, float, double and decimal, with bounds, distributions and unique values."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from streamforge.engine.arrow_types import arrow_type
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator
from streamforge.spec.model import INTEGER_TYPES, NUMERIC_TYPES, ColumnSpec

# The original tool's defaults: int 1..9999, float 0..1000 with 2 decimals.
DEFAULT_RANGES = {
    "int": (1, 9999),
    "long": (1, 1_000_000_000),
    "float": (0.0, 1000.0),
    "double": (0.0, 1000.0),
    "decimal": (0.0, 1000.0),
}


def bounds(col: ColumnSpec) -> tuple[float, float]:
    low, high = DEFAULT_RANGES[col.type]
    if col.type == "decimal":
        limit = 10.0 ** ((col.precision or 10) - (col.scale or 0)) - 1
        high = min(high, limit)
    lo = float(col.min) if col.min is not None else None  # type: ignore[arg-type]
    hi = float(col.max) if col.max is not None else None  # type: ignore[arg-type]
    if lo is not None and hi is None:
        hi = max(high, lo) if lo < high else lo + (high - low)
    if hi is not None and lo is None:
        lo = min(low, hi) if hi > low else hi - (high - low)
    return (lo if lo is not None else low), (hi if hi is not None else high)


def decimals_of(col: ColumnSpec) -> int | None:
    if col.decimals is not None:
        return col.decimals
    if col.type == "float":
        return 2
    if col.type == "decimal":
        return col.scale if col.scale is not None else 2
    return None


def draw(
    col: ColumnSpec, rng: np.random.Generator, rows: int, low: float, high: float
) -> np.ndarray:
    """Float64 draws in [low, high] following the column's distribution."""
    span = high - low
    mean = col.mean if col.mean is not None else low + span / 2
    kind = col.distribution
    if kind == "normal":
        std = col.stddev if col.stddev is not None else max(span / 6, 1e-9)
        values = rng.normal(mean, std, rows)
    elif kind == "lognormal":
        if col.mean is None:
            mean = low + span / 5
        target = max(mean - low, 1e-9)
        std = col.stddev if col.stddev is not None else target
        sigma2 = math.log1p((std / target) ** 2)
        values = low + rng.lognormal(math.log(target) - sigma2 / 2, math.sqrt(sigma2), rows)
    elif kind == "exponential":
        scale = (col.mean - low) if col.mean is not None and col.mean > low else span / 5
        values = low + rng.exponential(max(scale, 1e-9), rows)
    elif kind == "zipf":
        ranks = rng.zipf(col.skew or 2.0, rows).astype(np.float64) - 1
        width = math.floor(span) + 1 if col.type in INTEGER_TYPES else max(span, 1e-9)
        values = low + np.mod(ranks, width)
    else:
        if col.type in INTEGER_TYPES:
            return rng.integers(int(low), int(high) + 1, rows).astype(np.float64)
        values = rng.uniform(low, high, rows)
    return np.clip(values, low, high)


def unique_integers(ctx: ColumnContext, low: int, high: int) -> np.ndarray:
    """Distinct values for distinct row numbers: an affine permutation of [low, high]."""
    size = high - low + 1
    index = ctx.row_index.astype(np.int64)
    if size > (1 << 31):
        return low + index  # the permutation would overflow int64; ascending values stay unique
    multiplier = int(ctx.stable.integers(1, size)) if size > 1 else 1
    while math.gcd(multiplier, size) != 1:
        multiplier += 1
    offset = int(ctx.stable.integers(0, size))
    return low + (index % size * multiplier + offset) % size


def to_arrow(col: ColumnSpec, values: np.ndarray) -> pa.Array:
    target = arrow_type(col)
    if col.type in INTEGER_TYPES:
        return pa.array(np.rint(values).astype(np.int64), pa.int64()).cast(target)
    places = decimals_of(col)
    if places is not None:
        values = np.round(values, places)
    if col.type == "decimal":
        scale = target.scale
        units = np.rint(values * 10.0**scale).astype(np.int64)
        return _decimal_from_units(units, target)
    return pa.array(values, pa.float64())


def _decimal_from_units(units: np.ndarray, target: pa.Decimal128Type) -> pa.Array:
    """Exact decimals from unscaled integers: 128-bit little-endian words, no float round trip."""
    words = np.empty((len(units), 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = np.where(units < 0, -1, 0)
    return pa.Array.from_buffers(target, len(units), [None, pa.py_buffer(words.tobytes())])


class NumericGenerator(ValueGenerator):
    priority = 60

    def matches(self, col: ColumnSpec) -> bool:
        return col.type in NUMERIC_TYPES

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        low, high = bounds(col)
        if col.unique and col.type in INTEGER_TYPES:
            return to_arrow(col, unique_integers(ctx, int(low), int(high)).astype(np.float64))
        return to_arrow(col, draw(col, ctx.rng, ctx.rows, low, high))

    def anomalies(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        if col.min is None and col.max is None:
            return super().anomalies(col, ctx)
        low, high = bounds(col)
        width = max(high - low, 1.0)
        # At least one step of the column's resolution, so rounding cannot pull it back inside.
        places = 0 if col.type in INTEGER_TYPES else decimals_of(col)
        step = 10.0**-places if places is not None else 1e-9
        push = np.maximum(ctx.rng.uniform(0.05, 0.5, ctx.rows) * width, step)
        push = np.ceil(push / step) * step
        below = ctx.rng.random(ctx.rows) < 0.5 if col.min is not None else np.zeros(ctx.rows, bool)
        if col.max is None:
            below[:] = True
        if col.type == "decimal":  # stay representable in decimal(p, s)
            limit = 10.0 ** ((col.precision or 10) - (col.scale or 0)) - step
            push = np.minimum(push, np.where(below, limit + low, limit - high))
        values = np.where(below, low - push, high + push)
        return to_arrow(col, values)

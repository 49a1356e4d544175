"""Numbers: int, long, float, double and decimal, with bounds, distributions and unique values.

int, long and decimal(p,s) are exact over their whole declared range: values are integers of
"units" (1, or 10^-s) drawn and shifted as 128-bit limbs (`wide`), never through float64, so a
long near 2^63 or a decimal(38,18) keeps every digit. Only the *shape* of a non-uniform
distribution is computed in float (as a position between min and max).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from streamforge.engine.context import ColumnContext
from streamforge.engine.generators import wide
from streamforge.engine.generators.base import ValueGenerator
from streamforge.engine.generators.distributions import between, positions
from streamforge.engine.generators.permute import distinct_numbers
from streamforge.plan.columns import arrow_type
from streamforge.spec.model import INTEGER_TYPES, NUMERIC_TYPES, ColumnSpec
from streamforge.spec.number_limits import FLOAT_LIMIT, to_units, unit_limits

# The original tool's defaults: int 1..9999, float 0..1000 with 2 decimals.
DEFAULT_RANGES = {
    "int": (1, 9999),
    "long": (1, 1_000_000_000),
    "float": (0.0, 1000.0),
    "double": (0.0, 1000.0),
    "decimal": (0, 1000),
}
EXACT_TYPES = ("int", "long", "decimal")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True, slots=True)
class UnitRange:
    """An exact column's [low, high] and its type's limits, in units of 10^-places."""

    places: int
    low: int
    high: int
    floor: int  # the lowest value the type holds
    ceiling: int

    @property
    def span(self) -> int:
        return self.high - self.low

    @property
    def fits_int64(self) -> bool:
        """int, long and decimal(p<=18): every value of the type is an int64 number of units."""
        return self.floor >= INT64_MIN and self.ceiling <= INT64_MAX


@functools.lru_cache(maxsize=4096)  # exact Decimal arithmetic: once per column, not per chunk
def unit_range(col: ColumnSpec) -> UnitRange:
    """Bounds of an int, long or decimal column; one missing bound follows the default range."""
    places = draw_places(col)
    if col.type == "decimal":
        scale = col.scale if col.scale is not None else 2
        floor, ceiling = unit_limits("decimal", (col.precision or 10) - scale + places, places)
    else:
        floor, ceiling = unit_limits(col.type, None, None)
    d_low, d_high = (to_units(v, places, upward=True) for v in DEFAULT_RANGES[col.type])
    lo = to_units(col.min, places, upward=True) if col.min is not None else None  # type: ignore[arg-type]
    hi = to_units(col.max, places, upward=False) if col.max is not None else None  # type: ignore[arg-type]
    if lo is not None and hi is None:
        hi = max(d_high, lo) if lo < d_high else lo + (d_high - d_low)
    if hi is not None and lo is None:
        lo = min(d_low, hi) if hi > d_low else hi - (d_high - d_low)
    low = max(floor, lo if lo is not None else d_low)
    high = min(ceiling, hi if hi is not None else d_high)
    return UnitRange(places, low, max(low, high), floor, ceiling)


def bounds(col: ColumnSpec) -> tuple[float, float]:
    """[min, max] in value units: exact Python ints for int/long, floats otherwise."""
    if col.type in EXACT_TYPES:
        r = unit_range(col)
        if col.type in INTEGER_TYPES:
            return r.low, r.high
        return r.low / 10**r.places, r.high / 10**r.places
    low, high = DEFAULT_RANGES[col.type]
    lo = float(col.min) if col.min is not None else None  # type: ignore[arg-type]
    hi = float(col.max) if col.max is not None else None  # type: ignore[arg-type]
    if lo is not None and hi is None:
        hi = max(high, lo) if lo < high else min(lo + (high - low), FLOAT_LIMIT)
    if hi is not None and lo is None:
        lo = min(low, hi) if hi > low else max(hi - (high - low), -FLOAT_LIMIT)
    return (lo if lo is not None else low), (hi if hi is not None else high)


def decimals_of(col: ColumnSpec) -> int | None:
    if col.decimals is not None:
        return col.decimals
    if col.type == "float":
        return 2
    if col.type == "decimal":
        return col.scale if col.scale is not None else 2
    return None


def draw_places(col: ColumnSpec) -> int:
    """Decimal places values are drawn at: `decimals` may round a decimal(p,s) coarser than s."""
    if col.type in INTEGER_TYPES:
        return 0
    scale = col.scale if col.scale is not None else 2
    return min(scale, col.decimals) if col.decimals is not None else scale


def draw_units(col: ColumnSpec, rng: np.random.Generator, rows: int, r: UnitRange) -> wide.Wide:
    """Offsets from r.low in [0, span]: exactly uniform, or a distribution's shape rounded."""
    if col.distribution == "uniform":
        return wide.uniform(rng, rows, r.span)
    scale = 10.0**r.places
    t = positions(col, rng, rows, r.low / scale, r.high / scale, 1.0)
    return wide.from_float(t * float(r.span), r.span)


def draw_int64(col: ColumnSpec, rng: np.random.Generator, rows: int, r: UnitRange) -> np.ndarray:
    """The fast path of draw_units when values fit int64 (int, long, decimal(p<=18))."""
    if col.distribution == "uniform":  # numpy draws the whole int64 span exactly (endpoint)
        return rng.integers(r.low, r.high, rows, dtype=np.int64, endpoint=True)
    scale = 10.0**r.places
    t = positions(col, rng, rows, r.low / scale, r.high / scale, 1.0)
    if r.span < 2**53:  # t * span is exact enough and never leaves [0, span]
        return r.low + np.rint(t * r.span).astype(np.int64)
    return wide.to_int64(wide.shift(wide.from_float(t * float(r.span), r.span), r.low))


def exact_to_arrow(col: ColumnSpec, units: wide.Wide | np.ndarray, r: UnitRange) -> pa.Array:
    """Signed units (limbs, or int64) as the column's Arrow type: int32, int64, decimal128."""
    if col.type in INTEGER_TYPES:
        values = wide.to_int64(units) if isinstance(units, wide.Wide) else units
        if col.type == "int":  # in range by construction: no checked cast needed
            return pa.array(values.astype(np.int32), pa.int32())
        return pa.array(values, pa.int64())
    if not isinstance(units, wide.Wide):  # sign-extend int64 to the two 64-bit words of int128
        units = wide.Wide((units >> 63).view(np.uint64), units.view(np.uint64))
    drawn = pa.decimal128(max(1, len(str(r.ceiling))), r.places)
    array = wide.to_decimal(units, drawn)
    target = arrow_type(col)
    return array if array.type == target else array.cast(target)  # rescaling to s is exact


def float_to_arrow(col: ColumnSpec, values: np.ndarray, magnitude: float) -> pa.Array:
    """Doubles rounded to the column's places; `magnitude` bounds |values|."""
    places = decimals_of(col)
    if places is not None and magnitude * 10.0**places < 1e300:
        values = np.round(values, places)
    elif places is not None:  # near the double limit, value * 10^places overflows: keep those
        with np.errstate(over="ignore", invalid="ignore"):
            rounded = np.round(values, places)
        values = np.where(np.isfinite(rounded), rounded, values)
    return pa.array(values, pa.float64())


class NumericGenerator(ValueGenerator):
    priority = 60

    def matches(self, col: ColumnSpec) -> bool:
        return col.type in NUMERIC_TYPES

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        return unit_range(col).span + 1 if col.type in INTEGER_TYPES else None

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        if col.type in EXACT_TYPES:
            r = unit_range(col)
            if col.unique and col.type in INTEGER_TYPES:
                numbers = distinct_numbers(ctx, r.span + 1)
                offsets = wide.Wide(np.zeros(ctx.rows, np.uint64), numbers)
            elif r.fits_int64:
                return exact_to_arrow(col, draw_int64(col, ctx.rng, ctx.rows, r), r)
            else:
                offsets = draw_units(col, ctx.rng, ctx.rows, r)
            return exact_to_arrow(col, wide.shift(offsets, r.low), r)
        low, high = bounds(col)
        t = positions(col, ctx.rng, ctx.rows, low, high, 0.0)
        return float_to_arrow(col, between(t, low, high), max(abs(low), abs(high)))

    def anomalies(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        """Values pushed outside min/max by 5-50% of the span, at least one unit, but still
        values of the type; nulls when the bounds leave no room outside them."""
        if col.min is None and col.max is None:
            return super().anomalies(col, ctx)
        if col.type in EXACT_TYPES:
            return self._exact_anomalies(col, ctx)
        low, high = bounds(col)
        room_below, room_above = low + FLOAT_LIMIT, FLOAT_LIMIT - high
        below = self._sides(col, ctx, room_below > 0, room_above > 0)
        if below is None:
            return super().anomalies(col, ctx)
        places = decimals_of(col)
        step = 10.0**-places if places is not None else 0.0
        width = max(high / 2 - low / 2, 0.5)  # half the span, at least half a unit
        push = np.maximum(ctx.rng.uniform(0.1, 1.0, ctx.rows) * width, step)
        push = np.minimum(push, np.where(below, room_below, room_above))
        with np.errstate(over="ignore"):  # the side a row does not take may overflow; unused
            values = np.where(below, low - push, high + push)
        # Beyond 2^53 a small push rounds back onto the bound: step to the next double outside.
        values = np.where(below, np.minimum(values, np.nextafter(low, -np.inf)), values)
        values = np.where(~below, np.maximum(values, np.nextafter(high, np.inf)), values)
        values = np.clip(values, -FLOAT_LIMIT, FLOAT_LIMIT)
        return float_to_arrow(col, values, float(np.abs(values).max(initial=0.0)))

    def _exact_anomalies(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        r = unit_range(col)
        room_below, room_above = r.low - r.floor, r.ceiling - r.high
        below = self._sides(col, ctx, room_below > 0, room_above > 0)
        if below is None:
            return super().anomalies(col, ctx)
        width = max(float(r.span), 1.0)
        push_f = np.maximum(ctx.rng.uniform(0.05, 0.5, ctx.rows) * width, 1.0)
        down = wide.from_float(push_f, room_below) if room_below > 0 else None
        up = wide.from_float(push_f, room_above) if room_above > 0 else None
        values = None
        if down is not None:
            values = wide.shift(wide.negate(_at_least_one(down)), r.low)
        if up is not None:
            above = wide.shift(_at_least_one(up), r.high)
            values = above if values is None else wide.where(below, values, above)
        assert values is not None
        return exact_to_arrow(col, values, r)

    @staticmethod
    def _sides(
        col: ColumnSpec, ctx: ColumnContext, can_go_below: bool, can_go_above: bool
    ) -> np.ndarray | None:
        """Which rows go below min (True) or above max; None when neither side has room."""
        below_ok = col.min is not None and can_go_below
        above_ok = col.max is not None and can_go_above
        if not below_ok and not above_ok:
            return None
        coin = ctx.rng.random(ctx.rows) < 0.5
        if below_ok and above_ok:
            return coin
        return np.full(ctx.rows, below_ok)


def _at_least_one(push: wide.Wide) -> wide.Wide:
    """A push of zero units would leave the value on the bound, inside the rule."""
    zero = (push.hi == 0) & (push.lo == 0)
    return wide.Wide(push.hi, np.where(zero, np.uint64(1), push.lo))

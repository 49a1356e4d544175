"""What each numeric type can hold, and bounds as exact integers in the type's smallest unit.

Integers and decimals are handled as Python ints of "units" (1 for int/long, 10^-s for
decimal(p,s)), never through float64: a long near 2^63 or a decimal(38,18) has more digits than a
double keeps.
"""

from __future__ import annotations

import math
import sys
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, InvalidOperation

INTEGER_LIMITS = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
FLOAT_LIMIT = sys.float_info.max  # float and double are both written as 64-bit doubles
# Decimal's default context keeps 28 digits; decimal(38,s) needs 38, a YAML int may have more.
EXACT = Context(prec=1000, Emax=10**6, Emin=-(10**6))


def unit_scale(kind: str, scale: int | None) -> int:
    """Decimal places of one unit: 0 for int/long, s for decimal(p,s)."""
    return (scale if scale is not None else 2) if kind == "decimal" else 0


def unit_limits(kind: str, precision: int | None, scale: int | None) -> tuple[int, int]:
    """[lowest, highest] value of an int, long or decimal(p,s), in units."""
    if kind in INTEGER_LIMITS:
        return INTEGER_LIMITS[kind]
    digits = 10 ** (precision if precision is not None else 10) - 1
    return -digits, digits


def to_units(value: int | float, places: int, upward: bool) -> int:
    """`value` in units of 10^-places, rounded up (a min) or down (a max) onto that grid.

    Floats go through their shortest text (0.1 -> "0.1"), so a bound means what was written.
    """
    exact = Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
    scaled = exact.scaleb(places, context=EXACT)
    rounding = ROUND_CEILING if upward else ROUND_FLOOR
    return int(scaled.to_integral_value(rounding=rounding, context=EXACT))


def from_units(units: int, places: int) -> Decimal:
    """The exact decimal value of `units` times 10^-places."""
    return Decimal(units).scaleb(-places, context=EXACT)


def bound_problem(
    kind: str, precision: int | None, scale: int | None, key: str, value: object
) -> str | None:
    """Why a `min`/`max` cannot be a bound of this numeric type, or None when it can."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{key} must be a number, not '{value}'"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{key} must be a finite number, not {value}"
    if kind in ("float", "double"):
        if abs(value) > FLOAT_LIMIT:  # a YAML int too large for a double
            return f"{key} {value} is larger than a double can hold (about 1.8e308)"
        return None
    try:
        units = to_units(value, unit_scale(kind, scale), upward=key == "min")
    except (InvalidOperation, OverflowError):
        return f"{key} {value} is not a number this column can hold"
    low, high = unit_limits(kind, precision, scale)
    if low <= units <= high:
        return None
    if kind in INTEGER_LIMITS:
        return f"{key} {value} does not fit {kind}: it holds {low} to {high}"
    top = from_units(high, unit_scale(kind, scale))
    return f"{key} {value} does not fit decimal({precision},{scale}): it holds -{top} to {top}"


def bound_hint(kind: str) -> str:
    if kind == "int":
        return "use type: long for values beyond ±2147483647, or lower the bound"
    if kind == "long":
        return "use decimal(38,0) for integers beyond ±9223372036854775807, or lower the bound"
    if kind == "decimal":
        return "widen the precision or lower the bound"
    return "write a finite number, e.g. 1e300"

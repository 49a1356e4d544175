"""Numbers for expr/fast.py, exactly as DuckDB computes them: + - * /, unary minus, ROUND and the
casts to DECIMAL, DOUBLE, INTEGER, BIGINT and BOOLEAN (the rules are in expr/fast.py's
docstring). Whenever a value could leave 64 bits, or DuckDB would stop with an error, `Bail`."""

from __future__ import annotations

import numpy as np

from streamforge.expr.fast_values import Bail, Val, both_valid

_SAFE = 2**63 - 1  # magnitudes an int64 holds
# Exact numbers stay below 18 digits and scale 18: DuckDB's types then always hold them (its
# decimal results of 18 digits or fewer stop the query beyond 10^18: "Overflow in multiplication
# of DECIMAL(18)"), and every sum or rescale of two of them fits 64 bits.
_DIGITS = 10**18
_EXACT_DOUBLE = 2**53  # integers a double holds exactly
_NOT_NUMBERS = frozenset({"bool", "text", "ts", "null"})  # kinds no arithmetic takes here


def _bound(v: Val) -> int:
    """The largest magnitude among the values (NULL slots hold 0)."""
    if not len(v.data):
        return 0
    lo, hi = int(v.data.min()), int(v.data.max())
    return max(-lo, hi)


def rescaled(v: Val, scale: int) -> np.ndarray:
    """A decimal's (or an integer's) unscaled values at a larger `scale`, exactly."""
    factor = 10 ** (scale - v.scale)
    if _bound(v) * factor > _SAFE:
        raise Bail("rescale beyond 64 bits")
    return v.data * factor if factor != 1 else v.data


def as_double(v: Val) -> np.ndarray:
    if v.kind == "double":
        return v.data
    if _bound(v) > _EXACT_DOUBLE:
        raise Bail("not exact as a double")
    # exact operands, one IEEE division: the correctly rounded value, as DuckDB gives
    return v.data.astype(np.float64) / 10.0**v.scale if v.scale else v.data.astype(np.float64)


def arithmetic(op: str, a: Val, b: Val) -> Val:
    """`a op b` (op: Add, Sub, Mul) as DuckDB computes it."""
    if {a.kind, b.kind} & _NOT_NUMBERS:
        raise Bail(f"arithmetic on {a.kind} and {b.kind}")
    valid = both_valid(a, b)
    if a.kind == "double" or b.kind == "double":
        x, y = as_double(a), as_double(b)
        data = x + y if op == "Add" else x - y if op == "Sub" else x * y
        return Val("double", data, valid)
    if op == "Mul":
        if _bound(a) * _bound(b) > _SAFE:
            raise Bail("product beyond 64 bits")
        data, scale = a.data * b.data, a.scale + b.scale
    else:
        scale = max(a.scale, b.scale)
        x, y = rescaled(a, scale), rescaled(b, scale)
        if _bound(Val("int", x, None)) + _bound(Val("int", y, None)) > _SAFE:
            raise Bail("sum beyond 64 bits")
        data = x + y if op == "Add" else x - y
    if a.kind == "int" and b.kind == "int":
        bits = max(a.bits, b.bits)  # INTEGER op INTEGER overflowing stops DuckDB's query
        return Val("int", _exact(data, 0, bits), valid, bits=bits)
    return Val("dec", _exact(data, scale), valid, scale=scale)


def divide(a: Val, b: Val) -> Val:
    """`a / b` when both are doubles or integers: DuckDB's `/` is then the IEEE division of the
    two (exact) doubles. A zero divisor (DuckDB's NULL, Spark's error) or a decimal operand
    (DuckDB's own decimal division, not Spark's) hands back."""
    if a.kind not in ("int", "double") or b.kind not in ("int", "double"):
        raise Bail(f"{a.kind} / {b.kind}")
    valid = both_valid(a, b)
    x, y = as_double(a), as_double(b)
    if np.any((y == 0) if b.valid is None else (y == 0) & b.valid):
        raise Bail("a zero divisor")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return Val("double", x / y, valid)


def negate(v: Val) -> Val:
    if v.kind in _NOT_NUMBERS:
        raise Bail(f"minus a {v.kind}")
    if v.kind != "double":
        _exact(v.data, v.scale, v.bits)
    return Val(v.kind, -v.data, v.valid, v.scale, v.bits)


def _exact(data: np.ndarray, scale: int, bits: int = 64) -> np.ndarray:
    """`data` when DuckDB holds every value in the type it computes; else Bail (DuckDB then
    computes a wider type or stops with its overflow error, as without this module)."""
    limit = 2**31 - 1 if bits == 32 else _DIGITS - 1
    if scale > 18 or _bound(Val("int", data, None)) > limit:
        raise Bail("beyond 18 digits")
    return data


def _half_away(data: np.ndarray, divisor: int) -> np.ndarray:
    """Integers divided by `divisor`, rounded half away from zero."""
    magnitude = (np.abs(data) + divisor // 2) // divisor
    return np.where(data < 0, -magnitude, magnitude)


def _round_product(x: np.ndarray, modifier: float) -> np.ndarray:
    """The double x * modifier rounded half away from zero to an integer: DuckDB's cast of a
    double to a decimal (0.285 -> 0.28: 0.285 * 100 is 28.499999999999996)."""
    with np.errstate(over="ignore", invalid="ignore"):
        product = x * modifier
        whole = np.trunc(product)
        away = np.abs(product - whole) >= 0.5  # NaN where not finite: never adjusted
    np.add(whole, np.copysign(away, product), out=whole)
    return whole


def _round_scaled(x: np.ndarray, modifier: float) -> np.ndarray:
    """x * modifier rounded half away from zero to an integer, judged on the EXACT product, as
    DuckDB does (2888.725 is 2888.72499.. in binary: ROUND(x, 2) is 2888.72, though x * 100
    rounds to 288872.5). Dekker's product gives the rounding error e of p = x * modifier
    exactly; only a p that lands on a half can be on the wrong side, and e's sign tells.
    Bail when some |p| >= 2^52 (halves are no longer doubles there)."""
    with np.errstate(over="ignore", invalid="ignore"):
        product = x * modifier
        finite = np.isfinite(product)
        if np.abs(np.where(finite, product, 0.0)).max(initial=0.0) >= 2.0**52:
            raise Bail("a double too large to round exactly here")
        whole = np.trunc(product)
        part = np.abs(product - whole)  # NaN where x is not finite: never adjusted
        away = part > 0.5
        half = part == 0.5
        if half.any():
            error = _product_error(x, modifier, product)
            away |= half & ((error == 0) | (np.sign(error) == np.sign(product)))
    np.add(whole, np.copysign(away, product), out=whole)
    return whole


def _product_error(a: np.ndarray, b: float, product: np.ndarray) -> np.ndarray:
    """a * b - product, exactly (Dekker's TwoProduct; |a * b| < 2^52 here, so no overflow)."""
    split = 134217729.0  # 2^27 + 1
    t = split * a
    a_hi = t - (t - a)
    a_lo = a - a_hi
    u = split * b
    b_hi = u - (u - b)
    b_lo = b - b_hi
    return ((a_hi * b_hi - product) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def round_val(v: Val, digits: int) -> Val:
    if v.kind in _NOT_NUMBERS:
        raise Bail(f"ROUND of a {v.kind}")
    if v.kind == "dec":
        if digits >= v.scale:
            return v
        rounded = _half_away(v.data, 10 ** (v.scale - digits))
        return Val("dec", _exact(rounded, digits), v.valid, scale=digits)
    if v.kind == "double" and digits <= 22:
        modifier = 10.0**digits
        rounded = _round_scaled(v.data, modifier)
        np.divide(rounded, modifier, out=rounded)
        finite = np.isfinite(rounded)
        if not finite.all():  # DuckDB keeps x when x * 10^d rounds to an infinity (or is NaN)
            rounded = np.where(finite, rounded, v.data)
        return Val("double", rounded, v.valid)
    raise Bail("ROUND of an integer")


def to_decimal(v: Val, p: int, s: int, *, try_: bool) -> Val:
    if v.kind in _NOT_NUMBERS:
        raise Bail(f"a {v.kind} cast to a decimal")
    valid = v.valid
    if v.kind == "double":
        if p > 18:
            raise Bail("a double into a 128-bit decimal")
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = _round_product(v.data, 10.0**s)
            fits = np.abs(scaled) < 10.0**p  # False for NaN
        everything = bool(fits.all())
        data = (scaled if everything else np.where(fits, scaled, 0.0)).astype(np.int64)
    else:
        data = rescaled(v, s) if s >= v.scale else _half_away(v.data, 10 ** (v.scale - s))
        everything = p > 18 or _bound(Val("int", data, None)) < 10**p
        fits = np.ones(len(data), bool) if everything else np.abs(data) < 10**p
        if not everything:
            data = np.where(fits, data, 0)
    if not everything:
        if not try_:
            raise Bail("CAST overflow: DuckDB stops with an error")
        valid = fits if valid is None else valid & fits
    return Val("dec", data, valid, scale=s)


def to_double(v: Val) -> Val:
    if v.kind in _NOT_NUMBERS:
        raise Bail(f"a {v.kind} cast to a double")
    return Val("double", as_double(v), v.valid)


def to_bool(v: Val) -> Val:
    if v.kind != "bool":
        raise Bail(f"a {v.kind} cast to a boolean")
    return v


def to_int(v: Val, bits: int, *, try_: bool) -> Val:
    if v.kind != "int":
        raise Bail("a decimal or double cast to an integer")
    low = -(2 ** (bits - 1))  # the smallest value has no positive twin: not an abs() bound
    fits = (v.data >= low) & (v.data <= -low - 1)
    valid = v.valid
    if not fits.all():
        if not try_:
            raise Bail("CAST overflow")
        valid = fits if valid is None else valid & fits
    return Val("int", np.where(fits, v.data, 0), valid, bits=bits)

"""Comparisons, AND/OR/NOT, IS NULL, COALESCE and CASE for expr/fast.py, as DuckDB computes them
(the shapes of table checks and of most conditional `expr:` columns, issue 14: a warm `generate`
then need not load DuckDB for them).

Three-valued logic as in Spark and DuckDB: a comparison with a NULL side is NULL; `NULL AND
false` is false, `NULL OR true` is true, otherwise a NULL operand makes the result NULL; NOT
NULL is NULL; IS NULL is never NULL; CASE takes the first WHEN that is true (NULL is not true).
A boolean Val ("bool") holds False in its NULL slots, which the formulas below rely on.
Numbers compare exactly: decimals and integers on a common scale (Bail when the rescale could
leave 64 bits), a double against a decimal as the decimal's correctly rounded double, as
DuckDB casts it; NaN equals NaN and is larger than every other double (DuckDB's order).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from streamforge.expr.fast_numbers import as_double, rescaled
from streamforge.expr.fast_values import Bail, Val, both_valid

_NUMBERS = ("int", "dec", "double")


def _cmp(op: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if op == "EQ":
        return x == y
    if op == "NEQ":
        return x != y
    if op == "LT":
        return x < y
    if op == "LTE":
        return x <= y
    if op == "GT":
        return x > y
    return x >= y


def compare(op: str, a: Val, b: Val) -> Val:
    """`a op b` for op EQ, NEQ, LT, LTE, GT, GTE; NULL when either side is."""
    if "text" in (a.kind, b.kind) and {a.kind, b.kind} <= {"text", "null"}:
        from streamforge.expr.fast_text import compare_text

        if "null" not in (a.kind, b.kind):
            return compare_text(op, a, b)
    valid = both_valid(a, b)
    if "null" in (a.kind, b.kind):  # NULL = x is NULL, whatever x is
        n = max(len(a.data), len(b.data))
        return Val("bool", np.zeros(n, bool), np.zeros(n, bool))
    if a.kind == "bool" and b.kind == "bool":
        result = _cmp(op, a.data.astype(np.int8), b.data.astype(np.int8))
    elif a.kind == "ts" and b.kind == "ts":  # instants in microseconds: compared exactly
        result = _cmp(op, a.data, b.data)
    elif a.kind not in _NUMBERS or b.kind not in _NUMBERS:
        raise Bail(f"a comparison of {a.kind} with {b.kind}")
    elif a.kind == "double" or b.kind == "double":
        x, y = np.broadcast_arrays(as_double(a), as_double(b))
        nan_x, nan_y = np.isnan(x), np.isnan(y)
        with np.errstate(invalid="ignore"):
            result = _cmp(op, x, y)
        if nan_x.any() or nan_y.any():  # NaN = NaN, and NaN above every other double
            order = nan_x.astype(np.int8) - nan_y.astype(np.int8)
            either = nan_x | nan_y
            result = np.where(either, _cmp(op, order, np.zeros_like(order)), result)
    else:
        scale = max(a.scale, b.scale)
        result = _cmp(op, rescaled(a, scale), rescaled(b, scale))
    return _bool(result, valid)


def _bool(data: np.ndarray, valid: np.ndarray | None) -> Val:
    """A boolean Val whose NULL slots hold False."""
    data = np.asarray(data, bool)
    return Val("bool", data & valid if valid is not None else data, valid)


def _need_bool(v: Val) -> Val:
    if v.kind != "bool":
        raise Bail(f"{v.kind} used as a condition")
    return v


def logic(op: str, a: Val, b: Val) -> Val:
    """`a AND b` / `a OR b` with NULL: a false operand decides AND, a true one decides OR."""
    a, b = _need_bool(a), _need_bool(b)
    known = both_valid(a, b)
    if op == "And":
        decided = _false(a) | _false(b)
        data = a.data & b.data
    else:
        decided = a.data | b.data  # true slots (NULL slots hold False)
        data = decided
    valid = None if known is None else known | decided
    return _bool(data, valid)


def _false(v: Val) -> np.ndarray:
    return ~v.data if v.valid is None else v.valid & ~v.data


def negate(v: Val) -> Val:
    v = _need_bool(v)
    return _bool(~v.data, v.valid)


def is_null(v: Val) -> Val:
    if v.valid is None:
        return Val("bool", np.zeros(len(v.data), bool), None)
    return Val("bool", ~v.valid, None)


def _common(values: Sequence[Val]) -> list[Val]:
    """The values in the one type DuckDB gives a CASE or COALESCE of them: booleans stay
    booleans, timestamps timestamps; a double among numbers makes doubles; a decimal makes
    decimals at the largest scale; else integers (of the widest width). A NULL literal takes
    the type of the others."""
    kinds = {v.kind for v in values} - {"null"}
    if len(kinds) == 1 and kinds <= {"bool", "ts"}:
        (kind,) = kinds
        return [_null_as(v, kind) for v in values]
    if not kinds or not kinds <= set(_NUMBERS):
        raise Bail(f"a CASE or COALESCE of {sorted(kinds)}")
    if "double" not in kinds and len({v.scale for v in values if v.kind == "dec"}) > 1:
        # DuckDB's common type of decimal(p1,s1), decimal(p2,s2) caps the precision at 38 by
        # dropping scale; without the declared precisions here, its digits are not known
        raise Bail("a CASE or COALESCE of decimals of different scales")
    values = [_null_as(v, "dec" if "dec" in kinds else "int") for v in values]
    if "double" in kinds:
        return [Val("double", as_double(v), v.valid) for v in values]
    if "dec" in kinds:
        scale = max(v.scale for v in values)
        return [Val("dec", rescaled(v, scale), v.valid, scale=scale) for v in values]
    bits = max(v.bits for v in values)
    return [Val("int", v.data, v.valid, bits=bits) for v in values]


def _null_as(v: Val, kind: str) -> Val:
    """A NULL literal as a NULL of `kind` (its slot holds 0, or False); other values as they are."""
    if v.kind != "null":
        return v
    blank = np.zeros(1, bool) if kind == "bool" else np.zeros(1, np.int64)
    return Val(kind, blank, np.zeros(1, bool), bits=32)


def _widen(v: Val, n: int) -> Val:
    if len(v.data) == n:
        return v
    valid = None if v.valid is None else np.broadcast_to(v.valid, n)
    return Val(v.kind, np.broadcast_to(v.data, n), valid, v.scale, v.bits)


def choose(conditions: Sequence[Val], values: Sequence[Val], default: Val) -> Val:
    """CASE WHEN conditions[i] THEN values[i] ... ELSE default END."""
    n = max(len(v.data) for v in (*conditions, *values, default))
    conds = [_widen(_need_bool(c), n).data for c in conditions]  # NULL slots are False
    if any(v.kind == "text" for v in (*values, default)):
        from streamforge.expr.fast_text import choose_text

        return choose_text([Val("bool", c, None) for c in conds], values, default, n)
    typed = [_widen(v, n) for v in _common([*values, default])]
    data = np.select(conds, [v.data for v in typed[:-1]], typed[-1].data)
    if all(v.valid is None for v in typed):
        valid = None
    else:
        flags = [np.ones(n, bool) if v.valid is None else v.valid for v in typed]
        valid = np.select(conds, flags[:-1], flags[-1])
    head = typed[0]
    return Val(head.kind, data, valid, head.scale, head.bits)


def coalesce(values: Sequence[Val]) -> Val:
    """The first non-NULL of `values`, in their common type."""
    n = max(len(v.data) for v in values)
    typed = [_widen(v, n) for v in _common(values)]
    result = typed[-1]
    for v in reversed(typed[:-1]):
        if v.valid is None:
            result = v
            continue
        data = np.where(v.valid, v.data, result.data)
        valid = None if result.valid is None else v.valid | result.valid
        result = Val(v.kind, data, valid, v.scale, v.bits)
    return result

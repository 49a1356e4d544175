"""Which rows hold a value its column's rule forbids, judged exactly on the values as read.

Integers compare as int64 against integer bounds (a bound is rounded inwards exactly, never through
float), decimals as decimal128 against `Decimal` bounds, strings against the text the YAML holds.
Nested values are judged element by element: a row breaks the rule when any element does.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.verify.rules import TYPE_BOUNDS, Rule

INT64 = (-(2**63), 2**63 - 1)


def broken_rows(
    rule: Rule, values: pa.Array, nulls_break: bool, wide_int: bool = False
) -> np.ndarray:
    """Bool per row: the value breaks `rule`; a null breaks it only when `nulls_break`.

    `wide_int`: the column is a key (64-bit whatever its declared type), so `int`'s 32-bit
    range does not apply.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    valid = values.is_valid().to_numpy(zero_copy_only=False)
    broken = _breaks(rule, values, wide_int) & valid
    if nulls_break:
        broken |= ~valid
    return broken


def _breaks(rule: Rule, values: pa.Array, wide_int: bool) -> np.ndarray:
    n = len(values)
    dtype = values.type
    if pa.types.is_list(dtype) or pa.types.is_map(dtype):
        offsets = values.offsets.to_numpy()
        lengths = np.diff(offsets)
        parents = np.repeat(np.arange(n), lengths)
        # A map's keys/items (a list's values) are the whole child: the offsets index into it.
        start, stop = int(offsets[0]) if n else 0, int(offsets[-1]) if n else 0
        if pa.types.is_list(dtype):
            broken = (lengths < rule.min_items) | (lengths > rule.max_items)
            broken &= values.is_valid().to_numpy(zero_copy_only=False)
            parts = [(values.values, rule.items)]
        else:
            broken = np.zeros(n, dtype=bool)
            parts = [(values.keys, rule.keys), (values.items, rule.values)]
        for child, sub in parts:
            if sub is not None and stop > start:
                part = child.slice(start, stop - start)
                bad = broken_rows(sub, part, nulls_break=sub.null_rate == 0)
                broken[parents[bad]] = True
        return broken
    if rule.allowed is not None:
        allowed = _typed(rule, rule.allowed, dtype)
        if allowed is None:
            return np.ones(n, dtype=bool)  # no allowed value has this column's type
        return _numpy(pc.invert(pc.is_in(values, allowed)))
    broken = np.zeros(n, dtype=bool)
    if rule.pattern is not None and pa.types.is_string(dtype):
        broken |= _numpy(pc.invert(pc.match_substring_regex(values, rule.pattern.pattern)))
    if pa.types.is_integer(dtype):
        low, high = _int_bounds(rule, wide_int)
        if low > high:
            return np.ones(n, dtype=bool)
        ints = values.fill_null(0).to_numpy()
        return broken | (ints < low) | (ints > high)
    if pa.types.is_floating(dtype):
        floats = values.fill_null(0.0).to_numpy()
        broken |= ~np.isfinite(floats)
    for bound, compare in ((rule.low, pc.less), (rule.high, pc.greater)):
        scalar = _scalar(bound, dtype)
        if scalar is not None:
            broken |= _numpy(compare(values, scalar))
    return broken


def _numpy(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _int_bounds(rule: Rule, wide_int: bool) -> tuple[int, int]:
    """Exact integer bounds: the declared min/max rounded inwards, within the type's range."""
    low, high = INT64 if wide_int else TYPE_BOUNDS.get(rule.type, INT64)
    if isinstance(rule.low, Decimal) and rule.low.is_finite():
        low = max(low, math.ceil(rule.low))
    if isinstance(rule.high, Decimal) and rule.high.is_finite():
        high = min(high, math.floor(rule.high))
    return max(low, INT64[0]), min(high, INT64[1])


def _scalar(bound: Decimal | str | None, dtype: pa.DataType) -> pa.Scalar | None:
    """A bound as a scalar of the column's type; decimals keep every digit (the comparison
    then widens exactly)."""
    if bound is None:
        return None
    if pa.types.is_decimal(dtype) and isinstance(bound, Decimal):
        if bound.as_tuple().exponent > 0:  # type: ignore[operator]
            bound = Decimal(int(bound))  # 1E+3 -> 1000, so the scalar's precision holds it
        digits = max(len(bound.as_tuple().digits), 1)
        scale = max(-int(bound.as_tuple().exponent), 0)
        return pa.scalar(bound, pa.decimal128(min(max(digits, scale + 1), 38), min(scale, 38)))
    if pa.types.is_floating(dtype) and isinstance(bound, Decimal):
        return pa.scalar(float(bound), dtype)
    if (pa.types.is_timestamp(dtype) or pa.types.is_date(dtype)) and isinstance(bound, str):
        text = bound if pa.types.is_date(dtype) or "T" in bound else f"{bound}T00:00:00"
        try:
            return pc.cast(pa.scalar(text), pa.timestamp("us", tz="UTC")).cast(dtype)
        except pa.ArrowInvalid:
            return pc.cast(pc.strptime(pa.scalar(bound[:10]), "%Y-%m-%d", "s"), dtype)
    return None


def _typed(rule: Rule, allowed: tuple[str, ...], dtype: pa.DataType) -> pa.Array | None:
    """The allowed texts as values of the column's type (numbers compare by value: 1.5 = 1.50)."""
    if pa.types.is_string(dtype):
        return pa.array(list(allowed), pa.string())
    typed = []
    for text in allowed:
        try:
            if pa.types.is_decimal(dtype):
                typed.append(pa.scalar(Decimal(text)).cast(dtype).as_py())
            elif pa.types.is_integer(dtype):
                number = Decimal(text)
                if number == number.to_integral_value():
                    typed.append(int(number))
            elif pa.types.is_floating(dtype):
                typed.append(float(Decimal(text)))
            elif pa.types.is_boolean(dtype):
                typed.append({"true": True, "false": False}[text.lower()])
            else:
                typed.append(pc.cast(pa.scalar(text), dtype).as_py())
        except (ArithmeticError, ValueError, KeyError, pa.ArrowInvalid):
            continue  # this value can never appear in the column
    return pa.array(typed, dtype) if typed else None


def example(values: pa.Array | pa.ChunkedArray, mask: np.ndarray) -> object:
    """The first value that `mask` marks, as Python (None for a null)."""
    index = np.flatnonzero(mask)
    return values[int(index[0])].as_py() if len(index) else None

"""A column's rule (min/max, allowed values, not null) evaluated on values: which rows break it.

The generator knows which rows it made anomalous; rows it carries over (a change feed's old image)
are judged by this, so the manifest counts exactly the rows a pipeline's expectation will catch.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.generators.categorical import category_pool
from streamforge.engine.generators.temporal import to_micros
from streamforge.plan.rules import ColumnRule
from streamforge.plan.times import DAY_US
from streamforge.spec.model import ColumnSpec
from streamforge.spec.number_limits import from_units, to_units


def typed_choices(col: ColumnSpec, dtype: pa.DataType) -> pa.Array:
    return category_pool(col).cast(dtype)


def bound(col: ColumnSpec, key: str, dtype: pa.DataType) -> pa.Scalar:
    """`min` or `max` as a scalar of the values' type.

    Integers and decimals are on a grid (units of 10^-s), so "below min" is "below min rounded up
    onto the grid" (and "above max" likewise, rounded down): the bound then always fits the type.
    """
    value = col.min if key == "min" else col.max
    if pa.types.is_timestamp(dtype) or pa.types.is_date(dtype):
        micros = to_micros(str(value))
        if pa.types.is_date(dtype):
            return pa.scalar(micros // DAY_US, pa.int32()).cast(dtype)
        return pa.scalar(micros, pa.int64()).cast(dtype)
    if pa.types.is_decimal(dtype) or pa.types.is_integer(dtype):
        places = dtype.scale if pa.types.is_decimal(dtype) else 0
        units = to_units(value, places, upward=key == "min")  # type: ignore[arg-type]
        if pa.types.is_integer(dtype):
            return pa.scalar(units).cast(dtype)
        return pa.scalar(from_units(units, places)).cast(dtype)  # an int64 would need p >= 19
    return pa.scalar(float(value)).cast(dtype)  # type: ignore[arg-type]


def violations(col: ColumnSpec, values: pa.Array, nulls_break: bool) -> np.ndarray:
    """Rows whose value breaks the column's rule; a null breaks it only when `nulls_break`."""
    if col.choices is not None:
        broken = pc.invert(pc.is_in(values, typed_choices(col, values.type)))
    elif col.min is not None or col.max is not None:
        parts = []
        if col.min is not None:
            parts.append(pc.less(values, bound(col, "min", values.type)))
        if col.max is not None:
            parts.append(pc.greater(values, bound(col, "max", values.type)))
        broken = parts[0] if len(parts) == 1 else pc.or_(parts[0], parts[1])
    else:
        broken = pa.array(np.zeros(len(values), dtype=bool))
    broken = pc.and_(pc.fill_null(broken, False), pc.is_valid(values))  # a null is judged below
    if nulls_break:
        broken = pc.or_(broken, pc.is_null(values))
    return broken.to_numpy(zero_copy_only=False)


def broken_rows(rule: ColumnRule, values: pa.Array) -> np.ndarray:
    """Rows of `values` that break `rule` (its meaning: plan/rules.py). A DELETE exemption is
    the caller's: it needs the change-type column."""
    col = rule.column
    if not rule.bounded:
        if not rule.not_null:
            return np.zeros(len(values), dtype=bool)
        return pc.is_null(values).to_numpy(zero_copy_only=False)
    if col.type in ("array", "map"):
        return np.zeros(len(values), dtype=bool)  # min/max do not judge a nested value
    return violations(col, values, nulls_break=rule.not_null)

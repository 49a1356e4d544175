"""The Arrow type of each StreamForge column type."""

from __future__ import annotations

import pyarrow as pa

from streamforge.spec.model import ColumnSpec

TIMESTAMP = pa.timestamp("us", tz="UTC")

_SCALARS = {
    "int": pa.int32(),
    "long": pa.int64(),
    "float": pa.float64(),  # written as DOUBLE: a 4-byte float would print 12.3 as 12.300000190
    "double": pa.float64(),
    "string": pa.string(),
    "datetime": TIMESTAMP,
    "date": pa.date32(),
    "bool": pa.bool_(),
}


def arrow_type(col: ColumnSpec, is_key: bool = False) -> pa.DataType:
    """Keys and foreign keys are always 64-bit so a long run never overflows them."""
    if is_key:
        return pa.int64()
    if col.type == "decimal":
        return pa.decimal128(col.precision or 10, col.scale if col.scale is not None else 2)
    if col.type == "array":
        assert col.items is not None
        return pa.list_(arrow_type(col.items))
    if col.type == "map":
        assert col.map_keys is not None and col.map_values is not None
        return pa.map_(arrow_type(col.map_keys), arrow_type(col.map_values))
    return _SCALARS[col.type]

"""The Arrow type of each column: of a StreamForge type, and of a column in its table (keys are
64-bit, a change feed's role columns have their own types)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from streamforge.spec.model import ColumnSpec

if TYPE_CHECKING:
    from streamforge.plan.model import TablePlan

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


def table_schema(table: TablePlan) -> pa.Schema:
    return pa.schema([pa.field(c.name, column_type(table, c)) for c in table.columns])


def column_type(table: TablePlan, col: ColumnSpec) -> pa.DataType:
    feed = table.feed
    if feed is not None:
        if col.name == feed.changed_fields_column:
            return pa.list_(pa.string())
        if col.name in feed.sequence_columns or col.name == feed.entity_key:
            return pa.int64()
    is_key = col.name == table.primary_key or col.name in table.foreign_keys
    return arrow_type(col, is_key=is_key or col.name in table.sequential)

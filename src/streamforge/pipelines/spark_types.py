"""Spark SQL type names for Arrow types: schema hints, explicit stream schemas and casts."""

from __future__ import annotations

import pyarrow as pa


def spark_type(dtype: pa.DataType) -> str:
    if pa.types.is_int32(dtype):
        return "INT"
    if pa.types.is_int64(dtype):
        return "BIGINT"
    if pa.types.is_float64(dtype):
        return "DOUBLE"
    if pa.types.is_decimal(dtype):
        return f"DECIMAL({dtype.precision},{dtype.scale})"
    if pa.types.is_string(dtype):
        return "STRING"
    if pa.types.is_boolean(dtype):
        return "BOOLEAN"
    if pa.types.is_timestamp(dtype):
        return "TIMESTAMP"
    if pa.types.is_date(dtype):
        return "DATE"
    if pa.types.is_map(dtype):
        return f"MAP<{spark_type(dtype.key_type)}, {spark_type(dtype.item_type)}>"
    if pa.types.is_list(dtype):
        return f"ARRAY<{spark_type(dtype.value_type)}>"
    raise TypeError(f"no Spark type for {dtype}")

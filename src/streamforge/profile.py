"""Counts that describe generated rows, one chart per column: histogram bins or category bars."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MAX_CATEGORIES = 10


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    column: str
    type: str
    chart: Literal["histogram", "categories", "none"]
    bars: tuple[Bar, ...]
    nulls: int
    distinct: int | None  # for categories: how many different values there are


def profile_table(rows: pa.Table, bins: int = 12) -> list[ColumnProfile]:
    return [_profile(name, rows.column(name), bins) for name in rows.column_names]


def _profile(name: str, column: pa.ChunkedArray, bins: int) -> ColumnProfile:
    kind, nulls = column.type, column.null_count
    values = column.drop_null()
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        numbers = values.cast(pa.int64() if pa.types.is_timestamp(kind) else pa.int32())
        bars = _histogram(np.asarray(numbers.to_numpy(), dtype="float64"), bins, kind)
        return ColumnProfile(name, str(kind), "histogram", bars, nulls, None)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        numbers = np.asarray(values.cast(pa.float64()).to_numpy(), dtype="float64")
        if len(np.unique(numbers)) <= MAX_CATEGORIES and pa.types.is_integer(kind):
            return _categories(name, values, nulls)
        return ColumnProfile(name, str(kind), "histogram", _histogram(numbers, bins), nulls, None)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_boolean(kind):
        return _categories(name, values, nulls)
    return ColumnProfile(name, str(kind), "none", (), nulls, None)


def _histogram(numbers: np.ndarray, bins: int, kind: pa.DataType | None = None) -> tuple[Bar, ...]:
    if numbers.size == 0:
        return ()
    counts, edges = np.histogram(numbers, bins=bins)
    return tuple(Bar(_label(edges[i], kind), int(count)) for i, count in enumerate(counts.tolist()))


def _label(edge: float, kind: pa.DataType | None) -> str:
    if kind is not None and pa.types.is_timestamp(kind):
        return str(pa.scalar(int(edge), pa.int64()).cast(kind))[:16]
    if kind is not None and pa.types.is_date(kind):
        return str(pa.scalar(int(edge), pa.int32()).cast(kind))
    return f"{edge:,.4g}"


def _categories(name: str, values: pa.ChunkedArray, nulls: int) -> ColumnProfile:
    counted = pc.value_counts(values).to_pylist()
    counted.sort(key=lambda item: (-item["counts"], str(item["values"])))
    bars = [Bar(str(item["values"]), item["counts"]) for item in counted[:MAX_CATEGORIES]]
    rest = sum(item["counts"] for item in counted[MAX_CATEGORIES:])
    if rest:
        bars.append(Bar(f"{len(counted) - MAX_CATEGORIES} others", rest))
    return ColumnProfile(name, str(values.type), "categories", tuple(bars), nulls, len(counted))

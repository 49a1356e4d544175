"""Counts that describe generated rows, one chart per column: histogram bins or category bars."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MAX_CATEGORIES = 10
UNIQUE_SHARE = 0.5  # strings with more distinct values than this share of rows get a text summary
_SHAPES = str.maketrans(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "9" * 10 + "a" * 26 + "A" * 26,
)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # a category, or a histogram bin's lower edge
    count: int
    upper: str | None = None  # a histogram bin's upper edge (the last bin includes it)


@dataclass(frozen=True, slots=True)
class TextSummary:
    """Strings that rarely repeat (names, emails, ids): lengths and the commonest shapes instead
    of ten bars of 1. A shape writes digits as 9, upper-case letters as A, lower-case as a."""

    min_length: int
    mean_length: float
    max_length: int
    shapes: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    column: str
    type: str
    chart: Literal["histogram", "categories", "text", "none"]
    bars: tuple[Bar, ...]
    nulls: int
    distinct: int | None  # for categories and text: how many different values there are
    text: TextSummary | None = None


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
    return tuple(
        Bar(_label(edges[i], kind), int(count), _label(edges[i + 1], kind))
        for i, count in enumerate(counts.tolist())
    )


def _label(edge: float, kind: pa.DataType | None) -> str:
    if kind is not None and pa.types.is_timestamp(kind):
        return str(pa.scalar(int(edge), pa.int64()).cast(kind))[:16]
    if kind is not None and pa.types.is_date(kind):
        return str(pa.scalar(int(edge), pa.int32()).cast(kind))
    return f"{edge:,.4g}"


def _categories(name: str, values: pa.ChunkedArray, nulls: int) -> ColumnProfile:
    counted = pc.value_counts(values).to_pylist()
    mostly_unique = len(counted) > MAX_CATEGORIES and len(counted) > UNIQUE_SHARE * len(values)
    if mostly_unique and (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return ColumnProfile(
            name, str(values.type), "text", (), nulls, len(counted), _text_summary(values)
        )
    counted.sort(key=lambda item: (-item["counts"], str(item["values"])))
    bars = [Bar(str(item["values"]), item["counts"]) for item in counted[:MAX_CATEGORIES]]
    rest = sum(item["counts"] for item in counted[MAX_CATEGORIES:])
    if rest:
        bars.append(Bar(f"{len(counted) - MAX_CATEGORIES} others", rest))
    return ColumnProfile(name, str(values.type), "categories", tuple(bars), nulls, len(counted))


def _text_summary(values: pa.ChunkedArray) -> TextSummary:
    lengths = np.asarray(pc.utf8_length(values).to_numpy(zero_copy_only=False), dtype="int64")
    # Shapes from a sample: a profile draws at most a few thousand rows, so this stays cheap.
    shapes: dict[str, int] = {}
    for text in values.slice(0, 2000).to_pylist():
        shape = _shape(text)
        shapes[shape] = shapes.get(shape, 0) + 1
    top = sorted(shapes.items(), key=lambda item: (-item[1], item[0]))[:5]
    return TextSummary(
        int(lengths.min()) if lengths.size else 0,
        round(float(lengths.mean()), 1) if lengths.size else 0.0,
        int(lengths.max()) if lengths.size else 0,
        tuple(Bar(shape, count) for shape, count in top),
    )


def _shape(text: str) -> str:
    """'MTR-1234' -> 'A+-9999', 'Michael Holmes' -> 'Aa+ Aa+': digit runs keep their length
    (codes differ by it), letter runs fold so names of any length share a shape."""
    out: list[str] = []
    for char, run in itertools.groupby(text.translate(_SHAPES)):
        size = len(list(run))
        if char == "9":
            out.append("9" * size if size <= 6 else "9+")
        elif char in "aA":
            out.append(char + ("+" if size > 1 else ""))
        else:
            out.append(char * size)
    return "".join(out)

"""Render Arrow arrays as JSON text, vectorised, and assemble record batches into NDJSON bytes.

Every step is a pyarrow.compute kernel (or a numpy scan of a buffer): there is no per-row Python
loop, so the cost per row is a handful of C++ passes over the column.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .json_fast import (
    SECONDS_AT_YEAR_0,
    SECONDS_AT_YEAR_10000,
    fast_dates,
    fast_timestamps,
    few_decimals,
    small_integers,
)

__all__ = ["encode_ndjson", "format_timestamps", "to_json_text"]

_NULL = "null"
# JSON needs these escaped; the rest of U+0000..U+001F gets the \u00XX form.
_SHORT_ESCAPES = {0x22: '\\"', 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
_BACKSLASH = 0x5C
_QUOTE = 0x22
_UNITS_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


@dataclass(frozen=True, slots=True)
class _Parts:
    """JSON text split as `open + core + close`; a null in `core` stands for JSON `null`.

    Keeping the constant wrapper (quotes, brackets) apart lets `encode_ndjson` fold it into the
    literal pieces around the value instead of paying one more pass over the column.
    """

    core: pa.StringArray
    open: str = ""
    close: str = ""


def to_json_text(array: pa.Array | pa.ChunkedArray) -> pa.StringArray:
    """One JSON text per value, e.g. `3`, `"a\\"b"`, `[1,2]`, `{"k":1}`, and `null` for nulls."""
    if isinstance(array, pa.ChunkedArray):
        chunks = [_finish(_render(chunk)) for chunk in array.chunks]
        return pa.concat_arrays(chunks) if chunks else pa.array([], pa.string())
    return _finish(_render(array))


def format_timestamps(array: pa.Array) -> pa.StringArray:
    """ISO-8601 text, unquoted: `2026-11-27T10:15:30.123456Z` (no `Z` if naive); nulls stay."""
    fast = fast_timestamps(array, "Z" if array.type.tz else "")
    if fast is not None:
        return fast
    parts = _render_timestamp(array)
    suffix = parts.close[:-1]  # drop the closing quote, keep the "Z" of zoned timestamps
    return pc.binary_join_element_wise(parts.core, suffix, "") if suffix else parts.core


def encode_ndjson(batch: pa.RecordBatch) -> pa.Buffer:
    """Encode every row as `{"col":value,...}\\n`; returns the contiguous UTF-8 bytes."""
    if batch.num_rows == 0:
        return pa.py_buffer(b"")
    if batch.num_columns == 0:
        return pa.py_buffer(b"{}\n" * batch.num_rows)
    pieces: list[str | pa.StringArray] = []
    literal = "{"
    for index, (name, column) in enumerate(zip(batch.schema.names, batch.columns, strict=True)):
        parts = _render(column)
        literal += ("," if index else "") + json.dumps(name, ensure_ascii=False) + ":"
        if parts.core.null_count == 0:
            pieces += [literal + parts.open, parts.core]
            literal = parts.close
        else:
            pieces += [literal, _finish(parts)]
            literal = ""
    pieces.append(literal + "}\n")
    lines = pc.binary_join_element_wise(*pieces, "")
    return _data_buffer(lines)


def _finish(parts: _Parts) -> pa.StringArray:
    text = parts.core
    if parts.open or parts.close:
        text = pc.binary_join_element_wise(parts.open, text, parts.close, "")
    return pc.fill_null(text, _NULL) if text.null_count else text


def _data_buffer(text: pa.StringArray) -> pa.Buffer:
    start, end = _byte_range(text)
    return text.buffers()[2].slice(start, end - start)


def _byte_range(text: pa.StringArray) -> tuple[int, int]:
    """Where the values of this (possibly sliced) string array lie in its data buffer."""
    offsets = np.frombuffer(text.buffers()[1], np.int32, len(text) + 1, 4 * text.offset)
    return int(offsets[0]), int(offsets[-1])


def _render(array: pa.Array) -> _Parts:
    if isinstance(array.type, pa.BaseExtensionType):
        array = array.storage
    for matches, render in _RENDERERS:
        if matches(array.type):
            return render(array)
    raise TypeError(f"cannot render Arrow type {array.type} as JSON text")


def _render_plain(array: pa.Array) -> _Parts:
    # Integers, decimals and booleans already print as valid JSON (`12`, `-1.50`, `true`).
    if pa.types.is_integer(array.type):
        small = small_integers(array)
        if small is not None:
            return _Parts(small)
    return _Parts(pc.cast(array, pa.string()))


def _render_float(array: pa.Array) -> _Parts:
    if pa.types.is_float16(array.type):
        array = pc.cast(array, pa.float32())
    fast = few_decimals(array)
    if fast is not None:
        return _Parts(fast)
    # Arrow prints the shortest round-trip form (`3`, `0.1`, `1e+20`): valid JSON, except for
    # NaN and infinities, which JSON cannot express: they become null rather than break the file.
    if pc.any(pc.invert(pc.is_finite(array))).as_py():
        array = pc.if_else(pc.is_finite(array), array, pa.scalar(None, array.type))
    return _Parts(pc.cast(array, pa.string()))


def _render_null(array: pa.Array) -> _Parts:
    return _Parts(pa.nulls(len(array), pa.string()))


def _render_string(array: pa.Array) -> _Parts:
    if not pa.types.is_string(array.type):
        array = pc.cast(array, pa.string())  # large_string, string_view
    return _Parts(_escape(array), '"', '"')


def _escape(array: pa.StringArray) -> pa.StringArray:
    data = array.buffers()[2]
    if data is None or len(array) == 0:
        return array
    start, end = _byte_range(array)
    raw = np.frombuffer(data, np.uint8, count=end - start, offset=start)
    # Multi-byte UTF-8 never contains bytes < 0x80, so a byte scan finds every character that
    # needs escaping; most chunks have none and pay only for this scan.
    if raw.size == 0 or (
        raw.min() >= 0x20 and not (raw == _QUOTE).any() and not (raw == _BACKSLASH).any()
    ):
        return array
    special = np.unique(raw[(raw < 0x20) | (raw == _QUOTE) | (raw == _BACKSLASH)])
    # Backslashes first: the escapes added below contain backslashes that must stay single.
    if _BACKSLASH in special:
        array = pc.replace_substring(array, "\\", "\\\\")
    for byte in special.tolist():
        if byte != _BACKSLASH:
            escaped = _SHORT_ESCAPES.get(byte, f"\\u{byte:04x}")
            array = pc.replace_substring(array, chr(byte), escaped)
    return array


def _render_timestamp(array: pa.Array) -> _Parts:
    unit = array.type.unit
    # A zoned timestamp stores UTC instants: viewed as naive they print as UTC wall-clock time.
    # (Casting the zoned array to string is ~30x slower because it consults the time zone.)
    close = 'Z"' if array.type.tz else '"'
    fast = fast_timestamps(array)
    if fast is not None:
        return _Parts(fast, '"', close)
    naive = array.view(pa.timestamp(unit))
    text = pc.cast(naive, pa.string())
    bounds = pc.min_max(naive)
    lowest, highest = bounds["min"], bounds["max"]
    per_second = _UNITS_PER_SECOND[unit]
    four_digit_years = not lowest.is_valid or (
        lowest.value >= SECONDS_AT_YEAR_0 * per_second
        and highest.value < SECONDS_AT_YEAR_10000 * per_second
    )
    if four_digit_years:
        text = pc.binary_replace_slice(text, start=10, stop=11, replacement="T")
    else:
        text = pc.replace_substring(text, " ", "T", max_replacements=1)
    return _Parts(text, '"', 'Z"' if array.type.tz else '"')


def _render_quoted_cast(array: pa.Array) -> _Parts:
    # Dates and times print as ISO-8601 (`2026-11-27`, `10:15:30.123`); JSON needs them quoted.
    fast = fast_dates(array)
    return _Parts(fast if fast is not None else pc.cast(array, pa.string()), '"', '"')


def _render_dictionary(array: pa.DictionaryArray) -> _Parts:
    # Render each distinct value once, then gather: cheap for categorical columns.
    parts = _render(array.dictionary)
    return _Parts(pc.take(parts.core, array.indices), parts.open, parts.close)


def _render_list(array: pa.Array) -> _Parts:
    if pa.types.is_fixed_size_list(array.type) or pa.types.is_list_view(array.type):
        array = pc.cast(array, pa.list_(array.type.value_field))
    elif pa.types.is_large_list_view(array.type):
        array = pc.cast(array, pa.large_list(array.type.value_field))
    child, offsets = _list_children(array)
    return _Parts(_join_lists(array, offsets, to_json_text(child)), "[", "]")


def _render_map(array: pa.MapArray) -> _Parts:
    entries, offsets = _list_children(array)
    keys = _render(entries.field(0))
    if keys.open != '"':
        # JSON object keys must be strings: quote numbers and booleans, escape nested text.
        keys = _Parts(_escape(_finish(keys)), '"', '"')
    pairs = pc.binary_join_element_wise(_finish(keys), to_json_text(entries.field(1)), ":")
    return _Parts(_join_lists(array, offsets, pairs), "{", "}")


def _render_struct(array: pa.StructArray) -> _Parts:
    if array.type.num_fields == 0:
        return _Parts(pc.if_else(array.is_valid(), "", pa.scalar(None, pa.string())), "{", "}")
    pieces: list[str | pa.StringArray] = []
    for index, field in enumerate(array.type):
        key = ("," if index else "") + json.dumps(field.name, ensure_ascii=False) + ":"
        pieces += [key, to_json_text(array.field(index))]
    text = pc.binary_join_element_wise(*pieces, "")
    if array.null_count:
        text = pc.if_else(array.is_valid(), text, pa.scalar(None, pa.string()))
    return _Parts(text, "{", "}")


def _list_children(array: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The child values this (possibly sliced) list array spans, and offsets rebased to them."""
    offsets = array.offsets  # absolute positions into array.values, slice offset applied
    start, end = offsets[0].as_py(), offsets[-1].as_py()
    child = array.values.slice(start, end - start)
    # Always a fresh array: from_arrays refuses a null mask together with sliced offsets.
    return child, pc.subtract(offsets, pa.scalar(start, offsets.type))


def _join_lists(array: pa.Array, offsets: pa.Array, texts: pa.StringArray) -> pa.StringArray:
    """Join the element texts of each list with ","; a null list gives a null."""
    mask = array.is_null() if array.null_count else None
    build = pa.LargeListArray if pa.types.is_large_list(array.type) else pa.ListArray
    return pc.binary_join(build.from_arrays(offsets, texts, mask=mask), ",")


def _is_text(data_type: pa.DataType) -> bool:
    return (
        pa.types.is_string(data_type)
        or pa.types.is_large_string(data_type)
        or pa.types.is_string_view(data_type)
    )


def _is_list(data_type: pa.DataType) -> bool:
    return any(
        check(data_type)
        for check in (
            pa.types.is_list,
            pa.types.is_large_list,
            pa.types.is_fixed_size_list,
            pa.types.is_list_view,
            pa.types.is_large_list_view,
        )
    )


# Checked in order; map comes before list because a map is physically a list of entries.
_RENDERERS: tuple[tuple[Callable[[pa.DataType], bool], Callable[[pa.Array], _Parts]], ...] = (
    (pa.types.is_null, _render_null),
    (pa.types.is_boolean, _render_plain),
    (pa.types.is_integer, _render_plain),
    (pa.types.is_decimal, _render_plain),
    (pa.types.is_floating, _render_float),
    (_is_text, _render_string),
    (pa.types.is_timestamp, _render_timestamp),
    (pa.types.is_date, _render_quoted_cast),
    (pa.types.is_time, _render_quoted_cast),
    (pa.types.is_dictionary, _render_dictionary),
    (pa.types.is_map, _render_map),
    (_is_list, _render_list),
    (pa.types.is_struct, _render_struct),
)

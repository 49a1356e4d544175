"""CSV rows of a record batch assembled by one gather, instead of Arrow's CSV writer.

Arrow's writer prints every value (doubles through Grisu, ~30% of the fact's CSV encoding), then
copies each text into its row. Here a column becomes parts: either a small table of texts and
each row's entry in it (categories, keys of a few hundred values, the whole and the fractional
digits of amounts), or one text per row (identifiers, timestamps). The commas, quotes and
newline between values are folded into the neighbouring small tables, and one `take` over all
parts lays the rows out: its data buffer is the CSV text, no further copy.

The bytes are those of `pyarrow.csv.write_csv` with default options on the same values
(tests/sinks/test_csv_text.py compares them): text quoted with `"` doubled, nulls empty, other
values as Arrow casts them to text, rows ended by `\\n`. Callers convert timestamps and nested
values to text first (`csv_text_column`); `encode_csv_rows` returns None for what it does not
cover (binary, extension types, slices whose text could pass 2 GiB), and the caller falls back
to Arrow's writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .json_fast import _fraction_texts, _values, decimal_units, fast_dates
from .json_text import _byte_range

__all__ = ["encode_csv_rows"]

_QUOTE = 0x22
# A table of texts pays off while it is much smaller than the rows that gather from it; past a
# quarter of them, printing each row's value is as cheap (and bounds the tables' size).
_TABLE_SHARE = 4
_MAX_BYTES = (1 << 31) - 1  # string offsets are int32


@dataclass(frozen=True, slots=True)
class _Part:
    """Texts gathered by row: `texts[index[r]]` for row r, or `texts[r]` when index is None."""

    texts: pa.StringArray
    index: np.ndarray | None = None  # int64, one entry per row


@dataclass(slots=True)
class _Rendered:
    """A column's CSV field as parts; `open`/`close` wrap every row's field (null-free quoting)."""

    parts: list[_Part] = field(default_factory=list)
    open: str = ""
    close: str = ""


def encode_csv_rows(batch: pa.RecordBatch) -> pa.Buffer | None:
    """The batch's rows as CSV bytes, without header, each ending in `\\n`; None if not covered."""
    rows = batch.num_rows
    if batch.num_columns == 0:
        return None  # Arrow writes no line for rows without columns; keep that
    if rows == 0:
        return pa.py_buffer(b"")
    items: list[str | _Part] = []
    literal = ""
    for position, column in enumerate(batch.columns):
        rendered = _render(column)
        if rendered is None:
            return None
        items += [literal + ("," if position else "") + rendered.open, *rendered.parts]
        literal = rendered.close
    items.append(literal + "\n")
    parts = _fold_literals(items, rows)
    if _text_bytes(parts, rows) > _MAX_BYTES:
        return None
    text = _gather(parts, rows)
    data = text.buffers()[2]
    if data is None:
        return pa.py_buffer(b"")
    return data.slice(0, _byte_range(text)[1])


def _fold_literals(items: list[str | _Part], rows: int) -> list[_Part]:
    """Append each literal to the table part before it, or prefix it to the table part after
    it; only a literal between two per-row parts costs a part of its own."""
    parts: list[_Part] = []
    pending = ""
    for item in items:
        if isinstance(item, str):
            if not item:
                continue
            if not pending and parts and parts[-1].index is not None:
                parts[-1] = _Part(_joined(parts[-1].texts, "", item), parts[-1].index)
            else:
                pending += item
            continue
        if pending and item.index is not None:
            item = _Part(_joined(item.texts, pending, ""), item.index)
        elif pending:
            parts.append(_constant(pending, rows))
        pending = ""
        parts.append(item)
    if pending:
        parts.append(_constant(pending, rows))
    return parts


def _joined(texts: pa.StringArray, before: str, after: str) -> pa.StringArray:
    # A null entry of a table is an empty field: it keeps the separators around it.
    filled = pc.fill_null(texts, "") if texts.null_count else texts
    return pc.binary_join_element_wise(before, filled, after, "")


def _constant(text: str, rows: int) -> _Part:
    return _Part(pa.array([text], pa.string()), np.zeros(rows, np.int64))


def _text_bytes(parts: list[_Part], rows: int) -> int:
    """An upper bound of the rows' text size, from each table's longest entry."""
    total = 0
    for part in parts:
        if part.index is None:
            start, end = _byte_range(part.texts)
            total += end - start
        elif len(part.texts):
            total += rows * (pc.max(pc.binary_length(part.texts)).as_py() or 0)
    return total


def _gather(parts: list[_Part], rows: int) -> pa.StringArray:
    """Row r's parts side by side: one take over all parts' texts with a (rows, parts) index."""
    index = np.empty((rows, len(parts)), np.int64)
    base = 0
    for position, part in enumerate(parts):
        if part.index is None:
            index[:, position] = np.arange(base, base + rows)
        else:
            np.add(part.index, base, out=index[:, position])
        base += len(part.texts)
    pieces = pa.concat_arrays([part.texts for part in parts])
    # Every index is in bounds by construction (dictionaries are checked): skipping Arrow's
    # check saves ~5% of the encoding.
    return pc.take(pieces, pa.array(index.reshape(-1)), boundscheck=False)


def _render(column: pa.Array) -> _Rendered | None:
    data_type = column.type
    if isinstance(data_type, pa.BaseExtensionType):
        return None
    if pa.types.is_dictionary(data_type):
        return _render_dictionary(column)
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return _render_text(column)
    if pa.types.is_string_view(data_type):
        return _render_text(pc.cast(column, pa.string()))
    if pa.types.is_integer(data_type):
        return _render_integer(column)
    if pa.types.is_float64(data_type):
        return _render_double(column)
    if pa.types.is_boolean(data_type):
        return _table_rendered(pa.array(["false", "true"]), column, _booleans(column))
    if pa.types.is_date32(data_type):
        fast = fast_dates(column)
        if fast is not None:
            return _Rendered([_Part(fast)])
    if _is_printed(data_type):
        return _Rendered([_Part(pc.cast(column, pa.string()))])
    return None  # binary, nested, timestamps (callers convert them), unusual types


def _is_printed(data_type: pa.DataType) -> bool:
    """Types Arrow's CSV writer prints unquoted by casting to text."""
    return (
        pa.types.is_null(data_type)
        or pa.types.is_floating(data_type)
        or pa.types.is_date(data_type)
        or pa.types.is_time(data_type)
        or pa.types.is_decimal(data_type)
    )


def _render_text(column: pa.Array) -> _Rendered:
    if pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    text = _doubled_quotes(column)
    if text.null_count == 0:
        return _Rendered([_Part(text)], '"', '"')
    # A null is an empty field, without quotes: the quotes go on each value instead.
    return _Rendered([_Part(pc.binary_join_element_wise('"', text, '"', ""))])


def _doubled_quotes(text: pa.StringArray) -> pa.StringArray:
    """RFC 4180: a `"` inside a quoted field is written twice. Most batches have none and pay
    only for a byte scan."""
    data = text.buffers()[2]
    if data is None or len(text) == 0:
        return text
    start, end = _byte_range(text)
    raw = np.frombuffer(data, np.uint8, count=end - start, offset=start)
    if not (raw == _QUOTE).any():
        return text
    return pc.replace_substring(text, '"', '""')


def _render_integer(column: pa.Array) -> _Rendered:
    rows = len(column)
    bounds = pc.min_max(column)
    lowest, highest = bounds["min"].as_py(), bounds["max"].as_py()
    if lowest is None or highest - lowest >= rows // _TABLE_SHARE or highest >= 1 << 62:
        return _Rendered([_Part(pc.cast(column, pa.string()))])
    table = pc.cast(pa.array(np.arange(lowest, highest + 1, dtype=np.int64)), pa.string())
    values = _values(column, column.type.to_pandas_dtype()).astype(np.int64) - lowest
    return _table_rendered(table, column, values)


def _render_double(column: pa.Array) -> _Rendered:
    """Whole hundredths (or ten-thousandths): the signed whole part and the fraction from two
    tables; other doubles as Arrow prints them."""
    found = decimal_units(column)
    if found is None:
        return _Rendered([_Part(pc.cast(column, pa.string()))])
    magnitude, places = found
    whole, fraction = np.divmod(magnitude, 10**places)
    negative = np.signbit(_values(column, np.float64))
    fractions = _Part(_fraction_texts(places), fraction)
    lowest, highest = int(whole.min()), int(whole.max())
    if highest - lowest < len(column) // _TABLE_SHARE:
        plain = pc.cast(pa.array(np.arange(lowest, highest + 1, dtype=np.int64)), pa.string())
        signed = pa.concat_arrays([plain, pc.binary_join_element_wise("-", plain, "")])
        index = whole - lowest + negative * len(plain)
        return _Rendered([_Part(signed, index), fractions])
    signs = _Part(pa.array(["", "-"], pa.string()), negative.astype(np.int64))
    return _Rendered([signs, _Part(pc.cast(pa.array(whole), pa.string())), fractions])


def _render_dictionary(column: pa.DictionaryArray) -> _Rendered | None:
    if len(column.dictionary) > len(column):
        return _render(column.dictionary_decode())  # a big dictionary: cheaper to decode
    rendered = _render(column.dictionary)
    if rendered is None:
        return None
    entries = _entry_texts(rendered, len(column.dictionary))
    indices = column.indices
    values = _values(indices, indices.type.to_pandas_dtype()).astype(np.int64)
    rendered = _table_rendered(entries, column, values)
    index = rendered.parts[0].index
    # The gather does not check bounds (all other indices are made here): an unvalidated
    # dictionary array is left to Arrow's writer, which refuses it.
    if index is not None and (index.min() < 0 or index.max() >= len(rendered.parts[0].texts)):
        return None
    return rendered


def _entry_texts(rendered: _Rendered, count: int) -> pa.StringArray:
    """One text per entry, wrapped (a null entry stays empty, as Arrow writes it)."""
    if count == 0:
        return pa.array([], pa.string())
    parts = _fold_literals([rendered.open, *rendered.parts, rendered.close], count)
    text = _gather(parts, count)
    offsets = np.frombuffer(text.buffers()[1], np.int32, len(text) + 1)[:: len(parts)]
    data = text.buffers()[2] or pa.py_buffer(b"")
    return pa.StringArray.from_buffers(count, pa.py_buffer(np.ascontiguousarray(offsets)), data)


def _table_rendered(table: pa.StringArray, column: pa.Array, index: np.ndarray) -> _Rendered:
    """Row r's text is table[index[r]]; a null row gets an empty entry appended to the table."""
    if column.null_count:
        valid = column.is_valid().to_numpy(zero_copy_only=False)
        index = np.where(valid, index, len(table))
        table = pa.concat_arrays([table, pa.array([""], pa.string())])
    return _Rendered([_Part(table, index)])


def _booleans(column: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(column, False).to_numpy(zero_copy_only=False), np.int64)

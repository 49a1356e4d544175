"""Fast paths of json_text: JSON texts copied from precomputed tables instead of printed.

Each distinct day (dates), second (timestamps) or small integer of a batch is printed once (so is
each decimal fraction), and the texts are gathered from that table: several times faster than
printing value by value.
Each function returns None when its input does not qualify (nulls, wider ranges, other types);
json_text then falls back to Arrow's printing.
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "SECONDS_AT_YEAR_0",
    "SECONDS_AT_YEAR_10000",
    "decimal_units",
    "fast_dates",
    "fast_timestamps",
    "few_decimals",
    "small_integers",
]

# Years 0000..9999 print as exactly 4 digits, so the date/time separator sits at byte 10.
SECONDS_AT_YEAR_0 = -62_167_219_200
SECONDS_AT_YEAR_10000 = 253_402_300_800
_FRACTION_DIGITS = {"s": 0, "ms": 3, "us": 6, "ns": 9}
_SECONDS_PER_DAY = 86_400
_DAY_OF_YEAR_0 = SECONDS_AT_YEAR_0 // _SECONDS_PER_DAY
_DAY_OF_YEAR_10000 = SECONDS_AT_YEAR_10000 // _SECONDS_PER_DAY
# Fast paths print each distinct day (dates) or second (timestamps) of a batch once, then copy
# texts from that table: a dimension's dates span a few thousand days, a stream batch's times
# a few seconds. Wider spans are printed by Arrow value by value.
_MAX_DAYS = 1 << 16
_MAX_SECONDS = 1 << 12  # or a quarter of the batch's rows, if more
# Small integers (|n| < _SMALL) are copied from a table of their texts instead of printed.
_SMALL = 100_000
_TWO_DIGITS = np.frombuffer("".join(f"{i:02d}" for i in range(100)).encode(), "<u2")
_DOT_THREE_DIGITS = np.frombuffer("".join(f".{i:03d}" for i in range(1000)).encode(), "<u4")


def _values(array: pa.Array, dtype: type[np.generic]) -> np.ndarray:
    """The value buffer of a null-free primitive array (slice offset applied), without a copy."""
    return np.frombuffer(
        array.buffers()[1], dtype, len(array), array.offset * np.dtype(dtype).itemsize
    )


@functools.cache
def _small_integer_texts() -> pa.StringArray:
    """`0` .. `99999`, then `-0` .. `-99999` (index _SMALL + n is the text of -n)."""
    text = pc.cast(pa.array(np.arange(_SMALL, dtype=np.int64)), pa.string())
    return pa.concat_arrays([text, pc.binary_join_element_wise("-", text, "")])


def small_integers(array: pa.Array) -> pa.StringArray | None:
    """Texts of integers within ±99999 by one gather from a table (3x faster than printing)."""
    if array.null_count or len(array) == 0 or array.type.bit_width > 64:
        return None
    bounds = pc.min_max(array)
    if bounds["min"].as_py() <= -_SMALL or bounds["max"].as_py() >= _SMALL:
        return None
    numbers = _values(array, array.type.to_pandas_dtype()).astype(np.int64)
    index = np.where(numbers < 0, _SMALL - numbers, numbers)
    return _small_integer_texts().take(pa.array(index))


@functools.cache
def _fraction_texts(places: int) -> pa.StringArray:
    """`""` for 0, else `.` and the digits without trailing zeros: `.5`, `.25`, `.05` (places=2)."""
    texts = [""] + ["." + f"{n:0{places}d}".rstrip("0") for n in range(1, 10**places)]
    return pa.array(texts, pa.string())


def decimal_units(array: pa.Array) -> tuple[np.ndarray, int] | None:
    """(|x| * 10**places as int64, places) for null-free doubles that are whole hundredths (places
    2) or ten-thousandths (4) of magnitude below 1e9; None otherwise. The sign is the array's
    (`np.signbit`: -0.0 prints as `-0`). See `few_decimals` for why these print exactly."""
    if array.null_count or len(array) == 0 or not pa.types.is_float64(array.type):
        return None
    x = _values(array, np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        for places in (2, 4):
            scale = 10.0**places
            units = np.rint(x * scale)
            if np.array_equal(units / scale, x):
                break
        else:
            return None  # also NaN, which never compares equal
        if not np.abs(units).max() < 1e9 * scale:  # infinities too
            return None
    return np.abs(units).astype(np.int64), places


def few_decimals(array: pa.Array) -> pa.StringArray | None:
    """The shortest round-trip text of doubles that are whole hundredths (or ten-thousandths) of
    magnitude below 1e9 - what generated amounts are - built from tables, not printed.

    When k / 10**places == x exactly, x is the double nearest the decimal k / 10**places; with at
    most 13 significant digits that decimal is the only one of 15 digits or fewer that reads back
    as x, so it is the shortest round-trip text, and what Arrow prints too.
    """
    found = decimal_units(array)
    if found is None:
        return None
    magnitude, places = found
    x = _values(array, np.float64)
    fractions = _fraction_texts(places)
    if magnitude.max() < _SMALL * 10**places:
        integers = _small_integer_texts()
        index = np.empty((len(x), 2), np.int64)
        np.divmod(magnitude, 10**places, out=(index[:, 0], index[:, 1]))
        index[:, 0] += np.signbit(x) * _SMALL  # -0.5 prints as "-0.5"
        index[:, 1] += len(integers)
        return _compose(pa.concat_arrays([integers, fractions]), index)
    whole, fraction = np.divmod(magnitude, 10**places)
    signs = pa.array(["", "-"], pa.string())
    pieces = pa.concat_arrays([signs, fractions, pc.cast(pa.array(whole), pa.string())])
    index = np.empty((len(x), 3), np.int64)
    index[:, 0] = np.signbit(x)
    index[:, 1] = 2 + len(fractions) + np.arange(len(x))
    index[:, 2] = 2 + fraction
    return _compose(pieces, index)


def _compose(pieces: pa.StringArray, index: np.ndarray) -> pa.StringArray:
    """Row r is pieces[index[r, 0]] + pieces[index[r, 1]] + ...: one take, no per-row joins
    (the taken pieces of a row are adjacent in the result's data, so its row offsets are every
    `width`-th offset of the taken pieces)."""
    rows, width = index.shape
    taken = pieces.take(pa.array(index.reshape(-1)))
    offsets = np.frombuffer(taken.buffers()[1], np.int32, rows * width + 1)[::width]
    data = taken.buffers()[2] or pa.py_buffer(b"")
    return pa.StringArray.from_buffers(rows, pa.py_buffer(np.ascontiguousarray(offsets)), data)


def _fixed_width(cells: np.ndarray) -> pa.StringArray:
    """One string per element of an array of fixed-size byte records (`S<n>` or structured)."""
    rows, width = len(cells), cells.dtype.itemsize
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(cells))


def _texts_of_range(first: int, count: int, data_type: pa.DataType) -> np.ndarray:
    """Arrow's text of first .. first+count-1 as `data_type` (all of one width), as `S<width>`."""
    storage = pa.int32() if pa.types.is_date32(data_type) else pa.int64()
    values = pa.array(np.arange(first, first + count), storage).view(data_type)
    text = pc.cast(values, pa.string())
    width = len(text[0].as_py())
    return np.frombuffer(text.buffers()[2], f"S{width}", count)


def fast_timestamps(array: pa.Array, suffix: str = "") -> pa.StringArray | None:
    """`YYYY-MM-DDTHH:MM:SS[.fff...]<suffix>` of null-free timestamps spanning few seconds (a
    stream's batch), 4-digit years: each distinct second is printed once, the fractions come
    from a table. None when the array does not qualify."""
    if array.null_count or len(array) == 0:
        return None
    digits = _FRACTION_DIGITS[array.type.unit]
    per_second = 10**digits
    values = _values(array, np.int64)
    seconds = values // per_second
    first, last = int(seconds.min()), int(seconds.max())
    if (
        last - first >= max(_MAX_SECONDS, len(values) // 4)
        or first < SECONDS_AT_YEAR_0
        or last >= SECONDS_AT_YEAR_10000
    ):
        return None
    # Fraction digits as native words gathered from small tables (S3 gathers are slow):
    # ".ddd" as 4 bytes, then each further group as 2 bytes "dd" and 1 byte "d".
    fields = [("second", "S19")]
    if digits:
        fields.append(("dot_first", "<u4"))
    for group in range(1, digits // 3):
        fields += [(f"pair{group}", "<u2"), (f"last{group}", "u1")]
    if suffix:
        fields.append(("suffix", f"S{len(suffix.encode())}"))
    cells = np.empty(len(values), np.dtype(fields))
    if suffix:
        cells["suffix"] = suffix.encode()
    prefix = _texts_of_range(first, last - first + 1, pa.timestamp("s"))
    prefix = prefix.view(np.uint8).reshape(-1, 19).copy()
    prefix[:, 10] = ord("T")
    cells["second"] = prefix.view("S19").reshape(-1)[seconds - first]
    if digits:
        fraction = values - seconds * per_second
        cells["dot_first"] = _DOT_THREE_DIGITS[fraction // 10 ** (digits - 3)]
        for group in range(1, digits // 3):
            part = fraction // 10 ** (digits - 3 * group - 3) % 1000
            cells[f"pair{group}"] = _TWO_DIGITS[part // 10]
            cells[f"last{group}"] = part % 10 + ord("0")
    return _fixed_width(cells)


def fast_dates(array: pa.Array) -> pa.StringArray | None:
    """`YYYY-MM-DD` of null-free dates of 4-digit years spanning under 65536 days: each distinct
    day is printed once."""
    if array.null_count or len(array) == 0 or not pa.types.is_date32(array.type):
        return None
    days = _values(array, np.int32)
    first, last = int(days.min()), int(days.max())
    if last - first >= _MAX_DAYS or first < _DAY_OF_YEAR_0 or last >= _DAY_OF_YEAR_10000:
        return None
    table = _texts_of_range(first, last - first + 1, pa.date32())
    return _fixed_width(table[days - first])

"""The columns expr/fast.py computes on: `Val` (numpy data, a validity mask, a kind), read from
an Arrow column and written back to one, and `Bail`, which hands a chunk back to DuckDB."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa


class Bail(Exception):
    """These values need DuckDB (a possible 64-bit overflow, or a DuckDB error to reproduce)."""


@dataclass(frozen=True, slots=True)
class Val:
    """A column of values: `kind` "dec" (int64 unscaled at `scale`), "int" (int64, DuckDB's
    INTEGER when bits == 32), "double" (float64), "bool" or "text" (a string column, in
    `text`); `valid` None when nothing is NULL. NULL slots hold 0 (NaN, False), so bounds
    computed over all slots stay meaningful."""

    kind: str
    data: np.ndarray
    valid: np.ndarray | None
    scale: int = 0
    bits: int = 64
    text: pa.Array | None = None  # kind "text" only: a text column written unchanged


def both_valid(a: Val, b: Val) -> np.ndarray | None:
    """Where both operands are valid (None: everywhere)."""
    if a.valid is None:
        return b.valid
    return a.valid if b.valid is None else a.valid & b.valid


def read(array: pa.Array) -> Val:
    """An Arrow column as a Val; Bail for a type (or a decimal beyond 64 bits) not handled."""
    kind = array.type
    valid = None
    if array.null_count:
        valid = np.unpackbits(
            np.frombuffer(array.buffers()[0], np.uint8),
            count=array.offset + len(array),
            bitorder="little",
        )[array.offset :].astype(bool)
    n, off = len(array), array.offset
    if pa.types.is_decimal128(kind):
        pairs = np.frombuffer(array.buffers()[1], np.int64, count=2 * (off + n))[2 * off :]
        low, high = pairs[0::2], pairs[1::2]
        data = np.where(valid, low, 0) if valid is not None else low
        if valid is not None:
            high = np.where(valid, high, 0)
        if not np.array_equal(high, data >> 63):
            raise Bail("a decimal beyond 64 bits")
        return Val("dec", data, valid, scale=kind.scale)
    if (
        pa.types.is_integer(kind)
        and kind.bit_width in (32, 64)
        and pa.types.is_signed_integer(kind)
    ):
        raw = np.frombuffer(array.buffers()[1], kind.to_pandas_dtype(), count=off + n)[off:]
        data = raw.astype(np.int64)
        return Val(
            "int",
            np.where(valid, data, 0) if valid is not None else data,
            valid,
            bits=kind.bit_width,
        )
    if pa.types.is_float64(kind):
        raw = np.frombuffer(array.buffers()[1], np.float64, count=off + n)[off:]
        return Val("double", np.where(valid, raw, np.nan) if valid is not None else raw, valid)
    if pa.types.is_string(kind):  # compared, tested for NULL, chosen or written unchanged
        return Val("text", np.zeros(n, np.int8), valid, text=array)
    if pa.types.is_timestamp(kind):
        from streamforge.expr.fast_text import read_timestamp

        return read_timestamp(array, valid)
    raise Bail(f"type {kind}")


def to_arrow(v: Val, arrow: pa.DataType, n: int) -> pa.Array:
    """The `n`-row Arrow column of `v` (already cast to `arrow`'s DuckDB type; a literal's one
    value repeated)."""
    if v.kind == "text":
        if v.text is None or v.text.type != arrow or len(v.text) != n:
            raise Bail(f"text as {arrow}")
        return v.text
    if len(v.data) != n:
        valid = None if v.valid is None else np.broadcast_to(v.valid, n)
        v = Val(v.kind, np.broadcast_to(v.data, n), valid, v.scale, v.bits)
    mask = (
        None
        if v.valid is None or v.valid.all()
        else pa.py_buffer(np.packbits(v.valid, bitorder="little"))
    )
    if v.kind == "ts":
        from streamforge.expr.fast_text import timestamp_array

        return timestamp_array(v, arrow, mask, n)
    if v.kind == "null":
        raise Bail("a NULL literal as a column")
    if pa.types.is_boolean(arrow) and v.kind == "bool":
        bits = np.packbits(np.ascontiguousarray(v.data, bool), bitorder="little")
        return pa.Array.from_buffers(arrow, n, [mask, pa.py_buffer(bits)])
    if v.kind == "bool":
        raise Bail(f"a boolean as {arrow}")
    if pa.types.is_decimal128(arrow):
        pairs = np.empty((n, 2), np.int64)
        pairs[:, 0] = v.data
        pairs[:, 1] = v.data >> 63
        return pa.Array.from_buffers(arrow, n, [mask, pa.py_buffer(pairs)])
    if pa.types.is_integer(arrow) or pa.types.is_float64(arrow):
        data = v.data.astype(arrow.to_pandas_dtype(), copy=False)
        return pa.Array.from_buffers(arrow, n, [mask, pa.py_buffer(np.ascontiguousarray(data))])
    raise Bail(f"type {arrow}")

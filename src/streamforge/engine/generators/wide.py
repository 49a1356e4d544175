"""Exact 128-bit integers as two uint64 limbs (high, low), vectorised with numpy.

A decimal(38,s) holds unscaled values up to 10^38 - 1, beyond int64; a long's span (max - min)
reaches 2^64 - 1, beyond int64 too. These helpers draw and shift such values without a float
round trip or a per-row Python int, and hand them to Arrow as decimal128 / int64 buffers.
Arithmetic wraps modulo 2^128 (two's complement), which is exact as long as the true result fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

MASK64 = (1 << 64) - 1
TWO64 = 2.0**64
_BELOW_TWO64 = np.nextafter(TWO64, 0.0)  # the largest double that fits a uint64


@dataclass(frozen=True, slots=True)
class Wide:
    """Row i is hi[i] * 2^64 + lo[i] (two's complement when read as signed)."""

    hi: np.ndarray  # uint64
    lo: np.ndarray  # uint64

    def __len__(self) -> int:
        return len(self.lo)


def constant(value: int, rows: int) -> Wide:
    bits = value & ((1 << 128) - 1)
    return Wide(
        np.full(rows, bits >> 64, dtype=np.uint64), np.full(rows, bits & MASK64, dtype=np.uint64)
    )


def add(a: Wide, b: Wide) -> Wide:
    lo = a.lo + b.lo  # wraps mod 2^64; a wrap is the carry
    carry = (lo < a.lo).astype(np.uint64)
    return Wide(a.hi + b.hi + carry, lo)


def negate(a: Wide) -> Wide:
    lo = ~a.lo + np.uint64(1)
    return Wide(~a.hi + (lo == 0).astype(np.uint64), lo)


def shift(a: Wide, value: int) -> Wide:
    """a + value (value a Python int, possibly negative or beyond int64)."""
    return add(a, constant(value, len(a)))


def minimum(a: Wide, limit: int) -> Wide:
    """Elementwise min(a, limit) for unsigned a and 0 <= limit < 2^128."""
    over = _above(a, limit)
    top, bottom = np.uint64(limit >> 64), np.uint64(limit & MASK64)
    return Wide(np.where(over, top, a.hi), np.where(over, bottom, a.lo))


def where(mask: np.ndarray, a: Wide, b: Wide) -> Wide:
    return Wide(np.where(mask, a.hi, b.hi), np.where(mask, a.lo, b.lo))


def uniform(rng: np.random.Generator, rows: int, span: int) -> Wide:
    """Exactly uniform integers in [0, span], span < 2^128 (rejection above 2^64)."""
    if span <= MASK64:
        lo = rng.integers(0, span, rows, dtype=np.uint64, endpoint=True)
        return Wide(np.zeros(rows, np.uint64), lo)
    top = span >> 64
    hi = rng.integers(0, top, rows, dtype=np.uint64, endpoint=True)
    lo = rng.integers(0, MASK64, rows, dtype=np.uint64, endpoint=True)
    result = Wide(hi, lo)
    # At least half of the draws fall inside [0, span]; redraw the rest until all do.
    while True:
        bad = np.flatnonzero(_above(result, span))
        if len(bad) == 0:
            return result
        result.hi[bad] = rng.integers(0, top, len(bad), dtype=np.uint64, endpoint=True)
        result.lo[bad] = rng.integers(0, MASK64, len(bad), dtype=np.uint64, endpoint=True)


def from_float(offsets: np.ndarray, span: int) -> Wide:
    """Non-negative float offsets, rounded to integers, as exact limbs clipped to [0, span]."""
    x = np.rint(np.nan_to_num(np.asarray(offsets, np.float64), nan=0.0, posinf=np.inf))
    x = np.clip(x, 0.0, float(span) if span < 2**127 else 2.0**127)
    hi = np.floor(x / TWO64)
    lo = np.clip(x - hi * TWO64, 0.0, _BELOW_TWO64)
    return minimum(Wide(hi.astype(np.uint64), lo.astype(np.uint64)), span)


def to_float(a: Wide) -> np.ndarray:
    """Approximate signed value (for distribution shapes and tests, never for output)."""
    signed_hi = a.hi.view(np.int64).astype(np.float64)
    return signed_hi * TWO64 + a.lo.astype(np.float64)


def to_int64(a: Wide) -> np.ndarray:
    """Signed values that fit int64 (the caller guarantees it): the low limb, reinterpreted."""
    return a.lo.view(np.int64)


def to_decimal(a: Wide, dtype: pa.Decimal128Type) -> pa.Array:
    """decimal128 values whose unscaled integers are `a`: little-endian (low, high) words."""
    words = np.empty((len(a), 2), dtype=np.uint64)
    words[:, 0], words[:, 1] = a.lo, a.hi
    return pa.Array.from_buffers(dtype, len(a), [None, pa.py_buffer(words.tobytes())])


def _above(a: Wide, limit: int) -> np.ndarray:
    top, bottom = np.uint64(limit >> 64), np.uint64(limit & MASK64)
    return (a.hi > top) | ((a.hi == top) & (a.lo > bottom))

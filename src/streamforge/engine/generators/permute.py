"""Distinct numbers for distinct row numbers: a seeded permutation of [0, size), size up to 2^64.

`unique` columns map each run-wide row number through a bijection, so values never repeat across
chunks, cycles or restarts while still looking scattered. Small spaces use an affine map; larger
ones (where index * multiplier would overflow int64) a xor-shift-multiply permutation of the next
power of two, walked until it lands inside [0, size) (cycle walking keeps it a bijection).
"""

from __future__ import annotations

import math

import numpy as np

from streamforge.engine.context import ColumnContext

AFFINE_LIMIT = 1 << 31
ROUNDS = 3


def distinct_numbers(ctx: ColumnContext, size: int) -> np.ndarray:
    """uint64 numbers in [0, min(size, 2^64)), distinct while row numbers stay below size."""
    size = min(size, 1 << 64)
    index = ctx.row_index.astype(np.int64)
    if size <= AFFINE_LIMIT:
        multiplier = int(ctx.stable.integers(1, max(size, 2)))
        while math.gcd(multiplier, size) != 1:
            multiplier += 1
        offset = int(ctx.stable.integers(0, size))
        return ((index % size * multiplier + offset) % size).astype(np.uint64)
    bits = (size - 1).bit_length()
    mask = np.uint64((1 << bits) - 1)
    keys = [
        (
            np.uint64(int(ctx.stable.integers(0, 1 << 62)) * 2 + 1),  # odd: invertible mod 2^b
            np.uint64(int(ctx.stable.integers(0, 1 << 62))),
        )
        for _ in range(ROUNDS)
    ]
    # Start inside [0, size): cycle walking from there always comes back inside.
    x = (index % size if size < (1 << 63) else index).astype(np.uint64)
    todo = np.arange(len(x))
    while True:
        x[todo] = _scramble(x[todo], keys, bits, mask)
        todo = todo[x[todo] >= np.uint64(size)] if size < (1 << 64) else todo[:0]
        if len(todo) == 0:
            return x


def _scramble(
    x: np.ndarray, keys: list[tuple[np.uint64, np.uint64]], bits: int, mask: np.uint64
) -> np.ndarray:
    """A bijection of [0, 2^bits): multiply by an odd number, add, xor with a right shift."""
    shift = np.uint64(max(1, bits // 2))
    for multiplier, offset in keys:
        x = (x * multiplier + offset) & mask
        x = x ^ (x >> shift)
    return x

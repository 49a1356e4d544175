"""Pattern strings: `#` a digit, `?` an upper-case letter, the rest literal ("MTR-####-####")."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator
from streamforge.spec.model import ColumnSpec

DIGIT, LETTER = ord("#"), ord("?")


def render_pattern(
    pattern: str, rng: np.random.Generator, rows: int, numbers: np.ndarray | None = None
) -> pa.StringArray:
    """Fill the slots of `pattern` for `rows` rows, building the Arrow buffers directly.

    With `numbers`, slot values are the mixed-radix digits of each number (for unique values).
    """
    template = np.frombuffer(pattern.encode("utf-8"), dtype=np.uint8)
    grid = np.tile(template, (rows, 1))
    slots = np.flatnonzero((template == DIGIT) | (template == LETTER))
    if numbers is None:
        for pos in slots:
            if template[pos] == DIGIT:
                grid[:, pos] = rng.integers(48, 58, rows, dtype=np.uint8)
            else:
                grid[:, pos] = rng.integers(65, 91, rows, dtype=np.uint8)
    else:
        rest = numbers.astype(np.int64).copy()
        for pos in slots[::-1]:  # last slot is the least significant digit
            radix = 10 if template[pos] == DIGIT else 26
            grid[:, pos] = (rest % radix + (48 if radix == 10 else 65)).astype(np.uint8)
            rest //= radix
    return fixed_width_strings(grid)


def fixed_width_strings(grid: np.ndarray) -> pa.StringArray:
    """One string per row of a (rows, width) array of ASCII bytes, without copying the bytes."""
    rows, width = grid.shape
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    data = pa.py_buffer(np.ascontiguousarray(grid))
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), data)


def capacity(pattern: str) -> int:
    return 10 ** pattern.count("#") * 26 ** pattern.count("?")


def permuted(ctx: ColumnContext, size: int) -> np.ndarray:
    """Distinct numbers in [0, size) for distinct row numbers (affine permutation)."""
    import math

    index = ctx.row_index.astype(np.int64)
    if size > (1 << 31):
        return index % size
    multiplier = int(ctx.stable.integers(1, max(size, 2)))
    while math.gcd(multiplier, size) != 1:
        multiplier += 1
    return (index % size * multiplier + int(ctx.stable.integers(0, size))) % size


class PatternGenerator(ValueGenerator):
    priority = 20

    def matches(self, col: ColumnSpec) -> bool:
        return col.type == "string" and col.format is not None and "|" not in col.format

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        pattern = col.format or ""
        numbers = permuted(ctx, capacity(pattern)) if col.unique else None
        return render_pattern(pattern, ctx.rng, ctx.rows, numbers)

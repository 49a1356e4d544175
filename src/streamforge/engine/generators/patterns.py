"""Pattern strings: `#` a digit, `?` an upper-case letter, the rest literal ("MTR-####-####")."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator
from streamforge.engine.generators.permute import distinct_numbers
from streamforge.plan.capacity import pattern_capacity
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
        # The number's mixed-radix digits fill the last slots (least significant last); slots
        # beyond 2^64 combinations, which no number reaches, are drawn at random instead.
        rest = numbers.astype(np.uint64)
        combinations = 1
        for pos in slots[::-1]:
            radix = 10 if template[pos] == DIGIT else 26
            base = 48 if radix == 10 else 65
            if combinations >= 1 << 64:
                grid[:, pos] = rng.integers(base, base + radix, rows, dtype=np.uint8)
                continue
            grid[:, pos] = (rest % np.uint64(radix) + np.uint64(base)).astype(np.uint8)
            rest = rest // np.uint64(radix)
            combinations *= radix
    return fixed_width_strings(grid)


def fixed_width_strings(grid: np.ndarray) -> pa.StringArray:
    """One string per row of a (rows, width) array of ASCII bytes, without copying the bytes."""
    rows, width = grid.shape
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    data = pa.py_buffer(np.ascontiguousarray(grid))
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), data)


def capacity(pattern: str) -> int:
    return pattern_capacity(pattern)  # one formula: validate counts without the engine


class PatternGenerator(ValueGenerator):
    priority = 20

    def matches(self, col: ColumnSpec) -> bool:
        return col.type == "string" and col.format is not None and "|" not in col.format

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        return capacity(col.format or "")

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        pattern = col.format or ""
        numbers = distinct_numbers(ctx, capacity(pattern)) if col.unique else None
        return render_pattern(pattern, ctx.rng, ctx.rows, numbers)

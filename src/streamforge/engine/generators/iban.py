"""`faker: iban` with `unique`: every IBAN of the locale's bank country, enumerated.

An IBAN is the country code, two check digits and the country's BBAN (ISO 13616). Faker fills the
BBAN from the locale's `bban_format` (`#` a digit, `?` a letter) and takes the country from its
bank provider, so row i gets BBAN number perm(i) of that format and the check digits computed from
it: 98 - (BBAN, country, "00" read as digits, letters as 10..35) mod 97. Before, a unique IBAN came
from a pool of ~4,000 Faker draws, so the run stopped after ~4,000 rows.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pyarrow as pa

from streamforge.engine.generators.patterns import fixed_width_strings, render_pattern
from streamforge.engine.generators.provider_space import Space, _faker, provider_format
from streamforge.engine.pool_cache import Values, pool_values
from streamforge.plan.capacity import pattern_capacity

ZERO, LETTER_A = ord("0"), ord("A")


def bank_country(locale: str) -> str:
    """The country of Faker's bank provider for `locale` (en_US has none of its own: GB)."""

    def build() -> Values:
        fake: Any = _faker(locale)
        return [str(fake.bank_country())], None

    return pool_values(f"bank_country:{locale}", build)[0][0].as_py()


def mod97(grid: np.ndarray) -> np.ndarray:
    """(rows,) remainder mod 97 of each row of ASCII digits and upper-case letters read as one
    number, a letter as the two digits of 10..35: one column at a time, vectorised over rows."""
    rest = np.zeros(len(grid), dtype=np.int64)
    for column in grid.T.astype(np.int64):
        letter = column >= LETTER_A
        value = np.where(letter, column - LETTER_A + 10, column - ZERO)
        rest = (rest * np.where(letter, 100, 10) + value) % 97
    return rest


@functools.cache
def iban_space(locale: str) -> Space | None:
    """Every IBAN of the locale's country and BBAN format; None when Faker has no format."""
    fmt = provider_format("bban", locale)
    if not fmt or set(fmt) - {"#", "?"}:
        return None
    country = np.frombuffer(bank_country(locale).encode("ascii"), dtype=np.uint8)
    tail = np.concatenate([country, np.array([ZERO, ZERO], dtype=np.uint8)])
    width = len(fmt)

    def render(numbers: np.ndarray, rng: np.random.Generator) -> pa.Array:
        rows = len(numbers)
        bban = render_pattern(fmt, rng, rows, numbers)
        grid = np.frombuffer(bban.buffers()[2], dtype=np.uint8)[: rows * width]
        grid = grid.reshape(rows, width)
        check = 98 - mod97(np.concatenate([grid, np.tile(tail, (rows, 1))], axis=1))
        digits = np.stack([check // 10, check % 10], axis=1).astype(np.uint8) + ZERO
        head = np.concatenate([np.tile(country, (rows, 1)), digits], axis=1)
        return fixed_width_strings(np.concatenate([head, grid], axis=1))

    return Space(pattern_capacity(fmt), render)

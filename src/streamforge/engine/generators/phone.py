"""Phone numbers `(AAA) NNN-NNNN` (area codes 201..989), drawn or enumerated for `unique`."""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa

from streamforge.engine.generators.patterns import fixed_width_strings
from streamforge.engine.generators.provider_space import Space


def phone(rng: np.random.Generator, rows: int) -> pa.Array:
    """`(AAA) NNN-NNNN`, area code 201..989: three gathers from tables of fixed-width texts."""
    area = rng.integers(0, len(_phone_parts()[0]), rows)
    return _phone_text(area, rng.integers(0, PHONE_NUMBERS, rows))


PHONE_NUMBERS = 10_000_000  # NNN-NNNN per area code


def _phone_text(area: np.ndarray, number: np.ndarray) -> pa.Array:
    areas, middle, last = _phone_parts()
    rows = len(area)
    cells = np.empty(rows, np.dtype([("area", "S6"), ("middle", "S4"), ("last", "S4")]))
    cells["area"] = areas[area]
    cells["middle"] = middle[number // 10_000]
    cells["last"] = last[number % 10_000]
    return fixed_width_strings(cells.view(np.uint8).reshape(rows, 14))


def phone_space() -> Space:
    def render(numbers: np.ndarray, rng: np.random.Generator) -> pa.Array:
        n = numbers.astype(np.int64)
        return _phone_text(n // PHONE_NUMBERS, n % PHONE_NUMBERS)

    return Space(len(_phone_parts()[0]) * PHONE_NUMBERS, render)


@functools.cache
def _phone_parts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`(AAA) ` for the area codes 201..989, `NNN-` and `NNNN` for every number."""
    area = np.array([f"({code}) ".encode() for code in range(201, 990)], "S6")
    middle = np.array([f"{n:03d}-".encode() for n in range(1000)], "S4")
    last = np.array([f"{n:04d}".encode() for n in range(10_000)], "S4")
    return area, middle, last

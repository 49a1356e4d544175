"""Phone numbers valid for the locale. en_US: `(AAA) EEE-NNNN` under the North American Numbering
Plan (area code and exchange start with 2-9, are never N11; area codes avoid the reserved N9X,
37X and 96X and the easily recognisable codes such as 800 or 555; exchanges avoid 555 and the
test codes 950, 958, 959, 976). Other locales: Faker's numbers of that locale."""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa

from streamforge.engine import pools
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator
from streamforge.engine.generators.patterns import fixed_width_strings
from streamforge.engine.generators.provider_space import Space, unique_values
from streamforge.engine.generators.row_fields import is_free_text, split_name
from streamforge.spec.locales import DEFAULT_LOCALE
from streamforge.spec.model import ColumnSpec

PHONE_FIELDS = ("phone", "phone_number", "mobile", "mobile_number", "telephone", "cell", "fax")
LINES = 10_000  # NNNN per exchange


def _is_n11(code: int) -> bool:
    return code % 100 == 11


@functools.cache
def area_codes() -> np.ndarray:
    codes = [
        c
        for c in range(200, 1000)
        if not _is_n11(c)
        and (c // 10) % 10 != 9  # N9X: reserved for expansion
        and (c // 10) % 10 != c % 10  # easily recognisable codes: 800, 888, 555, 900, ...
        and c // 10 not in (37, 96)  # reserved
    ]
    return np.array(codes, dtype=np.int64)


@functools.cache
def exchanges() -> np.ndarray:
    bad = {555, 950, 958, 959, 976}
    codes = [c for c in range(200, 1000) if not _is_n11(c) and c not in bad]
    return np.array(codes, dtype=np.int64)


def phone(rng: np.random.Generator, rows: int) -> pa.Array:
    """`(AAA) EEE-NNNN` (NANP, see the module docstring): gathers from fixed-width texts."""
    return _phone_text(rng.integers(0, phone_space().size, rows))


def _phone_text(number: np.ndarray) -> pa.Array:
    areas, middle, last = _phone_parts()
    per_area = len(middle) * LINES
    rows = len(number)
    cells = np.empty(rows, np.dtype([("area", "S6"), ("middle", "S4"), ("last", "S4")]))
    cells["area"] = areas[number // per_area]
    cells["middle"] = middle[(number % per_area) // LINES]
    cells["last"] = last[number % LINES]
    return fixed_width_strings(cells.view(np.uint8).reshape(rows, 14))


@functools.cache
def phone_space() -> Space:
    def render(numbers: np.ndarray, rng: np.random.Generator) -> pa.Array:
        return _phone_text(numbers.astype(np.int64))

    return Space(len(area_codes()) * len(exchanges()) * LINES, render)


@functools.cache
def _phone_parts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`(AAA) ` for each area code, `EEE-` for each exchange, `NNNN` for each line."""
    area = np.array([f"({code}) ".encode() for code in area_codes()], "S6")
    middle = np.array([f"{code}-".encode() for code in exchanges()], "S4")
    last = np.array([f"{n:04d}".encode() for n in range(LINES)], "S4")
    return area, middle, last


class PhoneGenerator(ValueGenerator):
    """`phone`, `phone_number`, `mobile`, `fax`, ... alone or as `<prefix>_phone`."""

    priority = 37

    def matches(self, col: ColumnSpec) -> bool:
        return is_free_text(col) and split_name(col.name, PHONE_FIELDS) is not None

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        return phone_space().size

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        locale = (ctx.row.table.locale if ctx.row is not None else None) or DEFAULT_LOCALE
        if locale != DEFAULT_LOCALE and not col.unique:
            return pools.faker_pool("phone_number", pools.POOL_SIZE, locale).sample(
                ctx.rng, ctx.rows
            )
        if col.unique:
            return unique_values(phone_space(), ctx)
        return phone(ctx.rng, ctx.rows)

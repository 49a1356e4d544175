"""German phone numbers that libphonenumber accepts for region DE, with the area code of the
row's town.

A fixed-line number is the town's area code (Ortsnetzkennzahl, `vocab/de_places.csv`) and a
subscriber number of the length that makes a national number of 10 or 11 digits (checked against
libphonenumber when the table was built), written as Germans do: `030 12345678`, `030/12345678`,
`(030) 12345678` or `+49 30 12345678`. A share of rows get a mobile number instead
(`0151 23456789`, `+49 171 23456789`): 015x/016x/017x and eight digits. Unique numbers are mobile
numbers, one per position in their space. All text is joined column-wise by Arrow.
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.generators.provider_space import Space

MOBILE_PREFIXES = (
    "150", "151", "152", "155", "156", "157", "159", "160", "162", "163",
    "170", "171", "172", "173", "174", "175", "176", "177", "178", "179",
)  # fmt: skip
MOBILE_DIGITS = 8
MOBILE_SHARE = 0.35
FIXED_STYLES = ("0{} ", "0{}/", "(0{}) ", "+49 {} ")
MOBILE_STYLES = ("0{} ", "+49 {} ")


@functools.cache
def _prefixes(codes: tuple[str, ...], styles: tuple[str, ...]) -> pa.StringArray:
    """Position style * len(codes) + i is code i written in that style."""
    return pa.array([style.format(code) for style in styles for code in codes], pa.string())


def _subscribers(rng: np.random.Generator, digits: np.ndarray) -> pa.Array:
    """A number of `digits[r]` digits for each row, never starting with 0 or 1."""
    low = 2 * 10 ** (digits - 1).astype(np.int64)
    high = 10 ** digits.astype(np.int64)
    return pc.cast(pa.array(rng.integers(low, high)), pa.string())


def german_phone(
    rng: np.random.Generator,
    area_code: tuple[str, ...],
    subscriber_digits: np.ndarray,
    area: np.ndarray,
    mobile_share: float = MOBILE_SHARE,
) -> pa.Array:
    """One number per row; `area[r]` is the row's position in `area_code`/`subscriber_digits`
    (its town's code); a share `mobile_share` of rows get a mobile number instead."""
    rows = len(area)
    fixed = rng.integers(0, len(FIXED_STYLES), rows) * len(area_code) + area
    mobile_code = rng.integers(0, len(MOBILE_PREFIXES), rows)
    mobile = rng.integers(0, len(MOBILE_STYLES), rows) * len(MOBILE_PREFIXES) + mobile_code
    is_mobile = rng.random(rows) < mobile_share
    prefix = pc.if_else(
        pa.array(is_mobile),
        _prefixes(MOBILE_PREFIXES, MOBILE_STYLES).take(pa.array(mobile)),
        _prefixes(area_code, FIXED_STYLES).take(pa.array(fixed)),
    )
    digits = np.where(is_mobile, MOBILE_DIGITS, subscriber_digits[area])
    return pc.binary_join_element_wise(prefix, _subscribers(rng, digits), "")


def mobile_rows(numbers: pa.Array) -> np.ndarray:
    """Whether each German number is a mobile one: `01...` or `+49 1...` (area codes of
    landlines never start with 1)."""
    found = pc.match_substring_regex(numbers, r"^(0|\+49 )1")
    return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)


@functools.cache
def mobile_space() -> Space:
    """Every mobile number `0<prefix> <8 digits>`: number n is prefix n // 10**8, line n % 10**8."""
    lines = 10**MOBILE_DIGITS

    def render(numbers: np.ndarray, rng: np.random.Generator) -> pa.Array:
        numbers = numbers.astype(np.int64)
        prefix = _prefixes(MOBILE_PREFIXES, ("0{} ",)).take(pa.array(numbers // lines))
        line = pc.utf8_lpad(pc.cast(pa.array(numbers % lines), pa.string()), MOBILE_DIGITS, "0")
        return pc.binary_join_element_wise(prefix, line, "")

    return Space(len(MOBILE_PREFIXES) * lines, render)

"""Codes with valid check digits, by column name: card numbers (Luhn), UPC-A and EAN-13
barcodes. Drawn as numbers, so `unique` enumerates them without a suffix."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator
from streamforge.engine.generators.patterns import fixed_width_strings
from streamforge.engine.generators.permute import distinct_numbers
from streamforge.engine.generators.provider_space import Space, space_of
from streamforge.engine.generators.row_fields import is_free_text, split_name
from streamforge.spec.model import ColumnSpec

CARD = ("card_number", "credit_card_number", "debit_card_number", "pan", "card_pan")
UPC = ("upc", "upc_a", "upc_code")
EAN = ("ean", "ean13", "ean_13", "ean_code", "barcode", "gtin", "gtin13")


def _digits(numbers: np.ndarray, count: int) -> np.ndarray:
    """(rows, count) decimal digits of each number, most significant first."""
    powers = np.array([10 ** (count - 1 - j) for j in range(count)], dtype=np.uint64)
    return ((numbers.astype(np.uint64)[:, None] // powers) % np.uint64(10)).astype(np.int64)


def luhn_check(payload: np.ndarray) -> np.ndarray:
    """The Luhn check digit of each row of digits: from the right, every second digit of the
    payload (starting with the last) is doubled, 9 taken off when above 9."""
    doubled = np.zeros(payload.shape[1], dtype=bool)
    doubled[::-1][::2] = True
    value = np.where(doubled, payload * 2, payload)
    value = np.where(value > 9, value - 9, value)
    return (10 - value.sum(axis=1) % 10) % 10


def card_space() -> Space:
    """16-digit card numbers starting with 4 (the Visa range), Luhn-valid."""

    def render(numbers: np.ndarray, rng: np.random.Generator) -> pa.Array:
        body = np.concatenate([np.full((len(numbers), 1), 4), _digits(numbers, 14)], axis=1)
        return _text(np.concatenate([body, luhn_check(body)[:, None]], axis=1))

    return Space(10**14, render)


def upc_space() -> Space:
    """UPC-A: 11 digits, then the check digit (weights 3,1,3,... from the left)."""

    def render(numbers: np.ndarray, rng: np.random.Generator) -> pa.Array:
        body = _digits(numbers, 11)
        weights = np.array([3 if j % 2 == 0 else 1 for j in range(11)])
        check = (10 - (body * weights).sum(axis=1) % 10) % 10
        return _text(np.concatenate([body, check[:, None]], axis=1))

    return Space(10**11, render)


def _text(digits: np.ndarray) -> pa.Array:
    return fixed_width_strings((digits + ord("0")).astype(np.uint8))


def code_space(name: str) -> Space | None:
    if split_name(name, CARD) is not None:
        return card_space()
    if split_name(name, UPC) is not None:
        return upc_space()
    if split_name(name, EAN) is not None:
        return space_of("ean13")
    return None


class CheckDigitCodeGenerator(ValueGenerator):
    """`card_number`/`pan` (Luhn), `upc` (UPC-A), `ean13`/`barcode`/`gtin` (EAN-13)."""

    priority = 33

    def matches(self, col: ColumnSpec) -> bool:
        return is_free_text(col) and code_space(col.name) is not None

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        space = code_space(col.name)
        return space.size if space is not None else None

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        space = code_space(col.name)
        assert space is not None
        if col.unique:
            numbers = distinct_numbers(ctx, space.size)
        else:
            numbers = ctx.rng.integers(0, space.size, ctx.rows)
        return space.render(numbers, ctx.rng)

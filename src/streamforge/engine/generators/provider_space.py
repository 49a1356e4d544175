"""`faker: <provider>` with `unique`: distinct values in the provider's own format, never a suffix.

Some providers have a space that can be counted and enumerated: barcodes (EAN-13, EAN-8: digits
and a check digit), IBANs (`iban.py`: the locale's BBAN format and its check digits) and
providers that fill a `<provider>_format` of `#` and `?` (`bban`). Row i
gets element perm(i) of that space. Any other provider draws from its pool of distinct Faker
values, a permutation of the pool, so its capacity is the pool's size (validate says how long it
lasts). Each space is the table's locale's: a de_DE `bban` has Germany's format and a de_DE
pool holds the de_DE provider's values (en_US before, whatever the table's `locale:`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import pools
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.patterns import (
    capacity,
    fixed_width_strings,
    render_pattern,
)
from streamforge.engine.generators.permute import distinct_numbers
from streamforge.engine.pool_cache import Values, pool_values
from streamforge.plan.capacity import PROVIDER_PATTERN
from streamforge.spec.locales import DEFAULT_LOCALE

PATTERN = PROVIDER_PATTERN  # only `#` and `?` are slots: numerify's other marks are not


@dataclass(frozen=True, slots=True)
class Space:
    size: int
    render: Callable[[np.ndarray, np.random.Generator], pa.Array]  # numbers in [0, size) -> values


def _ean(length: int) -> Space:
    """`length - 1` digits and the GS1 check digit (weights 3,1,... from the right)."""
    digits = length - 1
    weights = np.array([3 if (digits - j) % 2 else 1 for j in range(digits)], dtype=np.uint64)
    powers = np.array([10 ** (digits - 1 - j) for j in range(digits)], dtype=np.uint64)

    def render(numbers: np.ndarray, rng: np.random.Generator) -> pa.Array:
        grid = (numbers.astype(np.uint64)[:, None] // powers) % np.uint64(10)
        check = (np.uint64(10) - (grid * weights).sum(axis=1) % np.uint64(10)) % np.uint64(10)
        text = np.concatenate([grid, check[:, None]], axis=1).astype(np.uint8) + ord("0")
        return fixed_width_strings(text)

    return Space(10**digits, render)


def _pattern(fmt: str) -> Space:
    def render(numbers: np.ndarray, rng: np.random.Generator) -> pa.Array:
        return render_pattern(fmt, rng, len(numbers), numbers)

    return Space(capacity(fmt), render)


def _pool(provider: str, locale: str) -> Space:
    return pool_space(pools.faker_pool(provider, locale=locale))  # its values are distinct


def pool_space(pool: pools.Pool) -> Space:
    """Every distinct value of a pool, once each (a word list may repeat a word)."""
    values = pc.unique(pool.values)
    return Space(len(values), lambda numbers, rng: values.take(pa.array(numbers.astype(np.int64))))


def template_space(template: pools.Template) -> Space:
    """Every combination of a template's parts (a name: first x last), once each."""
    return Space(template.size, lambda numbers, rng: template.render_numbers(numbers))


EXACT = {"ean13": lambda: _ean(13), "ean": lambda: _ean(13), "ean8": lambda: _ean(8)}


@functools.cache
def _faker(locale: str = DEFAULT_LOCALE) -> object:
    """Faker as the pools use it, only to read a provider's format: nothing is drawn."""
    from faker import Faker

    return Faker(locale)


def provider_format(provider: str, locale: str = DEFAULT_LOCALE) -> str | None:
    """The `<provider>_format` text Faker fills for `provider` in `locale` (None when it has
    none), kept in the pool cache: reading it from Faker means importing Faker and making an
    instance."""

    def build() -> Values:
        owner = getattr(getattr(_faker(locale), provider, None), "__self__", None)
        fmt = getattr(owner, f"{provider}_format", None)
        return ([fmt] if isinstance(fmt, str) else []), None

    where = "" if locale == DEFAULT_LOCALE else f"{locale}:"  # en_US entries predate locales
    values = pool_values(f"provider_format:{where}{provider}", build)[0]
    return values[0].as_py() if len(values) else None


@functools.cache
def space_of(provider: str, locale: str = DEFAULT_LOCALE) -> Space:
    """The countable space of a Faker provider in `locale` (see the module docstring)."""
    if provider in EXACT:
        return EXACT[provider]()
    if provider == "iban":  # country, check digits and the locale's BBAN: computed, not pooled
        from streamforge.engine.generators.iban import iban_space

        space = iban_space(locale)
        if space is not None:
            return space
    fmt = provider_format(provider, locale)
    if isinstance(fmt, str) and PATTERN.match(fmt) and ("#" in fmt or "?" in fmt):
        return _pattern(fmt)
    return _pool(provider, locale)


def unique_values(space: Space, ctx: ColumnContext) -> pa.Array:
    """Distinct values while row numbers stay below the space's size (the engine stops the run
    before they reach it)."""
    return space.render(distinct_numbers(ctx, space.size), ctx.rng)

"""The value-generator registry: one class per strategy, found by priority, never by if/elif."""

from __future__ import annotations

import functools
from typing import ClassVar

import numpy as np
import pyarrow as pa

from streamforge.engine.context import ColumnContext
from streamforge.engine.pools import lookup_table
from streamforge.plan.columns import arrow_type
from streamforge.spec.model import ColumnSpec


class ValueGenerator:
    """Fills one column of a chunk. Subclasses set `priority` (lower wins) and `matches`."""

    priority: ClassVar[int] = 100
    registry: ClassVar[list[ValueGenerator]] = []

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        ValueGenerator.registry.append(cls())
        ValueGenerator.registry.sort(key=lambda g: g.priority)

    def matches(self, col: ColumnSpec) -> bool:
        raise NotImplementedError

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        raise NotImplementedError

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        """How many distinct values a `unique` column can take (row i gets the i-th of a seeded
        permutation of them); None when there is no end (a row number is part of the value)."""
        return None

    def locale_capacity(self, col: ColumnSpec, locale: str) -> int | None:
        """`unique_capacity` in a table of this Faker locale (`spec.locales`): a generator whose
        space differs by locale (phone numbers) overrides it; by default the locale is moot."""
        return self.unique_capacity(col)

    def anomalies(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        """Values that break the column's rule (outside min/max or the allowed values).

        The default is null, which breaks the not-null rule that every anomalous column gets.
        """
        return pa.nulls(ctx.rows, arrow_type(col))

    @property
    def name(self) -> str:
        return type(self).__name__


_all_loaded = False


def load_all() -> None:
    """Import every generator module of the package, so that each has registered its classes."""
    global _all_loaded
    if _all_loaded:
        return
    import importlib
    import pkgutil

    from streamforge.engine import generators

    for module in pkgutil.iter_modules(generators.__path__):
        importlib.import_module(f"{generators.__name__}.{module.name}")
    _all_loaded = True


def generator_for(col: ColumnSpec) -> ValueGenerator:
    load_all()
    for generator in ValueGenerator.registry:
        if generator.matches(col):
            return generator
    raise LookupError(f"no value generator for column '{col.name}' of type {col.type}")


def generate_values(col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
    return generator_for(col).generate(col, ctx)


def pick(
    rng: np.random.Generator,
    rows: int,
    size: int,
    weights: tuple[float, ...] | None = None,
) -> np.ndarray:
    """Indices in [0, size), uniform or weighted (through the pools' lookup tables)."""
    if weights is None:
        return rng.integers(0, size, rows)
    table = _weighted_table(weights)
    return table[rng.integers(0, len(table), rows)]


@functools.lru_cache(maxsize=256)
def _weighted_table(weights: tuple[float, ...]) -> np.ndarray:
    p = np.asarray(weights, dtype=np.float64)
    return lookup_table(p / p.sum())

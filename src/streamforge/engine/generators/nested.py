"""Arrays and maps: per-row lengths, elements from the item spec without repeats in one list
(`distinct_items`), distinct keys within each map."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import pools
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator, generate_values
from streamforge.engine.generators.categorical import category_pool
from streamforge.engine.generators.distinct_items import distinct_elements
from streamforge.engine.generators.numeric import bounds
from streamforge.engine.generators.patterns import capacity, render_pattern
from streamforge.plan.columns import arrow_type
from streamforge.spec.model import INTEGER_TYPES, ColumnSpec

MAX_DOMAIN = 100_000


def _offsets(lengths: np.ndarray) -> pa.Array:
    return pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32), pa.int32())


class ArrayGenerator(ValueGenerator):
    priority = 5

    def matches(self, col: ColumnSpec) -> bool:
        return col.type == "array"

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        assert col.items is not None
        lengths = ctx.rng.integers(col.min_items, col.max_items + 1, ctx.rows)
        items, lengths = distinct_elements(col.items, ctx, lengths)
        return pa.ListArray.from_arrays(_offsets(lengths), items, type=arrow_type(col))


class MapGenerator(ValueGenerator):
    priority = 5

    def matches(self, col: ColumnSpec) -> bool:
        return col.type == "map"

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        assert col.map_keys is not None and col.map_values is not None
        domain = _key_domain(col.map_keys, ctx.locale)
        lengths = ctx.rng.integers(col.min_items, col.max_items + 1, ctx.rows)
        if domain is not None:
            lengths = np.minimum(lengths, len(domain))
        total = int(lengths.sum())
        child = ctx.child(total)
        if domain is not None:
            # Keys of one map must be distinct (Spark rejects duplicates): walk the domain from a
            # random start, one step per element, so a row never repeats a key.
            start = np.repeat(ctx.rng.integers(0, len(domain), ctx.rows), lengths)
            step = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            keys = domain.take(pa.array((start + step) % len(domain)))
        else:
            keys = generate_values(col.map_keys, child)
        values = generate_values(col.map_values, child)
        return pa.MapArray.from_arrays(_offsets(lengths), keys, values, type=arrow_type(col))


def _key_domain(spec: ColumnSpec, locale: str) -> pa.Array | None:
    """A finite set of distinct keys to walk (validation allows no other key types); Faker's
    in the table's `locale`."""
    if spec.choices is not None:
        return pc.unique(category_pool(spec))  # `values: [a, a, b]` is two keys, never a twice
    if spec.type == "bool":
        return pa.array([False, True])
    if spec.type == "string" and spec.faker is not None:
        return pools.faker_pool(spec.faker, locale=locale).values
    if spec.type == "string" and spec.format is not None:
        size = min(capacity(spec.format), MAX_DOMAIN)
        numbers = np.arange(size, dtype=np.int64)
        return render_pattern(spec.format, np.random.default_rng(0), size, numbers)
    if spec.type == "string":
        return pools.words(locale).values
    if spec.type in INTEGER_TYPES:
        low, high = (int(b) for b in bounds(spec))
        count = min(high - low + 1, MAX_DOMAIN)  # counted from low: low + count stays in int64
        return pa.array(np.arange(count, dtype=np.int64) + np.int64(low)).cast(arrow_type(spec))
    return None

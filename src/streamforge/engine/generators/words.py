"""Any other string: random title-case words (the original's fallback), in the table's locale."""

from __future__ import annotations

import functools

import pyarrow as pa

from streamforge.engine import pools
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator
from streamforge.engine.generators.permute import distinct_numbers
from streamforge.spec.locales import DEFAULT_LOCALE
from streamforge.spec.model import ColumnSpec


class WordsGenerator(ValueGenerator):
    """Any other string: one or two random title-case words (the original's fallback)."""

    priority = 90

    def matches(self, col: ColumnSpec) -> bool:
        return col.type == "string"

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        return _words(DEFAULT_LOCALE).size

    def locale_capacity(self, col: ColumnSpec, locale: str) -> int | None:
        return _words(locale).size

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        words = _words(ctx.locale)
        if col.unique:
            return words.render_numbers(distinct_numbers(ctx, words.size))
        return words.render(ctx.rng, ctx.rows)


@functools.cache
def _words(locale: str) -> pools.Template:
    """A word of the locale's, then half the time a space and a second word."""
    words = pools.words(locale)
    second = pa.concat_arrays([pa.array([""], pa.string()), words.decorate(prefix=" ").values])
    return pools.Template(words, pools.Pool(second, [0.5] + [0.5 / len(words)] * len(words)))

"""Text that reads: product names, part descriptions, reviews, notes and titles, composed from
shipped word lists (`engine/vocab/words.py`) or Faker's phrases, never random words."""

from __future__ import annotations

import functools
import re

import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import pools
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator
from streamforge.engine.generators.permute import distinct_numbers
from streamforge.engine.generators.row_fields import is_free_text
from streamforge.engine.vocab import words
from streamforge.spec.model import ColumnSpec

PRODUCT_WORDS = ("product", "item", "article", "listing", "sku", "merchandise", "good")
PRODUCT = re.compile(rf"^(({'|'.join(PRODUCT_WORDS)})s?_)?(name|title)$")
KINDS = (
    (re.compile(r"(^|_)part_(name|description)$"), "part"),
    (re.compile(r"(^|_)(review|review_text|feedback|testimonial)$"), "review"),
    (re.compile(r"(^|_)(notes?|comments?|remarks?|memo)$"), "note"),
    (re.compile(r"(^|_)(description|summary|details)$"), "description"),
    (re.compile(r"_title$"), "title"),
)
NOT_TEXT = ("job_title",)  # a job, from the person's smart fields


def text_kind(name: str, table: str | None = None) -> str | None:
    """Which text a column name asks for; `name`/`title` in a product table is a product."""
    product_table = table is not None and table.rstrip("s") in PRODUCT_WORDS
    if name in NOT_TEXT:
        return None
    if PRODUCT.match(name) and (name not in ("name", "title") or product_table):
        return "product"
    if name.startswith(tuple(w + "_" for w in PRODUCT_WORDS)) and name.endswith("description"):
        return "product_description"
    if name == "description" and product_table:
        return "product_description"
    return next((kind for pattern, kind in KINDS if pattern.search(name)), None)


def _pool(values: tuple[str, ...], suffix: str = "") -> pools.Pool:
    return pools.Pool(pa.array([v + suffix for v in values], pa.string()))


@functools.cache
def template(kind: str) -> pools.Template:
    """The parts a text of `kind` is made of."""
    if kind in ("product", "product_description"):
        end = "" if kind == "product" else "."
        names = [
            f"{adjective} {material} {noun} {size}{end}"
            for adjectives, materials, nouns, sizes in words.PRODUCT_FAMILIES.values()
            for adjective in adjectives
            for material in materials
            for noun in nouns
            for size in sizes
        ]
        return pools.Template(pools.Pool(pa.array(names, pa.string())))
    if kind == "part":
        return pools.Template(
            _pool(words.PART_MATERIALS, " "), _pool(words.PART_NOUNS, ", "), _pool(words.PART_SIZES)
        )
    if kind == "review":
        return pools.Template(
            _pool(words.REVIEW_OPENERS, " "),
            _pool(words.REVIEW_DETAILS, " "),
            _pool(words.REVIEW_CLOSERS),
        )
    if kind == "note":
        return pools.Template(
            _pool(words.NOTE_ACTIONS, " "), _pool(words.NOTE_OBJECTS), _pool(words.NOTE_OUTCOMES)
        )
    phrases = pools.faker_pool("catch_phrase")  # "Multi-layered client-server neural-net"
    if kind == "title":
        return pools.Template(pools.Pool(pc.utf8_title(phrases.values)))
    return pools.Template(pools.Pool(pc.binary_join_element_wise(phrases.values, ".", "")))


class TextGenerator(ValueGenerator):
    """`product_name`/`product_title` (and `name`/`title` of a product table), `*_description`,
    `review`, `notes`/`comment`, `*_title`: sentence-like text (see `text_kind`)."""

    priority = 34  # before person fields: `name` in a product table is the product's

    def matches(self, col: ColumnSpec) -> bool:
        return is_free_text(col) and text_kind(col.name, "product") is not None

    def _kind(self, col: ColumnSpec, ctx: ColumnContext | None) -> str | None:
        table = ctx.row.table.name if ctx is not None and ctx.row is not None else None
        return text_kind(col.name, table)

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        kind = text_kind(col.name, None)
        if kind is None:  # `name`/`title`: a product only in a product table
            return self._fallback(col).unique_capacity(col)
        return template(kind).size

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        kind = self._kind(col, ctx)
        if kind is None:  # `name`/`title` outside a product table: someone else's field
            return self._fallback(col).generate(col, ctx)
        made = template(kind)
        if col.unique:
            return made.render_numbers(distinct_numbers(ctx, made.size))
        return made.render(ctx.rng, ctx.rows)

    def _fallback(self, col: ColumnSpec) -> ValueGenerator:
        return next(
            g for g in ValueGenerator.registry if g.priority > self.priority and g.matches(col)
        )

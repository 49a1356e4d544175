"""Text that reads: product names, part descriptions, reviews, notes and titles, composed from
shipped word lists (`engine/vocab/words.py`, `engine/vocab/product_names.yml`) or Faker's
phrases, never random words. A product's name fits the row's department or category.

In a table whose locale Faker writes text for (`spec.locales.text_locales`: de_DE among them),
reviews, notes, descriptions and titles are Faker's sentences of that locale, in its language;
product names and part descriptions come from the shipped English vocabulary in every locale."""

from __future__ import annotations

import functools
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import pools
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator, generate_values
from streamforge.engine.generators.permute import distinct_numbers
from streamforge.engine.generators.row_fields import is_free_text
from streamforge.engine.vocab import products, words
from streamforge.spec.locales import DEFAULT_LOCALE, text_locales
from streamforge.spec.model import ColumnSpec, TableSpec

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
# A product's name follows the first of these columns that the row has (a string it draws)
CATEGORY_COLUMNS = (
    "department",
    "category",
    "product_department",
    "product_category",
    "department_name",
    "category_name",
)


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


LOCALE_KINDS = ("review", "note", "description", "title")  # Faker writes these in the locale


@functools.cache
def template(kind: str, locale: str = DEFAULT_LOCALE) -> pools.Template:
    """The parts a text of `kind` is made of, in `locale`'s language where Faker has text in it
    (else the shipped English vocabulary)."""
    if kind in LOCALE_KINDS and locale != DEFAULT_LOCALE and locale in text_locales():
        return _locale_template(kind, locale)
    if kind in ("product", "product_description"):
        return department_template(kind, None)
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


def _locale_template(kind: str, locale: str) -> pools.Template:
    """Faker's sentences of `locale` (a pool cached like the others); a title is one without
    its stop, title-case."""
    sentences = pools.faker_pool("sentence", pools.POOL_SIZE, locale)
    if kind == "title":
        bare = pc.utf8_title(pc.utf8_rtrim(sentences.values, "."))
        return pools.Template(pools.Pool(pa.array(dict.fromkeys(bare.to_pylist()), pa.string())))
    return pools.Template(sentences)


@functools.cache
def department_template(kind: str, department: str | None) -> pools.Template:
    """Product names (`kind` "product") or one-sentence descriptions of `department`'s
    vocabulary; of every department when None."""
    end = "" if kind == "product" else "."
    names = [name + end for name in products.names(department)]
    return pools.Template(pools.Pool(pa.array(names, pa.string())))


def category_column(table: TableSpec, exclude: str, kind: str = "product") -> ColumnSpec | None:
    """The row's column that a text of `kind` follows: a product's department or category, a
    part's material. A drawn string (a computed one is made after the row's drawn columns, so it
    cannot be re-made here); None when the row has none or `kind` follows nothing."""
    names: dict[str, tuple[str, ...]] = {"part": ("material",)}
    names.update(product=CATEGORY_COLUMNS, product_description=CATEGORY_COLUMNS)
    for name in names.get(kind, ()):
        col = table.column(name)
        if col is not None and name != exclude and col.type == "string" and col.expr is None:
            return col
    return None


@functools.cache
def department_names(kind: str) -> tuple[pa.StringArray, np.ndarray, np.ndarray]:
    """Every department's names one after the other, then every family's (for departments the
    vocabulary lacks): (names, start of each department's run, its length)."""
    end = "" if kind == "product" else "."
    runs = [products.names(d) for d in products.departments()] + [products.names(None)]
    sizes = np.array([len(r) for r in runs], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    names = pa.array([n + end for r in runs for n in r], pa.string())
    return names, starts, sizes


def by_department(kind: str, departments: pa.Array, rng: np.random.Generator) -> pa.Array:
    """One name per row, uniform over its department's vocabulary (over every family when the
    vocabulary lacks the department, or it is null): one draw and one gather for the chunk."""
    if isinstance(departments, pa.ChunkedArray):
        departments = departments.combine_chunks()
    encoded = pc.dictionary_encode(departments)
    known = list(products.departments())
    code_of = np.array(  # per distinct value (a handful), then null: its run in the names
        [
            len(known) if (d := products.department_of(v)) is None else known.index(d)
            for v in encoded.dictionary.to_pylist()
        ]
        + [len(known)],
        dtype=np.int64,
    )
    codes = code_of[pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy()]
    names, starts, sizes = department_names(kind)
    picked = starts[codes] + (rng.random(len(codes)) * sizes[codes]).astype(np.int64)
    return names.take(pa.array(picked))


def by_material(materials: pa.Array, rng: np.random.Generator) -> pa.Array:
    """`<the row's material> <part>, <size>`: the material as the vocabulary spells it
    (STAINLESS_STEEL -> "Stainless steel"), else its words; a null material is drawn."""
    if isinstance(materials, pa.ChunkedArray):
        materials = materials.combine_chunks()
    encoded = pc.dictionary_encode(materials)
    spelled = pa.array([words.spell_material(v) for v in encoded.dictionary.to_pylist()])
    drawn = _pool(words.PART_MATERIALS).sample(rng, len(materials))
    named = pc.fill_null(spelled.take(encoded.indices), drawn)
    rest = pools.Template(_pool(words.PART_NOUNS, ", "), _pool(words.PART_SIZES))
    return pc.binary_join_element_wise(named, rest.render(rng, len(materials)), " ")


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

    def locale_capacity(self, col: ColumnSpec, locale: str) -> int | None:
        kind = text_kind(col.name, None)
        if kind is None:  # someone else's field, maybe of the locale
            return self._fallback(col).locale_capacity(col, locale)
        return template(kind, locale).size

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        kind = self._kind(col, ctx)
        if kind is None:  # `name`/`title` outside a product table: someone else's field
            return self._fallback(col).generate(col, ctx)
        made = template(kind, ctx.locale)
        category = None
        if not col.unique and ctx.row is not None:
            category = category_column(ctx.row.table, col.name, kind)
        if category is not None:
            assert ctx.row is not None
            followed = ctx.row.known.get(category.name)
            if followed is None:
                followed = generate_values(category, ctx.row.context(category.name))
            if kind == "part":
                return by_material(followed, ctx.rng)
            return by_department(kind, followed, ctx.rng)
        if col.unique:
            return made.render_numbers(distinct_numbers(ctx, made.size))
        return made.render(ctx.rng, ctx.rows)

    def _fallback(self, col: ColumnSpec) -> ValueGenerator:
        return next(
            g for g in ValueGenerator.registry if g.priority > self.priority and g.matches(col)
        )

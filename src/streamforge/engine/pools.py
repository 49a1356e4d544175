"""Realistic value pools taken from Faker once per process, then sampled with numpy.

Faker is slow per value (tens of microseconds) but its word lists are good; sampling a pool by index
keeps the realism and costs nanoseconds. Pools are seeded, so they are the same in every run
with the same Faker version; `pool_cache` keeps their values on disk per Faker version, so a run
neither imports Faker nor calls it once the cache holds them.

Text made of several pieces (a name, an e-mail, an address) is rendered by `Template`: all its
pieces live in one Arrow array and one `take` copies every row's pieces end to end, so no string
is ever joined row by row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.pool_cache import Values, pool_values

POOL_SIZE = 4000
LOOKUP_SLOTS = 1 << 16  # the least slots of a weighted pool's lookup table


class Pool:
    """Distinct strings, drawn uniformly or by frequency (through a lookup table: one uniform
    integer and one gather per draw)."""

    __slots__ = ("_decorated", "_table", "probabilities", "values")

    def __init__(self, values: pa.Array, weights: Sequence[float] | np.ndarray | None = None):
        self.values: pa.StringArray = values.cast(pa.string())
        self._decorated: dict[tuple[str, str], Pool] = {}
        self.probabilities: np.ndarray | None = None
        self._table: np.ndarray | None = None
        if weights is not None:
            weights = np.asarray(weights, dtype=np.float64)
            self.probabilities = weights / weights.sum()
            self._table = lookup_table(self.probabilities)

    def __len__(self) -> int:
        return len(self.values)

    def indices(self, rng: np.random.Generator, rows: int) -> np.ndarray:
        """`rows` positions in the pool, one uniform draw each."""
        if self._table is None:
            return rng.integers(0, len(self.values), rows)
        return self._table[rng.integers(0, len(self._table), rows)]

    def sample(self, rng: np.random.Generator, rows: int) -> pa.StringArray:
        return self.values.take(pa.array(self.indices(rng, rows)))

    def decorate(self, prefix: str = "", suffix: str = "") -> Pool:
        """The same pool (same draws, same weights) with text around every value: cached."""
        key = (prefix, suffix)
        if key not in self._decorated:
            values = pc.binary_join_element_wise(prefix, self.values, suffix, "")
            self._decorated[key] = self._same_draws(values)
        return self._decorated[key]

    def _same_draws(self, values: pa.StringArray) -> Pool:
        pool = Pool.__new__(Pool)
        pool.values, pool._decorated = values, {}
        pool.probabilities, pool._table = self.probabilities, self._table
        return pool

    def draw_probabilities(self) -> np.ndarray:
        """The chance of each value (uniform when the pool has no weights)."""
        if self.probabilities is not None:
            return self.probabilities
        return np.full(len(self), 1.0 / len(self))


def product(first: Pool, second: Pool) -> Pool:
    """Every `first` value followed by every `second` value, drawn with the product of their
    probabilities: one draw renders what two independent draws would."""
    size = len(second)
    left = first.values.take(pa.array(np.repeat(np.arange(len(first)), size)))
    right = second.values.take(pa.array(np.tile(np.arange(size), len(first))))
    weights = np.outer(first.draw_probabilities(), second.draw_probabilities()).ravel()
    return Pool(pc.binary_join_element_wise(left, right, ""), weights)


def lookup_table(probabilities: np.ndarray) -> np.ndarray:
    """Pool positions, each repeated in proportion to its probability, in a table of 2**k slots
    (at least 64 per value): a draw is one uniform slot, 4x faster than Walker's alias method,
    which needs a float, two gathers and a select.

    Every value with a chance gets one slot first, so none becomes impossible; the other slots
    are shared in proportion, by largest remainder. A value's count is off its exact share by
    under 2 + p * (values with a chance) slots.
    """
    size = len(probabilities)
    slots = max(LOOKUP_SLOTS, 1 << int(np.ceil(np.log2(64 * size))))
    possible = probabilities > 0
    shared = slots - int(possible.sum())
    exact = probabilities * shared
    counts = np.floor(exact).astype(np.int64)
    missing = shared - int(counts.sum())
    counts[np.argsort(counts - exact, kind="stable")[:missing]] += 1
    dtype = np.int16 if size <= np.iinfo(np.int16).max else np.int32
    return np.repeat(np.arange(size, dtype=dtype), counts + possible)


def compose(pieces: pa.StringArray, index: np.ndarray) -> pa.StringArray:
    """Row r is pieces[index[r, 0]] + pieces[index[r, 1]] + ...: one take, then every `width`-th
    offset of the result (the taken pieces of a row are already adjacent in its data buffer)."""
    rows, width = index.shape
    taken = pieces.take(pa.array(index.reshape(-1)))
    if width == 1:
        return taken
    offsets = np.frombuffer(taken.buffers()[1], np.int32, rows * width + 1)[::width]
    data = taken.buffers()[2] or pa.py_buffer(b"")
    return pa.StringArray.from_buffers(rows, pa.py_buffer(np.ascontiguousarray(offsets)), data)


class Template:
    """Text made of parts (pools drawn independently, or literal text), rendered with `compose`.

    The draws are made part by part, in order, from the one generator passed to `render`.
    """

    def __init__(self, *parts: Pool | str):
        self.parts = tuple(
            Pool(pa.array([p], pa.string())) if isinstance(p, str) else p for p in parts
        )
        starts = np.cumsum([0, *(len(p) for p in self.parts)])
        self.starts = starts[:-1]
        self.pieces: pa.StringArray = pa.concat_arrays([p.values for p in self.parts])

    def render(
        self,
        rng: np.random.Generator,
        rows: int,
        given: Mapping[int, pa.StringArray] | None = None,
    ) -> pa.StringArray:
        """`given` replaces the part at an index by row-aligned text without nulls (e.g. a
        distinct number per row)."""
        given = given or {}
        pieces = self.pieces
        index = np.empty((rows, len(self.parts)), dtype=np.int64)
        for position, (part, start) in enumerate(zip(self.parts, self.starts, strict=True)):
            if position in given:
                text = given[position]
                text = text if text.type == pa.string() else text.cast(pa.string())
                if len(text) != rows or text.null_count:
                    raise ValueError("given text must have one value per row and no nulls")
                index[:, position] = len(pieces) + np.arange(rows)
                pieces = pa.concat_arrays([pieces, text])
            elif len(part) == 1:
                index[:, position] = start
            else:
                index[:, position] = part.indices(rng, rows) + start
        return compose(pieces, index)

    @property
    def size(self) -> int:
        """How many part choices there are (the distinct texts, when parts join unambiguously)."""
        return int(np.prod([len(p) for p in self.parts], dtype=object))

    def render_numbers(self, numbers: np.ndarray) -> pa.StringArray:
        """Row r takes the parts named by the mixed-radix digits of numbers[r] (the last part
        is the least significant), so distinct numbers below `size` pick distinct parts."""
        rest = numbers.astype(np.uint64)
        index = np.empty((len(rest), len(self.parts)), dtype=np.int64)
        for position in range(len(self.parts) - 1, -1, -1):
            radix = np.uint64(len(self.parts[position]))
            index[:, position] = (rest % radix).astype(np.int64) + self.starts[position]
            rest = rest // radix
        return compose(self.pieces, index)


def _weighted(mapping: Mapping[str, float]) -> Values:
    return list(mapping), list(mapping.values())


def _cached(name: str, build: Callable[[], Values]) -> Pool:
    values, weights = pool_values(name, build)
    return Pool(values, weights)


def _faker(locale: str = "en_US"):
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(20240601)
    return fake


@functools.cache
def first_names() -> Pool:
    def build() -> Values:
        from faker.providers.person.en_US import Provider

        return _weighted({**Provider.first_names_female, **Provider.first_names_male})

    return _cached("first_names", build)


@functools.cache
def last_names() -> Pool:
    def build() -> Values:
        from faker.providers.person.en_US import Provider

        return _weighted(dict(Provider.last_names))

    return _cached("last_names", build)


@functools.cache
def first_names_lower() -> Pool:
    return _lowered(first_names())


@functools.cache
def last_names_lower() -> Pool:
    return _lowered(last_names())


def _lowered(pool: Pool) -> Pool:
    return pool._same_draws(pc.utf8_lower(pool.values))


@functools.cache
def static_pool(provider: str, attribute: str) -> Pool:
    """A pool straight from a Faker provider's en_US word list (no Faker calls)."""

    def build() -> Values:
        import importlib

        module = importlib.import_module(f"faker.providers.{provider}.en_US")
        return [str(v) for v in getattr(module.Provider, attribute)], None

    return _cached(f"static_pool:{provider}:{attribute}", build)


@functools.cache
def faker_pool(method: str, size: int = POOL_SIZE, locale: str = "en_US") -> Pool:
    """`size` values from any Faker provider method in `locale`, de-duplicated, newlines
    flattened."""

    def build() -> Values:
        maker = getattr(_faker(locale), method)
        seen: dict[str, None] = {}
        for _ in range(size):
            text = str(maker()).replace("\n", ", ")
            seen.setdefault(text, None)
        return list(seen), None

    where = "" if locale == "en_US" else f"{locale}:"  # en_US names predate locales: keep them
    return _cached(f"faker_pool:{where}{method}:{size}", build)


@functools.cache
def words(locale: str = "en_US") -> Pool:
    """Faker's lorem words of `locale` (en_US's where Faker has none), title-case, each once."""

    def build() -> Values:
        import importlib

        try:
            module = importlib.import_module(f"faker.providers.lorem.{locale}")
        except ModuleNotFoundError:
            module = importlib.import_module("faker.providers.lorem.en_US")
        # distinct: de_DE lists `Hund` and `hund`, one word once title-cased (map keys walk it)
        return list(dict.fromkeys(w.title() for w in module.Provider.word_list)), None

    return _cached("words" if locale == "en_US" else f"lorem_words:{locale}", build)


@functools.cache
def email_domains() -> Pool:
    base = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com"]
    companies = faker_pool("domain_name", 400).values.to_pylist()
    return Pool(pa.array(base * 20 + companies, pa.string()))


@functools.cache
def numbers(low: int, high: int, width: int = 0) -> Pool:
    """The decimal texts of low..high-1 (zero-padded to `width`), drawn uniformly: index i is
    the number low + i."""
    text = pc.cast(pa.array(np.arange(low, high, dtype=np.int64)), pa.string())
    if width:
        text = pc.utf8_lpad(text, width, "0")
    return Pool(text)


@functools.cache
def maybe_number(low: int, high: int, chance: float) -> Pool:
    """Empty text, or with probability `chance` a number in low..high-1 drawn uniformly."""
    count = high - low
    values = pa.concat_arrays([pa.array([""], pa.string()), numbers(low, high).values])
    return Pool(values, [1.0 - chance, *([chance / count] * count)])

"""People whose fields agree: a name, its first and last name, an e-mail and a user name made
from it, a first name that fits the row's sex, in the table's Faker locale.

Every field of one person is rendered from the same `PersonDraws`: each part of a person (first
name, last name, e-mail style, ...) has its own stream per person and chunk, so a column made alone
on any thread draws exactly what its sibling columns drew, and only the parts it shows. All text
is assembled by `pools.compose`: one `take` over the person's pieces, no string built row by row.
"""

from __future__ import annotations

import functools
import importlib
import unicodedata
from collections.abc import Callable, Sized
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import pools
from streamforge.engine.pool_cache import Values, pool_values

FEMALE, MALE, EITHER = 0, 1, 2
FEMALE_WORDS = ("f", "female", "w", "woman", "girl", "feminine")
MALE_WORDS = ("m", "male", "man", "boy", "masculine")


def _names(locale: str, attribute: str) -> Values:
    """A Faker person word list (weighted when Faker gives frequencies), or nothing."""
    module = importlib.import_module(f"faker.providers.person.{locale}")
    names = getattr(module.Provider, attribute, None) or ()
    if isinstance(names, dict):
        return [str(n) for n in names], [float(w) for w in names.values()]
    return list(dict.fromkeys(str(n) for n in names)), None


def ascii_lower(name: str) -> str:
    """`Jürgen` -> `juergen`, `José` -> `jose`: what fits before the @ of an address."""
    text = name.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and c.isalnum())


def _weights(values: Sized, weights: list[float] | None) -> list[float]:
    return [1.0] * len(values) if weights is None else list(weights)


def _share(female: Sized, female_w: list[float] | None, male: Sized, male_w) -> float:
    """The female names' share of all first-name draws (by Faker's frequencies)."""
    f, m = sum(_weights(female, female_w)), sum(_weights(male, male_w))
    return f / (f + m)


def _table(values: Sized, weights: list[float] | None) -> np.ndarray:
    p = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=np.float64)
    table = pools.lookup_table(p / p.sum())
    return table.astype(np.int32)


@dataclass(frozen=True, slots=True)
class PersonPools:
    """Every piece a person field is made of, in one array, and the draw tables into it."""

    pieces: pa.StringArray
    starts: dict[str, int]  # block name -> position of its first piece
    first: np.ndarray  # lookup table of first-name positions, female and male names together
    female: np.ndarray  # only the female names (they come first in the block)
    male: np.ndarray
    female_share: float  # of first names when the row's sex is not known
    last: np.ndarray
    number: np.ndarray  # lookup table into the "number" block ("" half the time)
    domain: np.ndarray
    first_count: int  # first names (female and male)
    gendered: bool  # False when the locale has no female/male lists (sex cannot be honoured)


@functools.cache
def person_pools(locale: str) -> PersonPools:
    """The pieces and draw tables of the locale's people. Built with Arrow kernels, not a loop
    per name: lowering ~7,000 names one by one cost ~10 ms of a warm generate (issue 14)."""

    def cached(name: str, build) -> tuple[pa.StringArray, list[float] | None]:
        return pool_values(f"person:{locale}:{name}", build)

    female, female_w = cached("first_names_female", lambda: _names(locale, "first_names_female"))
    male, male_w = cached("first_names_male", lambda: _names(locale, "first_names_male"))
    gendered = bool(len(female) and len(male))
    if not gendered:
        female, female_w = cached("first_names", lambda: _names(locale, "first_names"))
        male, male_w = female, female_w
    last, last_w = cached("last_names", lambda: _names(locale, "last_names"))
    first = pa.concat_arrays([female, male])
    first_lower = _or(ascii_lower_all(first), "user")
    numbers = [""] + [str(n) for n in range(1, 100)]
    domains = _domains(locale)
    blocks = {
        "first": first,
        "first_space": _joined(first, " "),
        "last": last,
        # an address starts first.last, first_last, firstlast or flast: style * len(first) + i
        "lead": pa.concat_arrays(
            [
                _joined(first_lower, "."),
                _joined(first_lower, "_"),
                first_lower,
                pc.utf8_slice_codeunits(first_lower, 0, 1),
            ]
        ),
        "last_lower": _or(ascii_lower_all(last), "person"),
        "number": pa.array(numbers, pa.string()),
        "at_domain": pa.array(["@" + d for d in domains], pa.string()),
    }
    starts, position = {}, 0
    for name, values in blocks.items():
        starts[name] = position
        position += len(values)
    pieces = pa.concat_arrays([values.cast(pa.string()) for values in blocks.values()])
    return PersonPools(
        pieces=pieces,
        starts=starts,
        first=_table(first, _weights(female, female_w) + _weights(male, male_w)),
        female=_table(female, female_w),
        male=_table(male, male_w) + len(female),
        female_share=_share(female, female_w, male, male_w),
        last=_table(last, last_w),
        number=_table(numbers, [1.0] + [1.0 / 99] * 99),
        domain=_table(domains, None),
        first_count=len(first),
        gendered=gendered,
    )


def ascii_lower_all(names: pa.Array) -> pa.StringArray:
    """`ascii_lower` of every name at once, with Arrow's kernels (the same text for every name
    Faker has, tests/engine/test_people_lower.py)."""
    text = pc.utf8_lower(names.cast(pa.string()))
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = pc.replace_substring(text, umlaut, spelled)
    text = pc.utf8_normalize(text, "NFKD")
    return pc.replace_substring_regex(text, "[^A-Za-z0-9]", "")


def _or(names: pa.StringArray, instead: str) -> pa.StringArray:
    """Each name, or `instead` where it is empty (nothing of it was ASCII)."""
    empty = pc.equal(pc.utf8_length(names), 0)
    return pc.if_else(empty, pa.scalar(instead, pa.string()), names)


def _joined(names: pa.StringArray, suffix: str) -> pa.StringArray:
    return pc.binary_join_element_wise(names, pa.scalar(suffix, pa.string()), "")


def _domains(locale: str) -> list[str]:
    """Free-mail domains (most addresses) and company domains, as Faker has them for the locale."""
    if locale == "en_US":
        return pools.email_domains().values.to_pylist()
    free = pools.faker_pool("free_email_domain", 200, locale).values.to_pylist()
    companies = pools.faker_pool("domain_name", 400, locale).values.to_pylist()
    return free * 20 + companies


class PersonDraws:
    """The row's people, each part (first name, last name, e-mail style, ...) drawn from its own
    stream only when a field asks for it; `stream(part)` gives every field of the same person
    and rows the same generator, so a `name` and an `email` column agree.

    `sex` (FEMALE, MALE or EITHER per row) picks the first name's list.
    """

    def __init__(
        self,
        stream: Callable[[str], np.random.Generator],
        rows: int,
        person: PersonPools,
        sex: np.ndarray | None = None,
        shared: Callable[[str, Callable[[], np.ndarray]], np.ndarray] | None = None,
    ) -> None:
        self.stream, self.rows, self.person, self.sex = stream, rows, person, sex
        self.shared = shared or (lambda name, make: make())

    def _pick(self, part: str, table: np.ndarray) -> np.ndarray:
        return table[self.stream(part).integers(0, len(table), self.rows, dtype=np.int32)]

    @functools.cached_property
    def first(self) -> np.ndarray:
        return self.shared("first", self._first)

    def _first(self) -> np.ndarray:
        person = self.person
        if self.sex is None:
            return self._pick("first", person.first)
        female, male = self._pick("female", person.female), self._pick("male", person.male)
        coin = self.stream("coin").random(self.rows) < person.female_share
        return np.where(np.where(self.sex == EITHER, coin, self.sex == FEMALE), female, male)

    @functools.cached_property
    def last(self) -> np.ndarray:
        return self.shared("last", lambda: self._pick("last", self.person.last))

    def style(self, kind: str) -> np.ndarray:
        """0 first.last, 1 first_last, 2 firstlast, 3 flast."""
        return self.stream(f"{kind}_style").integers(0, 4, self.rows)

    def number(self, kind: str) -> np.ndarray:
        """Position in the number block: none half the time, else 1..99."""
        return self._pick(f"{kind}_number", self.person.number)

    def domain(self) -> np.ndarray:
        return self._pick("domain", self.person.domain)


def sex_of(values: pa.Array) -> np.ndarray:
    """FEMALE, MALE or EITHER for each value of a sex/gender column (`F`, `Male`, `woman`, ...)."""
    text = pc.utf8_lower(pc.utf8_trim_whitespace(values.cast(pa.string())))
    female = pc.is_in(text, pa.array(FEMALE_WORDS)).to_numpy(zero_copy_only=False)
    male = pc.is_in(text, pa.array(MALE_WORDS)).to_numpy(zero_copy_only=False)
    return np.where(female, FEMALE, np.where(male, MALE, EITHER))


def render(
    person: PersonPools,
    draws: PersonDraws,
    kind: str,
    domain: pa.Array | None = None,
    tag: np.ndarray | None = None,
) -> pa.StringArray:
    """One person field (`name`, `first_name`, `last_name`, `email`, `username`) for each row.

    `domain` (text per row, no nulls) replaces the drawn domain: the company's, for staff.
    `tag` (a distinct number per row) replaces the e-mail's number: distinct addresses for
    `unique`.
    """
    s = person.starts
    first = draws.first
    if kind == "name":
        columns = [s["first_space"] + first, s["last"] + draws.last]
    elif kind == "first_name":
        columns = [s["first"] + first]
    elif kind == "last_name":
        columns = [s["last"] + draws.last]
    else:
        lead = s["lead"] + draws.style(kind) * person.first_count + first
        number = s["number"] + draws.number(kind) if tag is None else np.zeros_like(first)
        columns = [lead, s["last_lower"] + draws.last, number]
        if kind == "email":
            columns.append(s["at_domain"] + draws.domain())
    extra: list[pa.Array] = []
    if tag is not None:
        columns[2] = len(person.pieces) + np.arange(draws.rows)
        extra.append(pc.cast(pa.array(tag), pa.string()))
    if domain is not None and kind == "email":
        columns[3] = len(person.pieces) + draws.rows * len(extra) + np.arange(draws.rows)
        extra.append(pc.binary_join_element_wise("@", domain.cast(pa.string()), ""))
    pieces = pa.concat_arrays([person.pieces, *extra]) if extra else person.pieces
    index = np.empty((draws.rows, len(columns)), dtype=np.int64)
    for position, column in enumerate(columns):
        index[:, position] = column
    return pools.compose(pieces, index)


def company_domains(company: pa.Array, locale: str) -> pa.Array:
    """`Smith, Jones and Brown` -> `smith.com` (the locale's top-level domain), null for null."""
    text = pc.utf8_lower(company.cast(pa.string()))
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = pc.replace_substring(text, umlaut, spelled)
    text = pc.replace_substring_regex(text, r"^[^a-z0-9]+", "")
    word = pc.replace_substring_regex(text, r"[^a-z0-9].*$", "")
    word = pc.if_else(pc.equal(pc.utf8_length(word), 0), pa.scalar("company"), word)
    return pc.binary_join_element_wise(word, pa.scalar(top_level_domain(locale)), "")


def top_level_domain(locale: str) -> str:
    country = locale.partition("_")[2].lower()
    return {"": ".com", "us": ".com", "gb": ".co.uk"}.get(country, f".{country}")

"""People whose fields agree: a name, its first and last name, an e-mail and a user name made
from it, a first name that fits the row's sex, in the table's Faker locale.

Every field of one person is rendered from the same `PersonDraws`, which come from the person's
own random stream (two raw 64-bit words per row, cut into bit fields), so a column made alone on
any thread draws exactly what its sibling columns drew. All text is assembled by `pools.compose`:
one `take` over the person's pieces, no string built row by row.
"""

from __future__ import annotations

import functools
import importlib
import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import pools
from streamforge.engine.pool_cache import Values, pool_values

FEMALE, MALE, EITHER = 0, 1, 2
FEMALE_WORDS = ("f", "female", "w", "woman", "girl", "feminine")
MALE_WORDS = ("m", "male", "man", "boy", "masculine")
FIELD_BITS = 21  # every lookup table has at most 2**21 slots, so a draw is a 21-bit field
SEPARATORS = (".", "_", "")


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


def _table(values: list[str], weights: list[float] | None) -> np.ndarray:
    p = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=np.float64)
    table = pools.lookup_table(p / p.sum())
    assert len(table) <= 1 << FIELD_BITS
    return table.astype(np.int32)


@dataclass(frozen=True, slots=True)
class PersonPools:
    """Every piece a person field is made of, in one array, and the draw tables into it."""

    pieces: pa.StringArray
    starts: dict[str, int]  # block name -> position of its first piece
    female: np.ndarray  # lookup table of first-name positions (female names come first)
    male: np.ndarray
    last: np.ndarray
    number: np.ndarray  # lookup table into the "number" block ("" half the time)
    domain: np.ndarray
    gendered: bool  # False when the locale has no female/male lists (sex cannot be honoured)


@functools.cache
def person_pools(locale: str) -> PersonPools:
    def cached(name: str, build) -> tuple[list[str], list[float] | None]:
        values, weights = pool_values(f"person:{locale}:{name}", build)
        return values.to_pylist(), weights

    female, female_w = cached("first_names_female", lambda: _names(locale, "first_names_female"))
    male, male_w = cached("first_names_male", lambda: _names(locale, "first_names_male"))
    gendered = bool(female and male)
    if not gendered:
        female, female_w = cached("first_names", lambda: _names(locale, "first_names"))
        male, male_w = female, female_w
    last, last_w = cached("last_names", lambda: _names(locale, "last_names"))
    first = female + male
    first_lower = [ascii_lower(n) or "user" for n in first]
    last_lower = [ascii_lower(n) or "person" for n in last]
    numbers = [""] + [str(n) for n in range(1, 100)]
    domains = _domains(locale)
    blocks = {
        "first": first,
        "last": last,
        "first_lower": first_lower,
        "initial": [n[0] for n in first_lower],
        "last_lower": last_lower,
        "separator": list(SEPARATORS),
        "space": [" "],
        "at": ["@"],
        "number": numbers,
        "domain": domains,
    }
    starts, position = {}, 0
    for name, values in blocks.items():
        starts[name] = position
        position += len(values)
    pieces = pa.array([v for values in blocks.values() for v in values], pa.string())
    return PersonPools(
        pieces=pieces,
        starts=starts,
        female=_table(female, female_w),
        male=_table(male, male_w) + len(female),
        last=_table(last, last_w),
        number=_table(numbers, [1.0] + [1.0 / 99] * 99),
        domain=_table(domains, None),
        gendered=gendered,
    )


def _domains(locale: str) -> list[str]:
    """Free-mail domains (most addresses) and company domains, as Faker has them for the locale."""
    if locale == "en_US":
        return pools.email_domains().values.to_pylist()
    free = pools.faker_pool("free_email_domain", 200, locale).values.to_pylist()
    companies = pools.faker_pool("domain_name", 400, locale).values.to_pylist()
    return free * 20 + companies


@dataclass(frozen=True, slots=True)
class PersonDraws:
    """One person per row: positions into `PersonPools.pieces` blocks."""

    first: np.ndarray  # into the first-name blocks
    last: np.ndarray
    email_style: np.ndarray  # 0 first.last, 1 first_last, 2 firstlast, 3 flast
    email_number: np.ndarray  # into the number block
    domain: np.ndarray
    user_style: np.ndarray
    user_number: np.ndarray


def _field(word: np.ndarray, shift: int, table: np.ndarray) -> np.ndarray:
    mask = np.uint64(len(table) - 1)  # tables have 2**k slots
    return table[((word >> np.uint64(shift)) & mask).astype(np.int64)]


def draw_people(
    rng: np.random.Generator, rows: int, person: PersonPools, sex: np.ndarray | None = None
) -> PersonDraws:
    """Draws for `rows` people; `sex` (FEMALE, MALE or EITHER per row) picks the first-name list."""
    raw = rng.bit_generator.random_raw(2 * rows).reshape(2, rows) if rows else np.zeros((2, 0))
    a, b = raw.astype(np.uint64)
    female = _field(a, 0, person.female)
    male = _field(a, FIELD_BITS, person.male)
    last = _field(a, 2 * FIELD_BITS, person.last)
    share = len(person.female) / (len(person.female) + len(person.male))  # both tables: 2**k
    coin = (b & np.uint64(0xFFFF)).astype(np.float64) / 65536.0 < share
    is_female = coin if sex is None else np.where(sex == EITHER, coin, sex == FEMALE)
    two = np.uint64(3)
    return PersonDraws(
        first=np.where(is_female, female, male),
        last=last,
        email_style=((b >> np.uint64(16)) & two).astype(np.int64),
        email_number=_field(b, 18, person.number),
        domain=_field(b, 34, person.domain),
        user_style=((b >> np.uint64(55)) & two).astype(np.int64),
        user_number=_small_number(b >> np.uint64(57)),
    )


def _small_number(bits: np.ndarray) -> np.ndarray:
    """Seven bits: no number half the time, else 1..64 (positions in the number block)."""
    value = (bits & np.uint64(127)).astype(np.int64)
    return np.where(value < 64, 0, value - 63)


def sex_of(values: pa.Array) -> np.ndarray:
    """FEMALE, MALE or EITHER for each value of a sex/gender column (`F`, `Male`, `woman`, ...)."""
    text = pc.utf8_lower(pc.utf8_trim_whitespace(values.cast(pa.string())))
    female = pc.is_in(text, pa.array(FEMALE_WORDS)).to_numpy(zero_copy_only=False)
    male = pc.is_in(text, pa.array(MALE_WORDS)).to_numpy(zero_copy_only=False)
    return np.where(female, FEMALE, np.where(male, MALE, EITHER))


def render(
    person: PersonPools, draws: PersonDraws, kind: str, domain: pa.Array | None = None
) -> pa.StringArray:
    """One person field (`name`, `first_name`, `last_name`, `email`, `username`) for each row.

    `domain` (text per row, no nulls) replaces the drawn domain: the company's, for staff.
    `email_number` text per row can replace the number (a distinct tag for a unique column).
    """
    s = person.starts
    first, last = draws.first, draws.last
    if kind == "name":
        columns = [s["first"] + first, np.full_like(first, s["space"]), s["last"] + last]
    elif kind == "first_name":
        columns = [s["first"] + first]
    elif kind == "last_name":
        columns = [s["last"] + last]
    else:
        style = draws.email_style if kind == "email" else draws.user_style
        number = draws.email_number if kind == "email" else draws.user_number
        lead = np.where(style == 3, s["initial"], s["first_lower"]) + first
        separator = s["separator"] + np.minimum(style, 2)
        columns = [lead, separator, s["last_lower"] + last, s["number"] + number]
        if kind == "email":
            columns += [np.full_like(first, s["at"]), s["domain"] + draws.domain]
    pieces = person.pieces
    if domain is not None and kind == "email":
        columns[-1] = len(pieces) + np.arange(len(first))
        pieces = pa.concat_arrays([pieces, domain.cast(pa.string())])
    return pools.compose(pieces, np.stack(columns, axis=1).astype(np.int64))


def tagged_email(person: PersonPools, draws: PersonDraws, tag: np.ndarray) -> pa.StringArray:
    """first.last<tag>@domain: distinct tags give distinct addresses (for `unique`)."""
    s = person.starts
    tags = pc.cast(pa.array(tag), pa.string())
    lead = np.where(draws.email_style == 3, s["initial"], s["first_lower"]) + draws.first
    columns = [
        lead,
        s["separator"] + np.minimum(draws.email_style, 2),
        s["last_lower"] + draws.last,
        len(person.pieces) + np.arange(len(tag)),
        np.full_like(lead, s["at"]),
        s["domain"] + draws.domain,
    ]
    pieces = pa.concat_arrays([person.pieces, tags])
    return pools.compose(pieces, np.stack(columns, axis=1).astype(np.int64))


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

"""Smart fields of a table in a locale other than en_US: the same column names as `smart.EXACT`,
drawn from the locale's people (`people.person_pools`), places (`places.place_pools`: a postcode
is a real one of its town) and Faker providers.

These makers serve the columns that reach the smart-field generator in such a table: a person or
place field made `unique` (distinct values of the field's own kind, from the locale's lists), a
`country` alone, and the fields that are a Faker provider of their own (`company`, `job`, `iban`,
`license_plate`, ...). Before, all of them were en_US whatever the table's `locale:` (a unique
`first_name` of a de_DE table was "Jennifer", a `company` "Smith LLC", an `iban` British).
Locale-free fields (`ip_address`, `currency`, `sex`) keep the en_US makers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import people, places, pools
from streamforge.engine.generators.provider_space import Space

Maker = Callable[[np.random.Generator, int], pa.Array]

# smart.EXACT name -> the Faker method whose values the locale has for it
PROVIDERS = {
    "country": "country",
    "country_code": "country_code",
    "company": "company",
    "company_name": "company",
    "employer": "company",
    "job": "job",
    "job_title": "job",
    "occupation": "job",
    "url": "url",
    "website": "url",
    "domain": "domain_name",
    "username": "user_name",
    "user_name": "user_name",
    "iban": "iban",
    "license_plate": "license_plate",
    "ssn": "ssn",
    "color": "color_name",
    "colour": "color_name",
}
PERSON = {"name": "name", "full_name": "name", "display_name": "name"}
PERSON |= {"first_name": "first", "last_name": "last"}
PLACE = {"city": "city", "state": "state", "state_code": "state_abbr", "state_abbr": "state_abbr"}
PLACE |= {"zip": "zip", "zip_code": "zip", "zipcode": "zip", "postal_code": "zip"}
PLACE |= {"address": "address", "street_address": "street", "street": "street"}


class LocalePoolMaker:
    """Samples one pool (so `unique` can enumerate its distinct values): `smart.PoolMaker`'s twin
    for a locale's pool, kept apart so that the en_US makers stay keys of `smart.TEMPLATES`."""

    def __init__(self, pool: Callable[[], pools.Pool]):
        self.pool = pool

    def __call__(self, rng: np.random.Generator, rows: int) -> pa.Array:
        return self.pool().sample(rng, rows)


class SpaceMaker:
    """Draws uniformly from a countable space (`unique` enumerates the same space)."""

    def __init__(self, space: Callable[[], Space]):
        self.space = space

    def __call__(self, rng: np.random.Generator, rows: int) -> pa.Array:
        space = self.space()
        return space.render(rng.integers(0, space.size, rows, dtype=np.int64), rng)


def locale_maker(name: str, locale: str) -> Maker | None:
    """The maker of smart field `name` (a key of `smart.EXACT`) in `locale`; None when the field
    does not depend on the locale."""
    return _makers(locale).get(name)


@functools.cache
def _makers(locale: str) -> dict[str, Maker]:
    made: dict[str, Maker] = {}
    for name, method in PROVIDERS.items():
        made[name] = _provider(method, locale)
    for name, kind in PERSON.items():
        made[name] = _person(kind, locale)
    for name, kind in PLACE.items():
        made[name] = _place(kind, locale)
    return made


@functools.cache
def _provider(method: str, locale: str) -> Maker:
    return LocalePoolMaker(lambda: pools.faker_pool(method, locale=locale))


@functools.cache
def _person(kind: str, locale: str) -> Maker:
    if kind == "name":
        return SpaceMaker(lambda: _name_space(locale))
    return LocalePoolMaker(lambda: _person_pool(kind, locale))


@functools.cache
def _person_pool(kind: str, locale: str) -> pools.Pool:
    """The locale's first (female and male) or last names, by Faker's frequencies."""
    made = people.person_pools(locale)
    table = made.first if kind == "first" else made.last
    start = made.starts[kind]
    count = made.first_count if kind == "first" else made.starts["lead"] - start
    values = made.pieces.slice(start, count)
    weights = np.bincount(table, minlength=count).astype(np.float64) + 1e-9
    return pools.Pool(values, weights)


@functools.cache
def _name_space(locale: str) -> Space:
    """Every `<first> <last>` of the locale, once each."""
    first = pools.Pool(pc.unique(_person_pool("first", locale).values)).decorate(suffix=" ")
    last = pools.Pool(pc.unique(_person_pool("last", locale).values))
    template = pools.Template(first, last)
    return Space(template.size, lambda numbers, rng: template.render_numbers(numbers))


@functools.cache
def _place(kind: str, locale: str) -> Maker:
    if kind == "street":
        return SpaceMaker(lambda: _street_space(locale))
    if kind == "address":
        return SpaceMaker(lambda: _address_space(locale))
    return LocalePoolMaker(lambda: _place_pool(kind, locale))


@functools.cache
def _place_pool(kind: str, locale: str) -> pools.Pool:
    """The locale's towns, Länder (states) or postcodes, each once: a postcode is a real one."""
    place = places.place_pools(locale)
    column = places.postcodes(place) if kind == "zip" else getattr(place, kind)
    return pools.Pool(pc.unique(column))


@functools.cache
def _street_space(locale: str) -> Space:
    street = places.place_pools(locale).street
    return Space(street.size, lambda numbers, rng: street.render_numbers(numbers))


@functools.cache
def _address_space(locale: str) -> Space:
    """`<street>, <postcode> <town>` for every street and every record: number n is record
    n mod R with street n div R, so the postcode is always the town's own."""
    place = places.place_pools(locale)
    street = place.street
    assert place.postcode is not None  # only en_US has US-style addresses, and keeps its maker
    tail = pc.binary_join_element_wise(", ", place.postcode, " ", place.city, "")
    records = len(tail)

    def render(numbers: np.ndarray, rng: np.random.Generator) -> pa.Array:
        numbers = numbers.astype(np.uint64)
        streets = street.render_numbers(numbers // np.uint64(records))
        where = tail.take(pa.array((numbers % np.uint64(records)).astype(np.int64)))
        return pc.binary_join_element_wise(streets, where, "")

    return Space(street.size * records, render)

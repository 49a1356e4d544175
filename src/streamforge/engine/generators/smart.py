"""Smart fields: a string column's name picks realistic values (names, emails, addresses, ...)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import pools
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators import provider_space
from streamforge.engine.generators.base import ValueGenerator
from streamforge.engine.generators.phone import PhoneGenerator, phone, phone_space
from streamforge.engine.generators.row_fields import PERSON_ROLES
from streamforge.engine.generators.smart_locale import LocalePoolMaker, SpaceMaker, locale_maker
from streamforge.spec.locales import DEFAULT_LOCALE
from streamforge.spec.model import ColumnSpec

Maker = Callable[[np.random.Generator, int], pa.Array]


def _join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


# Each template is built once per process; rendering a chunk is one `take` over its pieces.
@functools.cache
def _full_name() -> pools.Template:
    return pools.Template(pools.first_names().decorate(suffix=" "), pools.last_names())


@functools.cache
def _email() -> pools.Template:
    """first.last or first_last, an optional number (the unique tag replaces it), @ a domain."""
    separator = pools.Pool(pa.array([".", "_"]), [0.6, 0.4])
    return pools.Template(
        pools.product(pools.first_names_lower(), separator),  # "john." or "john_"
        pools.last_names_lower(),
        pools.maybe_number(1, 100, 0.5),
        pools.email_domains().decorate(prefix="@"),
    )


EMAIL_TAG = 2  # the part of `_email()` that a unique tag replaces


@functools.cache
def _street() -> tuple[pools.Pool, ...]:
    """`<number> <Lastname> <Suffix>`, e.g. "9737 Johnson Road"."""
    return (
        pools.numbers(1, 9999).decorate(suffix=" "),
        pools.last_names().decorate(suffix=" "),
        pools.static_pool("address", "street_suffixes"),
    )


@functools.cache
def _street_address() -> pools.Template:
    return pools.Template(*_street())


@functools.cache
def _full_address() -> pools.Template:
    """`9737 Johnson Road, Port Hollyhaven, AR 08892`."""
    number, street, suffix = _street()
    return pools.Template(
        number,
        street,
        suffix.decorate(suffix=", "),
        pools.faker_pool("city"),
        pools.static_pool("address", "states_abbr").decorate(prefix=", ", suffix=" "),
        pools.numbers(1001, 99951, width=5),
    )


def full_name(rng: np.random.Generator, rows: int) -> pa.Array:
    return _full_name().render(rng, rows)


def email(rng: np.random.Generator, rows: int, tag: pa.Array | None = None) -> pa.Array:
    """first.last, first_last, with an optional number, at a mail or company domain.

    `tag` (a distinct number per row) goes before the @ when the column must be unique.
    """
    return _email().render(rng, rows, None if tag is None else {EMAIL_TAG: tag})


def street_address(rng: np.random.Generator, rows: int) -> pa.Array:
    return _street_address().render(rng, rows)


def full_address(rng: np.random.Generator, rows: int) -> pa.Array:
    return _full_address().render(rng, rows)


class PoolMaker:
    """A maker that samples one pool of distinct texts (so `unique` can enumerate the pool)."""

    def __init__(self, pool: Callable[[], pools.Pool]):
        self.pool = pool

    def __call__(self, rng: np.random.Generator, rows: int) -> pa.Array:
        return self.pool().sample(rng, rows)


def _from_pool(method: str) -> Maker:
    return PoolMaker(lambda: pools.faker_pool(method))


def _from_list(provider: str, attribute: str) -> Maker:
    return PoolMaker(lambda: pools.static_pool(provider, attribute))


city = _from_pool("city")
state = _from_list("address", "states")
state_abbr = _from_list("address", "states_abbr")
zip_code = PoolMaker(lambda: pools.numbers(1001, 99951, width=5))


EXACT: dict[str, Maker] = {
    "name": full_name,
    "full_name": full_name,
    "display_name": full_name,
    "first_name": PoolMaker(pools.first_names),
    "last_name": PoolMaker(pools.last_names),
    "email": email,
    "email_address": email,
    "phone": phone,
    "phone_number": phone,
    "mobile": phone,
    "address": full_address,
    "street_address": street_address,
    "street": street_address,
    "city": city,
    "state": state,
    "state_code": state_abbr,
    "state_abbr": state_abbr,
    "zip": zip_code,
    "zip_code": zip_code,
    "zipcode": zip_code,
    "postal_code": zip_code,
    "country": _from_list("address", "countries"),
    "country_code": _from_pool("country_code"),
    "company": _from_pool("company"),
    "company_name": _from_pool("company"),
    "employer": _from_pool("company"),
    "job": _from_list("job", "jobs"),
    "job_title": _from_list("job", "jobs"),
    "occupation": _from_list("job", "jobs"),
    "url": _from_pool("url"),
    "website": _from_pool("url"),
    "domain": _from_pool("domain_name"),
    "username": _from_pool("user_name"),
    "user_name": _from_pool("user_name"),
    "ip_address": _from_pool("ipv4"),
    "ip": _from_pool("ipv4"),
    "iban": _from_pool("iban"),
    "currency": _from_pool("currency_code"),
    "color": _from_pool("color_name"),
    "colour": _from_pool("color_name"),
    "license_plate": _from_pool("license_plate"),
    "ssn": _from_pool("ssn"),
    # a person's first name follows these (generators/person.py)
    "sex": PoolMaker(lambda: pools.Pool(pa.array(["F", "M"]))),
    "gender": PoolMaker(lambda: pools.Pool(pa.array(["Female", "Male"]))),
}
# `<anything>_email`, `<anything>_city`, ... and `<person>_name`.
SUFFIXES = (
    "email",
    "phone",
    "address",
    "city",
    "state",
    "zip",
    "zip_code",
    "postal_code",
    "country",
    "company",
    "first_name",
    "last_name",
)
PERSON_NAME = re.compile(rf"^({'|'.join(sorted(PERSON_ROLES))})_name$")


def smart_field(name: str) -> str | None:
    """The key of `EXACT` that a column name asks for (`billing_city` -> `city`)."""
    if name in EXACT:
        return name
    if PERSON_NAME.match(name):
        return "name"
    return next((suffix for suffix in SUFFIXES if name.endswith("_" + suffix)), None)


def smart_maker(name: str, locale: str = DEFAULT_LOCALE) -> Maker | None:
    """The maker of the column's smart field in the table's Faker `locale`."""
    field = smart_field(name)
    if field is None:
        return None
    made = locale_maker(field, locale) if locale != DEFAULT_LOCALE else None
    return made if made is not None else EXACT[field]


TEMPLATES: dict[Maker, Callable[[], pools.Template]] = {
    full_name: _full_name,
    street_address: _street_address,
    full_address: _full_address,
}


def unique_space(maker: Maker) -> provider_space.Space | None:
    """The countable space behind a smart field, for `unique`; None for e-mail, which stays
    unique without end (a distinct number goes before the @)."""
    if isinstance(maker, PoolMaker | LocalePoolMaker):
        return provider_space.pool_space(maker.pool())
    if isinstance(maker, SpaceMaker):
        return maker.space()
    if maker in TEMPLATES:
        return provider_space.template_space(TEMPLATES[maker]())
    if maker is phone:
        return phone_space()
    return None


class SmartFieldGenerator(ValueGenerator):
    priority = 40

    def matches(self, col: ColumnSpec) -> bool:
        return col.type == "string" and col.format is None and smart_field(col.name) is not None

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        return self.locale_capacity(col, DEFAULT_LOCALE)

    def locale_capacity(self, col: ColumnSpec, locale: str) -> int | None:
        maker = smart_maker(col.name, locale)
        space = unique_space(maker) if maker is not None else None
        return space.size if space is not None else None

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        maker = smart_maker(col.name, ctx.locale)
        assert maker is not None
        if col.unique:  # distinct values of the field's own kind: a suffix would break its format
            space = unique_space(maker)
            if space is not None:
                return provider_space.unique_values(space, ctx)
            # e-mail: a distinct number before the @ keeps it a valid address
            return email(ctx.rng, ctx.rows, pc.cast(pa.array(ctx.row_index + 1), pa.string()))
        return maker(ctx.rng, ctx.rows)


# Faker's phone methods draw digits at random (US numbers with 0/1-leading area codes, German
# numbers of any length): in the locales the phone generator knows, it makes them instead.
FAKER_PHONES = ("phone_number", "cellphone_number", "basic_phone_number")
PHONE_LOCALES = (DEFAULT_LOCALE, "de_DE")


class FakerProviderGenerator(ValueGenerator):
    """`faker: <provider>`: any Faker method in the table's `locale:`, sampled from a pool of
    its values (a phone method: a number valid in the locale, see FAKER_PHONES)."""

    priority = 30

    def matches(self, col: ColumnSpec) -> bool:
        return col.faker is not None

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        return provider_space.space_of(col.faker or "word").size

    def locale_capacity(self, col: ColumnSpec, locale: str) -> int | None:
        if col.faker in FAKER_PHONES and locale in PHONE_LOCALES:
            return PhoneGenerator().locale_capacity(col, locale)
        return provider_space.space_of(col.faker or "word", locale).size

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        locale = ctx.locale
        if col.faker in FAKER_PHONES and locale in PHONE_LOCALES:
            return PhoneGenerator().generate(col, ctx)
        if col.unique:  # from the provider's own space: a suffix would break its format (EAN-13)
            space = provider_space.space_of(col.faker or "word", locale)
            return provider_space.unique_values(space, ctx)
        return pools.faker_pool(col.faker or "word", locale=locale).sample(ctx.rng, ctx.rows)

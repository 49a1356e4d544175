"""Which columns of a table describe the same person or the same place, read from their names.

`customer_name`, `email` and `sex` in a `customer` table describe one customer; `billing_city` and
`billing_zip` one place, `shipping_city` another. A column name is `<entity>_<field>` or just
`<field>`; a field without an entity, or whose entity is the table's own (`driver_name` in
`drivers`), belongs to the row's main person or place (entity "").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from streamforge.spec.model import NUMERIC_TYPES, ColumnSpec, TableSpec

# Words that name a person before `_name` (`doctor_name`); other `<x>_name` columns are things.
PERSON_ROLES = frozenset(
    [
        "customer",
        "patient",
        "employee",
        "contact",
        "doctor",
        "physician",
        "nurse",
        "member",
        "owner",
        "holder",
        "account_holder",
        "user",
        "person",
        "client",
        "manager",
        "agent",
        "driver",
        "technician",
        "operator",
        "advisor",
        "provider",
        "cardholder",
        "guest",
        "passenger",
        "student",
        "teacher",
        "author",
        "buyer",
        "seller",
        "full",
        "display",
        "beneficiary",
        "inspector",
        "recipient",
        "sender",
        "payee",
        "payer",
        "applicant",
        "candidate",
        "tenant",
        "subscriber",
        "reviewer",
        "approver",
        "assignee",
        "reporter",
        "requester",
        "rep",
        "representative",
        "sales_rep",
        "account_manager",
        "emergency_contact",
        "next_of_kin",
        "spouse",
        "guardian",
        "cashier",
        "clerk",
        "courier",
        "shopper",
        "visitor",
        "resident",
        "worker",
        "therapist",
        "pharmacist",
        "dentist",
        "attorney",
        "lawyer",
        "broker",
        "trader",
        "investor",
        "borrower",
        "lender",
        "insured",
        "policyholder",
        "claimant",
        "instructor",
        "coach",
        "player",
        "recruiter",
        "supervisor",
        "engineer",
        "dispatcher",
        "mechanic",
        "caller",
        "signer",
        "witness",
        "surgeon",
        "pilot",
        "captain",
        "plant_manager",
        "store_manager",
    ]
)

PERSON_FIELDS = {
    "name": "name",
    "full_name": "name",
    "display_name": "name",
    "first_name": "first_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "last_name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "email": "email",
    "email_address": "email",
    "e_mail": "email",
    "username": "username",
    "user_name": "username",
    "login": "username",
}
PLACE_FIELDS = {
    "address": "address",
    "full_address": "address",
    "mailing_address": "address",
    "street": "street",
    "street_address": "street",
    "address_line1": "street",
    "address_line_1": "street",
    "address1": "street",
    "city": "city",
    "town": "city",
    "state": "state",
    "state_name": "state",
    "province": "state",
    "state_code": "state_abbr",
    "state_abbr": "state_abbr",
    "zip": "zip",
    "zip_code": "zip",
    "zipcode": "zip",
    "postal_code": "zip",
    "postcode": "zip",
    "country": "country",
    "country_name": "country",
    "country_code": "country_code",
    # a state's region and division (US: the Census Bureau's), never drawn apart from the state
    "region": "region",
    "census_region": "region",
    "division": "division",
    "census_division": "division",
    # the power market of the state (ISO/RTO, balancing area), never drawn apart from the state
    "grid_region": "grid_region",
    "iso_rto": "grid_region",
    "balancing_authority": "grid_region",
}
# Place kinds that do not pin a place: alone, they follow the row's main place (or none).
AREAS = ("country", "country_code", "region", "division", "grid_region")
COORDINATES = {
    "latitude": "latitude",
    "lat": "latitude",
    "longitude": "longitude",
    "lon": "longitude",
    "lng": "longitude",
    "long": "longitude",
}
# Columns a person's fields follow without being made by them.
GENDER = ("sex", "gender")
AGE = ("age",)
BIRTH = ("birth_date", "date_of_birth", "dob", "birthdate", "birthday")
COMPANY = ("company", "company_name")  # staff e-mail is at the company; not `employer`


@dataclass(frozen=True, slots=True)
class Field:
    entity: str  # "" for the row's main person or place, else the name's prefix
    kind: str  # e.g. "email", "zip", "latitude"


def split_name(name: str, fields: dict[str, str] | tuple[str, ...]) -> tuple[str, str] | None:
    """(prefix, field) when the name is a known field, alone or after `<prefix>_`."""
    if name in fields:
        return "", name
    # longest field first: `customer_email_address` is email_address, not address
    for field in sorted(fields, key=len, reverse=True):
        if name.endswith("_" + field):
            return name[: -len(field) - 1], field
    return None


def parse_person(name: str) -> Field | None:
    """The person text field a column name asks for, e.g. `doctor_email` -> (doctor, email)."""
    split = split_name(name, PERSON_FIELDS)
    if split is None:
        return None
    prefix, field = split
    if field in ("name", "display_name") and prefix and not _is_role(prefix):
        return None  # `product_name`, `plant_name`: a thing, not a person
    return Field(prefix, PERSON_FIELDS[field])


def _is_role(prefix: str) -> bool:
    return prefix in PERSON_ROLES or prefix.endswith(("_manager", "_rep", "_contact"))


def parse_place(name: str) -> Field | None:
    split = split_name(name, PLACE_FIELDS)
    if split is None:
        return None
    return Field(split[0], PLACE_FIELDS[split[1]])


def parse_coordinate(name: str) -> Field | None:
    split = split_name(name, COORDINATES)
    if split is None:
        return None
    return Field(split[0], COORDINATES[split[1]])


# Person fields that stay built from the row's name when `unique`: a number makes them distinct.
NUMBERED = ("email", "username")
PHONE_FIELDS = ("phone", "phone_number", "mobile", "mobile_number", "telephone", "cell", "fax")


def is_phone(col: ColumnSpec) -> bool:
    """`phone`, `phone_number`, `mobile`, `fax`, ... alone or as `<prefix>_phone`."""
    return is_free_text(col) and split_name(col.name, PHONE_FIELDS) is not None


def is_free_text(col: ColumnSpec) -> bool:
    """A string column the user left to the column name (no format, values or provider)."""
    return (
        col.type == "string"
        and col.format is None
        and col.faker is None
        and col.values is None
        and col.expr is None
    )


def _stems(table: str) -> frozenset[str]:
    """The table's own entity names: `drivers` and `driver_changes` are about a driver."""
    base = re.sub(r"_(changes|cdc|updates|history|dim|dimension)$", "", table)
    stems = {base, base.removesuffix("s"), base.removesuffix("es")}
    return frozenset(s for s in stems if s)


def owner(table: str, prefix: str) -> str:
    """The entity a prefix names in this table ("" for the table's own)."""
    return "" if prefix in _stems(table) else prefix


@dataclass(frozen=True, slots=True)
class RowFields:
    """A table's person and place columns by entity: {entity: {kind: column}}."""

    people: dict[str, dict[str, ColumnSpec]]
    places: dict[str, dict[str, ColumnSpec]]
    links: dict[str, dict[str, ColumnSpec]]  # per person: "gender", "age", "birth", "company"

    def person(self, entity: str) -> dict[str, ColumnSpec]:
        return self.people.get(entity, {})

    def place(self, entity: str) -> dict[str, ColumnSpec]:
        return self.places.get(entity, {})

    def link(self, entity: str, kind: str) -> ColumnSpec | None:
        return self.links.get(entity, {}).get(kind)


@functools.lru_cache(maxsize=512)
def row_fields(table: TableSpec) -> RowFields:
    """Group the table's columns (see the module docstring); the first column of a kind wins."""
    people: dict[str, dict[str, ColumnSpec]] = {}
    places: dict[str, dict[str, ColumnSpec]] = {}
    links: dict[str, dict[str, ColumnSpec]] = {}
    for col in (c for c in table.columns if c.expr is None):  # computed ones are not drawn
        person = parse_person(col.name) if is_free_text(col) else None
        place = parse_place(col.name) if is_free_text(col) else None
        coordinate = parse_coordinate(col.name) if col.type in NUMERIC_TYPES else None
        if person is not None:
            people.setdefault(owner(table.name, person.entity), {}).setdefault(person.kind, col)
        elif place is not None:
            places.setdefault(owner(table.name, place.entity), {}).setdefault(place.kind, col)
        elif coordinate is not None and col.values is None:
            places.setdefault(owner(table.name, coordinate.entity), {}).setdefault(
                coordinate.kind, col
            )
        for kind, names in (
            ("gender", GENDER),
            ("age", AGE),
            ("birth", BIRTH),
            ("company", COMPANY),
        ):
            split = split_name(col.name, names)
            if split is not None:
                links.setdefault(owner(table.name, split[0]), {}).setdefault(kind, col)
    return RowFields(people, places, links)

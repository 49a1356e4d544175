"""One person and one place per row (issue 13.5): expected values come from Faker's word lists,
USPS ZIP prefixes (us_reference.py), the NANP rules and the calendar, never from the pools."""

from __future__ import annotations

import csv
import re
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from faker.providers.address.en_US import Provider as UsAddress
from faker.providers.geo import Provider as Geo
from faker.providers.person.de_DE import Provider as GermanPerson
from faker.providers.person.en_US import Provider as UsPerson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.engine.us_reference import BOXES, STATE_NAMES, ZIP3

from streamforge.engine.places import zip_text

PERSON_TABLE = {
    "type": "dimension",
    "num_rows": 3000,
    "columns": {
        "customer_id": "int",
        "name": "string",
        "first_name": "string",
        "last_name": "string",
        "email": "string",
        "username": "string",
        "sex": {"type": "string", "values": ["F", "M", "X"], "weights": [0.45, 0.45, 0.1]},
        "company": "string",
    },
}
PLACE_TABLE = {
    "type": "dimension",
    "num_rows": 3000,
    "columns": {
        "store_id": "int",
        "address": "string",
        "city": "string",
        "state": "string",
        "state_code": "string",
        "zip_code": "string",
        "country": "string",
        "lat": {"type": "double"},
        "lon": {"type": "double"},
    },
}


def ascii_lower(name: str) -> str:
    text = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in text if c.isascii() and c.isalnum())


def test_a_person_row_describes_one_person(run_lab) -> None:
    rows = run_lab({"customer": PERSON_TABLE}).rows("customer")
    female, male = set(UsPerson.first_names_female), set(UsPerson.first_names_male)
    for row in rows:
        first, last = row["first_name"], row["last_name"]
        assert row["name"] == f"{first} {last}"
        if row["sex"] == "F":
            assert first in female
        elif row["sex"] == "M":
            assert first in male
        local, domain = row["email"].split("@")
        f, la = ascii_lower(first), ascii_lower(last)
        assert re.fullmatch(rf"({f}[._]?|{f[0]}){la}\d*", local), row
        assert re.fullmatch(rf"({f}[._]?|{f[0]}){la}\d*", row["username"]), row
        # staff of a company write from its domain: its first word, lower case
        word = re.sub(r"[^a-z0-9].*$", "", row["company"].lower())
        assert domain == f"{word}.com", row
    assert {r["sex"] for r in rows} == {"F", "M", "X"}
    assert len({r["name"] for r in rows}) > 2500


def test_each_role_is_its_own_person(run_lab) -> None:
    table = {
        "type": "dimension",
        "num_rows": 500,
        "columns": {
            "visit_id": "int",
            "patient_name": "string",
            "patient_email": "string",
            "doctor_name": "string",
            "doctor_email": "string",
        },
    }
    rows = run_lab({"visit": table}).rows("visit")
    for row in rows:
        for role in ("patient", "doctor"):
            last = ascii_lower(row[f"{role}_name"].split(" ")[-1])
            assert last in row[f"{role}_email"].split("@")[0]
    assert sum(r["patient_name"] != r["doctor_name"] for r in rows) > 490


def test_a_place_row_describes_one_place(run_lab) -> None:
    rows = run_lab({"store": PLACE_TABLE}).rows("store")
    for row in rows:
        abbr = row["state_code"]
        assert STATE_NAMES[abbr] == row["state"]
        lo, hi = UsAddress.states_postcode[abbr]
        assert lo <= int(row["zip_code"]) <= hi and int(row["zip_code"][:3]) in ZIP3[abbr], row
        assert row["address"].endswith(f", {row['city']}, {abbr} {row['zip_code']}"), row
        assert re.match(r"\d+ [A-Z]", row["address"])
        assert row["country"] == "United States"
        if abbr in BOXES:
            lat_lo, lat_hi, lon_lo, lon_hi = BOXES[abbr]
            assert lat_lo <= row["lat"] <= lat_hi and lon_lo <= row["lon"] <= lon_hi, row
    assert len({r["state"] for r in rows}) > 40 and len({r["city"] for r in rows}) > 500


def test_coordinates_are_near_the_city_faker_knows(run_lab) -> None:
    """Faker's geo provider lists real US towns with their coordinates: a row in one of those
    towns lies within 0.2 degrees of it."""
    known = {p[2]: (float(p[0]), float(p[1])) for p in Geo.land_coords if p[3] == "US"}
    table = {**PLACE_TABLE, "num_rows": 20_000}
    rows = [r for r in run_lab({"store": table}).rows("store") if r["city"] in known]
    assert len(rows) > 100
    near = [abs(r["lat"] - known[r["city"]][0]) + abs(r["lon"] - known[r["city"]][1]) for r in rows]
    # town names recur across states (Springfield, Aurora, Columbia): Faker knows one of them,
    # so only most rows can match; coordinates drawn apart from the city would match almost none
    assert sum(d < 0.2 for d in near) > 0.6 * len(near)


def test_coordinates_stay_inside_the_columns_bounds(run_lab) -> None:
    columns = {
        "plant_id": "int",
        "city": "string",
        "latitude": {"type": "float", "min": 25.0, "max": 49.0, "decimals": 5},
        "longitude": {"type": "float", "min": -124.0, "max": -67.0, "decimals": 5},
    }
    rows = run_lab({"plant": {"type": "dimension", "num_rows": 3000, "columns": columns}}).rows(
        "plant"
    )
    assert all(25 <= r["latitude"] <= 49 and -124 <= r["longitude"] <= -67 for r in rows)
    assert all(round(r["latitude"], 5) == r["latitude"] for r in rows)


NANP = re.compile(r"\(([2-9])([0-8])(\d)\) ([2-9])(\d)(\d)-\d{4}")


def test_us_phone_numbers_follow_the_numbering_plan(column_values) -> None:
    for name in ("phone", "mobile_phone", "phone_number"):
        values = column_values({"type": "string"}, rows=20_000, name=name).column(name)
        for text in values.to_pylist():
            match = NANP.fullmatch(text)
            assert match, text
            _, a2, a3, _, e2, e3 = match.groups()
            assert not (a2 == "1" and a3 == "1"), text  # N11 area code
            assert not (e2 == "1" and e3 == "1"), text  # N11 exchange


def test_birth_date_fits_the_age(run_lab, start_us) -> None:
    columns = {
        "member_id": "int",
        "age": {"type": "int", "min": 0, "max": 100},
        "birth_date": {"type": "date"},
    }
    rows = run_lab({"member": {"type": "dimension", "num_rows": 3000, "columns": columns}}).rows(
        "member"
    )
    today = datetime.fromtimestamp(start_us / 1e6, UTC).date()
    for row in rows:
        born: date = row["birth_date"]
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        assert age == row["age"], row


def test_locale_gives_german_people_places_and_phones(run_lab) -> None:
    table = {
        "type": "dimension",
        "num_rows": 2000,
        "locale": "de_DE",
        "columns": {
            "kunde_id": "int",
            "first_name": "string",
            "last_name": "string",
            "email": "string",
            "phone": "string",
            "city": "string",
            "postal_code": "string",
            "address": "string",
            "country": "string",
        },
    }
    rows = run_lab({"kunde": table}).rows("kunde")
    first = set(GermanPerson.first_names_female) | set(GermanPerson.first_names_male)
    for row in rows:
        assert row["first_name"] in first and row["last_name"] in set(GermanPerson.last_names)
        assert row["email"].isascii() and ascii_lower(row["last_name"]) in row["email"]
        # German numbers: +49 then the number without its 0, or the national 0 (maybe bracketed)
        assert re.sub(r"[^\d+]", "", row["phone"]).startswith(("+49", "0")), row["phone"]
        assert re.fullmatch(r"\d{5}", row["postal_code"])
        assert row["address"].endswith(f", {row['postal_code']} {row['city']}")
        assert row["country"] == "Germany"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 300))
def test_people_agree_for_any_seed(run_lab, seed: int, rows: int) -> None:
    table = {**PERSON_TABLE, "num_rows": rows}
    for row in run_lab({"customer": table}, seed=seed).rows("customer"):
        assert row["name"] == f"{row['first_name']} {row['last_name']}"
        assert ascii_lower(row["last_name"]) in row["email"]


@pytest.mark.parametrize("locale", ["xx_YY", "de_de"])
def test_validate_refuses_an_unknown_locale(lab_dir, locale) -> None:
    from streamforge import sectors

    folder = lab_dir({"customer": {**PERSON_TABLE, "locale": locale}})
    check = sectors.check_sector(folder, "lab")
    assert check.plan is None
    (issue,) = [i for i in check.errors if "locale" in str(i)]
    assert "customer.yml" in str(issue) and f"unknown locale '{locale}'" in str(issue)


def test_a_field_is_the_same_made_alone_or_after_its_siblings(lab_plan, start_us) -> None:
    """Shared draws are a memo: a column whose siblings ran first (and filled it) gets exactly
    what it makes alone, on a fresh memo."""
    from streamforge.engine import shared_draws
    from streamforge.engine.generators import generate_values
    from streamforge.engine.rows import BatchRequest, column_context

    table = lab_plan({"customer": PERSON_TABLE, "store": PLACE_TABLE})
    for name, fields in (("customer", PERSON_TABLE), ("store", PLACE_TABLE)):
        plan = table.table(name)
        req = BatchRequest(plan, 5, 0, 3000, 1, (start_us, start_us + 10**7), (0, start_us), {})
        columns = [c for c in plan.columns if c.name in fields["columns"]]

        def make(col, req=req):
            return generate_values(col, column_context(req, col.name, 0, 3000, 0))

        alone = {}
        for col in columns:
            shared_draws._memo.clear()
            alone[col.name] = make(col)
        shared_draws._memo.clear()
        for col in reversed(columns):
            assert make(col).equals(alone[col.name]), col.name


def test_a_country_alone_is_any_country(run_lab) -> None:
    """A supplier's `country` without a city or zip is not pinned to the locale's country."""
    from faker.providers.address.en_US import Provider as Address

    columns = {"supplier_id": "int", "company": "string", "country": "string"}
    rows = run_lab({"supplier": {"type": "dimension", "num_rows": 500, "columns": columns}}).rows(
        "supplier"
    )
    countries = {r["country"] for r in rows}
    assert countries <= set(Address.countries) and len(countries) > 50


AREA_CODES = Path(__file__).resolve().parents[2] / "src/streamforge/engine/vocab/us_area_codes.csv"
PHONE_PLACES = {
    "type": "dimension",
    "num_rows": 2000,
    "columns": {
        "customer_id": "int",
        "phone": "string",
        "city": "string",
        "state_code": "string",
        "billing_state_code": "string",
        "billing_phone": "string",
        "contact_phone": "string",  # a person without a place: the row's main place
    },
}


def shipped_area_codes() -> dict[str, set[int]]:
    by_state: dict[str, set[int]] = {}
    with AREA_CODES.open() as f:
        for row in csv.DictReader(f):
            by_state.setdefault(row["state_abbr"], set()).add(int(row["area_code"]))
    return by_state


def test_the_area_code_table_covers_every_state_by_the_numbering_plan() -> None:
    by_state = shipped_area_codes()
    assert set(by_state) == set(STATE_NAMES)  # the 50 states and DC
    codes = [c for cs in by_state.values() for c in cs]
    assert len(codes) == len(set(codes))  # one state per code
    for code in codes:
        assert 200 <= code <= 999 and code % 100 != 11 and (code // 10) % 10 != 9, code


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31))
def test_a_us_phone_has_an_area_code_of_its_state(run_lab, seed: int) -> None:
    rows = run_lab({"customer": PHONE_PLACES}, seed=seed).rows("customer")
    by_state = shipped_area_codes()
    area = lambda phone: int(phone[1:4])  # noqa: E731
    for row in rows:
        assert area(row["phone"]) in by_state[row["state_code"]], row
        assert area(row["contact_phone"]) in by_state[row["state_code"]], row
        assert area(row["billing_phone"]) in by_state[row["billing_state_code"]], row
    # phones of one place share its state, not its number
    assert len({r["phone"] for r in rows}) > 0.99 * len(rows)


@given(st.lists(st.integers(0, 99_999), max_size=50))
def test_zips_are_five_digits_with_leading_zeros(codes: list[int]) -> None:
    """A US zip (drawn as a number in its state's range) is written zero-padded: 501 -> 00501."""
    assert zip_text(np.array(codes, dtype=np.int32)).to_pylist() == [f"{c:05d}" for c in codes]


def test_a_phone_line_is_four_digits_with_leading_zeros() -> None:
    """The last four digits of `(AAA) EEE-NNNN`: every line 0000..9999, each once, in order."""
    from streamforge.engine.generators.phone import LINES, _phone_parts

    assert [line.decode() for line in _phone_parts()[2]] == [f"{n:04d}" for n in range(LINES)]

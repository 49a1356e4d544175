"""Postcodes and phone numbers valid for every supported locale (issue 13.5): libphonenumber
(`phonenumbers`) judges the phones, the shipped GeoNames tables the postcodes' towns and Länder,
USPS prefixes (us_reference.py) the US zips; none of the expected values come from the output."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.engine.us_reference import STATE_NAMES, ZIP3

from streamforge.spec.locales import SUPPORTED_LOCALES

VOCAB = Path(__file__).resolve().parents[2] / "src" / "streamforge" / "engine" / "vocab"
REGION = {"en_US": "US", "de_DE": "DE"}
MOBILE = re.compile(r"1[5-7]\d")  # German mobile numbers: 015x, 016x, 017x

PLACE = {
    "type": "dimension",
    "num_rows": 3000,
    "columns": {
        "kunde_id": "int",
        "city": "string",
        "state": "string",
        "state_code": "string",
        "postal_code": "string",
        "address": "string",
        "phone": "string",
        "billing_city": "string",
        "billing_zip": "string",
        "billing_phone": "string",
        "fax": "string",  # no place of its own: the row's
    },
}


def german_places() -> tuple[set[tuple[str, str, str, str]], dict[tuple[str, str], str]]:
    """(postcode, town, Land, Land code) of every German record, and each record's area code."""
    with (VOCAB / "de_places.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    known = {(r["postcode"], r["city"], r["state"], r["state_abbr"]) for r in rows}
    return known, {(r["postcode"], r["city"]): r["area_code"] for r in rows}


GERMAN, GERMAN_AREA = german_places()


def assert_valid_phone(text: str, locale: str) -> phonenumbers.PhoneNumber:
    number = phonenumbers.parse(text, REGION[locale])
    assert phonenumbers.is_valid_number(number), text
    assert phonenumbers.region_code_for_number(number) == REGION[locale], text
    return number


def assert_german_phone_of_town(text: str, postcode: str, city: str) -> None:
    national = str(assert_valid_phone(text, "de_DE").national_number)
    if not MOBILE.match(national):  # a landline is the town's own area code
        assert national.startswith(GERMAN_AREA[(postcode, city)]), (text, postcode, city)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 3000))
def test_german_postcodes_and_phones_are_valid_and_of_the_town(run_lab, seed, rows) -> None:
    table = {**PLACE, "locale": "de_DE", "num_rows": rows}
    for row in run_lab({"kunde": table}, seed=seed).rows("kunde"):
        postcode, city = row["postal_code"], row["city"]
        assert re.fullmatch(r"\d{5}", postcode), row
        assert (postcode, city, row["state"], row["state_code"]) in GERMAN, row
        assert row["address"].endswith(f", {postcode} {city}"), row
        assert_german_phone_of_town(row["phone"], postcode, city)
        assert_german_phone_of_town(row["fax"], postcode, city)
        assert_german_phone_of_town(row["billing_phone"], row["billing_zip"], row["billing_city"])


def test_german_phones_are_landlines_and_mobiles_in_german_styles(run_lab) -> None:
    rows = run_lab({"kunde": {**PLACE, "locale": "de_DE", "num_rows": 5000}}).rows("kunde")
    phones = [r["phone"] for r in rows]
    mobile = [
        p for p in phones if MOBILE.match(str(assert_valid_phone(p, "de_DE").national_number))
    ]
    assert 0.25 < len(mobile) / len(phones) < 0.45
    for style in (r"^0\d+ \d+$", r"^0\d+/\d+$", r"^\(0\d+\) \d+$", r"^\+49 \d+ \d+$"):
        assert any(re.match(style, p) for p in phones), style
    assert len(set(phones)) > 0.99 * len(phones)


def test_a_german_phone_alone_and_unique_phones_are_valid(run_lab) -> None:
    unique = {"type": "string", "unique": True}
    columns = {"kunde_id": "int", "phone": "string", "mobile": unique}
    table = {"type": "dimension", "num_rows": 3000, "locale": "de_DE", "columns": columns}
    rows = run_lab({"kunde": table}).rows("kunde")
    for row in rows:
        assert_valid_phone(row["phone"], "de_DE")
        assert_valid_phone(row["mobile"], "de_DE")
    assert len({r["mobile"] for r in rows}) == len(rows)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 3000))
def test_us_zips_and_phones_are_valid_for_any_seed(run_lab, seed, rows) -> None:
    table = {**PLACE, "num_rows": rows}
    for row in run_lab({"kunde": table}, seed=seed).rows("kunde"):
        assert re.fullmatch(r"\d{5}", row["postal_code"]), row
        assert int(row["postal_code"][:3]) in ZIP3[row["state_code"]], row
        assert STATE_NAMES[row["state_code"]] == row["state"], row
        for name in ("phone", "fax", "billing_phone"):
            assert_valid_phone(row[name], "en_US")


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_supported_locale_is_checked_here(locale) -> None:
    assert locale in REGION  # a locale added to SUPPORTED_LOCALES needs its checks above


@pytest.mark.parametrize("locale", ["fr_FR", "en_GB", "ja_JP"])
def test_validate_refuses_a_locale_whose_places_are_not_checked(lab_dir, locale) -> None:
    from streamforge import sectors

    folder = lab_dir({"kunde": {**PLACE, "locale": locale}})
    check = sectors.check_sector(folder, "lab")
    assert check.plan is None
    (issue,) = [i for i in check.errors if "locale" in str(i)]
    text = str(issue)
    assert "kunde.yml:" in text and f"locale '{locale}' is not supported" in text, text
    assert "de_DE, en_US" in text, text


def test_every_us_area_code_and_exchange_the_generator_draws_is_valid() -> None:
    from streamforge.engine.generators.phone import area_codes, exchanges

    for area in area_codes():
        for exchange in exchanges():
            assert_valid_phone(f"({area}) {exchange}-2345", "en_US")

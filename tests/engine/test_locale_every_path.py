"""Issue #13 item 5: `locale:` on a table picks Faker's locale on *every* path that draws from
Faker or from pools, not only the coherent person and place fields: `faker:` columns made
`unique`, `faker:` and smart fields inside arrays and maps, person and place fields made `unique`,
fields that are a Faker provider of their own (`company`, `job`, `iban`), a change feed of a
localized dimension, and the chunk kernel the Spark engine runs. Before, each of these was en_US
whatever the table said.

Expected values come from Faker's own provider data for the locale (name, job and colour lists,
the bank's country, the `bban` format), the shipped GeoNames postcodes (de_DE: a postcode is a
real one of its town) and ISO 13616 (IBAN mod-97), never from our output.
"""

from __future__ import annotations

import csv
import importlib
import re
from functools import cache
from pathlib import Path

import pyarrow as pa
import pytest
from faker import Faker

from streamforge.spec.locales import SUPPORTED_LOCALES

VOCAB = Path(__file__).resolve().parents[2] / "src" / "streamforge" / "engine" / "vocab"


def iban_ok(iban: str) -> bool:
    """ISO 13616: the country and check digits moved to the end, letters as 10..35, mod 97 = 1."""
    moved = iban[4:] + iban[:4]
    return moved.isalnum() and int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


@cache
def faker_list(provider: str, locale: str, attribute: str) -> frozenset[str]:
    """A word list of Faker's provider for `locale` (what its methods draw from)."""
    module = importlib.import_module(f"faker.providers.{provider}.{locale}")
    values = getattr(module.Provider, attribute)
    return frozenset(str(v) for v in values)


def first_names(locale: str) -> frozenset[str]:
    return faker_list("person", locale, "first_names_female") | faker_list(
        "person", locale, "first_names_male"
    )


@cache
def bank_country(locale: str) -> str:
    return Faker(locale).bank_country()  # en_US has no bank of its own: Faker's is en_GB's


@cache
def german_places() -> frozenset[tuple[str, str]]:
    """(postcode, town) of every German GeoNames record shipped."""
    with (VOCAB / "de_places.csv").open(encoding="utf-8") as f:
        return frozenset((r["postcode"], r["city"]) for r in csv.DictReader(f))


def assert_postcode(locale: str, postcode: str, town: str | None = None) -> None:
    assert re.fullmatch(r"\d{5}", postcode), postcode
    if locale == "de_DE":
        if town is None:
            assert postcode in {p for p, _ in german_places()}, postcode
        else:
            assert (postcode, town) in german_places(), (postcode, town)


def unique(spec: dict | str) -> dict:
    spec = {"type": spec} if isinstance(spec, str) else spec
    return {**spec, "unique": True}


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_unique_faker_columns_are_the_locales(run_lab, locale: str) -> None:
    columns = {
        "konto_id": "int",
        "iban": unique({"type": "string", "faker": "iban"}),
        "bban": unique({"type": "string", "faker": "bban"}),
        "vorname": unique({"type": "string", "faker": "first_name"}),
        "beruf": unique({"type": "string", "faker": "job"}),
    }
    table = {"type": "dimension", "num_rows": 30, "locale": locale, "columns": columns}
    rows = run_lab({"konto": table}).rows("konto")
    bban_format = Faker(locale).bban.__self__.bban_format
    for column in ("iban", "bban", "vorname", "beruf"):
        assert len({r[column] for r in rows}) == len(rows), column
    for row in rows:
        assert row["iban"][:2] == bank_country(locale) and iban_ok(row["iban"]), row
        assert len(row["bban"]) == len(bban_format), row  # de_DE: 18 digits, en_US: 4+14
        for ch, slot in zip(row["bban"], bban_format, strict=True):
            assert ch.isdigit() if slot == "#" else ch.isupper(), (row, bban_format)
        assert row["vorname"] in first_names(locale), row
        assert row["beruf"] in faker_list("job", locale, "jobs"), row


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_faker_and_smart_fields_inside_arrays_and_maps_are_the_locales(run_lab, locale) -> None:
    columns = {
        "kunde_id": "int",
        "vornamen": {"type": "array", "items": {"type": "string", "faker": "first_name"}},
        "berufe": {"type": "array", "items": unique({"type": "string", "faker": "job"})},
        "konten": {
            "type": "map",
            "keys": {"type": "string", "faker": "last_name"},
            "values": {"type": "string", "faker": "iban"},
        },
    }
    table = {"type": "dimension", "num_rows": 200, "locale": locale, "columns": columns}
    rows = run_lab({"kunde": table}).rows("kunde")
    last_names = faker_list("person", locale, "last_names")
    assert sum(len(r["vornamen"]) for r in rows) > 200
    for row in rows:
        assert set(row["vornamen"]) <= first_names(locale), row
        assert set(row["berufe"]) <= faker_list("job", locale, "jobs"), row
        konten = dict(row["konten"]) if isinstance(row["konten"], list) else row["konten"]
        assert set(konten) <= last_names, row
        assert all(v[:2] == bank_country(locale) and iban_ok(v) for v in konten.values()), row


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_unique_person_and_place_fields_are_the_locales(run_lab, locale: str) -> None:
    columns = {
        "kunde_id": "int",
        "first_name": unique("string"),
        "last_name": unique("string"),
        "postal_code": unique("string"),
        "address": unique("string"),
        "state": "string",
    }
    rows_wanted = 16 if locale == "de_DE" else 50  # 16 Länder; the unique last names suffice
    table = {"type": "dimension", "num_rows": rows_wanted, "locale": locale, "columns": columns}
    rows = run_lab({"kunde": table}).rows("kunde")
    for column in ("first_name", "last_name", "postal_code", "address"):
        assert len({r[column] for r in rows}) == len(rows), column
    for row in rows:
        assert row["first_name"] in first_names(locale), row
        assert row["last_name"] in faker_list("person", locale, "last_names"), row
        assert_postcode(locale, row["postal_code"])
        if locale == "de_DE":  # `<street>, <PLZ> <Ort>` with the town's own postcode
            postcode, town = re.fullmatch(r".+, (\d{5}) (.+)", row["address"]).groups()
            assert_postcode(locale, postcode, town)


def test_german_unique_town_and_land_are_german(run_lab) -> None:
    columns = {"ort_id": "int", "city": unique("string"), "state": unique("string")}
    table = {"type": "dimension", "num_rows": 16, "locale": "de_DE", "columns": columns}
    rows = run_lab({"ort": table}).rows("ort")
    towns = {t for _, t in german_places()}
    assert {r["state"] for r in rows} == set(faker_list("address", "de_DE", "states"))
    assert all(r["city"] in towns for r in rows)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_provider_smart_fields_are_the_locales(run_lab, locale: str) -> None:
    """Columns named for a Faker provider (`job`, `iban`, `color`) draw it in the table's locale."""
    columns = {"firma_id": "int", "job": "string", "iban": "string", "color": "string"}
    table = {"type": "dimension", "num_rows": 300, "locale": locale, "columns": columns}
    rows = run_lab({"firma": table}).rows("firma")
    colors = faker_list("color", locale, "all_colors")
    for row in rows:
        assert row["job"] in faker_list("job", locale, "jobs"), row
        assert row["iban"][:2] == bank_country(locale) and iban_ok(row["iban"]), row
        assert row["color"] in colors, row


def test_german_company_names_are_built_from_german_surnames(run_lab) -> None:
    """Faker's de_DE company formats start with a surname, then another or a legal form
    (`Müller GmbH`, `van der Dussen AG`)."""
    columns = {"firma_id": "int", "company": "string", "employer": unique("string")}
    table = {"type": "dimension", "num_rows": 300, "locale": "de_DE", "columns": columns}
    surnames = faker_list("person", "de_DE", "last_names")
    for row in run_lab({"firma": table}).rows("firma"):
        for name in (row["company"], row["employer"]):
            assert any(name == s or name.startswith(s + " ") for s in surnames), name


def test_a_feed_of_a_german_dimension_draws_its_faker_columns_in_german(run_lab) -> None:
    shop = {
        "type": "dimension",
        "num_rows": 20,
        "locale": "de_DE",
        "columns": {
            "shop_id": "int",
            "iban": {"type": "string", "faker": "iban"},
            "job": "string",
            "tags": {"type": "array", "items": {"type": "string", "faker": "first_name"}},
        },
    }
    feed = {
        "type": "change_feed",
        "num_rows": 20,
        "tracks": "shop",
        "columns": {
            "shop_id": "int",
            "change_type": {"type": "string", "values": ["INSERT", "UPDATE", "DELETE"]},
            "change_ts": "datetime",
            "iban": {"type": "string", "faker": "iban"},
            "job": "string",
            "tags": {"type": "array", "items": {"type": "string", "faker": "first_name"}},
        },
    }
    run = run_lab({"shop": shop, "shop_changes": feed}, cycles=3, seed=5)
    rows = [r for c in range(3) for r in run.rows("shop_changes", c)]
    assert any(r["change_type"] == "INSERT" for r in rows)
    for row in (r for r in rows if r["change_type"] != "DELETE"):
        assert row["iban"].startswith("DE") and iban_ok(row["iban"]), row
        assert row["job"] in faker_list("job", "de_DE", "jobs"), row
        assert set(row["tags"]) <= first_names("de_DE"), row


def test_the_spark_engines_chunk_kernel_draws_in_the_tables_locale(lab_plan) -> None:
    """The function Spark runs on executors makes a de_DE table's rows in German (it carries the
    table's plan, and the locale with it)."""
    from streamforge.engine.session import Session
    from streamforge.engine.settings import RunSettings
    from streamforge.engine_spark.kernel import TALLY, chunk_batches

    columns = {
        "kunde_id": "int",
        "iban": unique({"type": "string", "faker": "iban"}),
        "vornamen": {"type": "array", "items": {"type": "string", "faker": "first_name"}},
        "last_name": unique("string"),
    }
    table = {"type": "dimension", "num_rows": 50, "locale": "de_DE", "columns": columns}
    session = Session(lab_plan({"kunde": table}), RunSettings(seed=3, start_us=0))
    (output,) = list(session.dimensions())
    assert output.request is not None
    numbers = pa.record_batch({"id": pa.array([0], pa.int64())})
    data = next(iter(chunk_batches(output.request, iter([numbers]))))
    rows = [r for r in data.to_pylist() if r[TALLY] is None]
    assert len(rows) == 50
    for row in rows:
        assert row["iban"].startswith("DE") and iban_ok(row["iban"]), row
        assert set(row["vornamen"]) <= first_names("de_DE"), row
        assert row["last_name"] in faker_list("person", "de_DE", "last_names"), row


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_validate_counts_a_unique_faker_columns_space_in_the_tables_locale(lab_dir, locale):
    """A de_DE `bban` is 18 digits (10**18 values); en_US's is 4 letters and 14 digits."""
    from streamforge import sectors

    fmt = Faker(locale).bban.__self__.bban_format
    expected = 10 ** fmt.count("#") * 26 ** fmt.count("?")
    column = unique({"type": "string", "faker": "bban"})
    table = {"type": "dimension", "num_rows": 10, "locale": locale, "columns": {"k_id": "int"}}
    table["columns"]["bban"] = column
    check = sectors.check_sector(lab_dir({"k": table}), "lab")
    assert check.plan is not None
    (plan,) = [t for t in check.plan.tables if t.name == "k"]
    assert sectors._unique_capacity(plan.spec.column("bban"), locale) == expected


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_plain_strings_are_words_of_the_locales_lorem(run_lab, locale: str) -> None:
    """A string the name says nothing about is one or two of Faker's lorem words of the locale
    (alone, unique, as array items and as map keys)."""
    columns = {
        "ding_id": "int",
        "bezeichnung": "string",
        "kennung": unique("string"),
        "schlagworte": {"type": "array", "items": "string"},
        "werte": {"type": "map", "keys": "string", "values": "int"},
    }
    table = {"type": "dimension", "num_rows": 100, "locale": locale, "columns": columns}
    words = {w.title() for w in faker_list("lorem", locale, "word_list")}
    for row in run_lab({"ding": table}).rows("ding"):
        werte = dict(row["werte"]) if isinstance(row["werte"], list) else row["werte"]
        texts = [row["bezeichnung"], row["kennung"], *row["schlagworte"], *werte]
        for text in texts:
            assert set(text.split(" ")) <= words, (text, row)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_phones_inside_arrays_and_maps_are_valid_for_the_locale(run_lab, locale: str) -> None:
    """libphonenumber judges them: a de_DE list of phones holds German numbers, not US ones."""
    import phonenumbers

    region = {"en_US": "US", "de_DE": "DE"}[locale]
    phone = {"type": "string", "faker": "phone_number"}
    columns = {
        "kunde_id": "int",
        "phones": {"type": "array", "items": phone, "min_items": 1},
        "fax": {"type": "array", "items": "string", "min_items": 1},  # smart: `fax` elements
        "durchwahl": {"type": "map", "keys": {"type": "string", "values": ["a", "b"]}},
        "mobile": unique(phone),
    }
    columns["durchwahl"]["values"] = phone
    table = {"type": "dimension", "num_rows": 300, "locale": locale, "columns": columns}
    for row in run_lab({"kunde": table}).rows("kunde"):
        durchwahl = row["durchwahl"]
        numbers = dict(durchwahl) if isinstance(durchwahl, list) else durchwahl
        for text in [*row["phones"], *row["fax"], *numbers.values(), row["mobile"]]:
            number = phonenumbers.parse(text, region)
            assert phonenumbers.is_valid_number(number), (text, row)
            assert phonenumbers.region_code_for_number(number) == region, (text, row)

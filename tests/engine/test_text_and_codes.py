"""Text that reads and codes whose check digits hold (issue 13.6). Check digits are computed here
by the published rules (Luhn, GS1 EAN-13 / UPC-A, ISO 13616 IBAN), not by the engine's code."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import yaml
from faker.providers.lorem.en_US import Provider as Lorem

from streamforge.engine.vocab import words

VOCAB = Path(words.__file__).with_name("product_names.yml")


def luhn_valid(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def gs1_valid(code: str) -> bool:
    """EAN-13 and UPC-A: from the right, the payload's digits weigh 3, 1, 3, ..."""
    *payload, check = (int(c) for c in code)
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10 == check


def iban_valid(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


@pytest.mark.parametrize("name", ["card_number", "pan", "customer_card_number"])
@pytest.mark.parametrize("unique", [False, True])
def test_card_numbers_pass_luhn(column_values, name, unique) -> None:
    values = column_values({"type": "string", "unique": unique}, rows=5000, name=name)
    numbers = values.column(name).to_pylist()
    assert all(re.fullmatch(r"4\d{15}", n) and luhn_valid(n) for n in numbers)
    assert len(set(numbers)) == 5000 if unique else len(set(numbers)) > 4990


@pytest.mark.parametrize(("name", "length"), [("upc", 12), ("barcode", 13), ("ean13", 13)])
def test_barcodes_carry_a_valid_check_digit(column_values, name, length) -> None:
    codes = column_values({"type": "string"}, rows=5000, name=name).column(name).to_pylist()
    assert all(len(c) == length and c.isdigit() and gs1_valid(c) for c in codes)


@pytest.mark.parametrize("provider", ["iban", "ean13", "credit_card_number"])
def test_faker_codes_carry_valid_check_digits(column_values, provider) -> None:
    values = column_values({"type": "string", "faker": provider}, rows=3000).column("value")
    check = {"iban": iban_valid, "ean13": gs1_valid, "credit_card_number": luhn_valid}[provider]
    assert all(check(v) for v in values.to_pylist())


def test_check_helpers_reject_a_changed_digit() -> None:
    """The oracles above can fail: one digit off breaks each."""
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert gs1_valid("4006381333931") and not gs1_valid("4006381333932")
    assert gs1_valid("036000291452") and not gs1_valid("036000291453")
    assert iban_valid("GB82WEST12345698765432") and not iban_valid("GB82WEST12345698765433")


@functools.cache
def _family_names(department: str | None = None) -> frozenset[str]:
    """`<adjective> <material> <noun> <size>`, all four of one family of the vocabulary file
    (of `department`'s families, or of every department), read here with PyYAML."""
    raw = yaml.safe_load(VOCAB.read_text())
    return frozenset(
        f"{a} {m} {n} {s}"
        for name, entry in raw.items()
        if department is None or name == department
        for family in entry["families"].values()
        for a in family["adjectives"]
        for m in family["materials"]
        for n in family["nouns"]
        for s in family["sizes"]
    )


def _product_rule(title: str) -> bool:
    return title in _family_names()


@pytest.mark.parametrize("name", ["product_name", "product_title", "item_name"])
def test_product_names_are_built_from_one_family(column_values, name) -> None:
    titles = column_values({"type": "string"}, rows=2000, name=name).column(name).to_pylist()
    assert all(_product_rule(t) for t in titles)
    assert len(set(titles)) > 1000


def test_name_of_a_product_table_is_a_product(run_lab) -> None:
    columns = {"product_id": "int", "name": "string", "description": "string"}
    rows = run_lab({"product": {"type": "dimension", "num_rows": 500, "columns": columns}}).rows(
        "product"
    )
    assert all(_product_rule(r["name"]) for r in rows)
    assert all(_product_rule(r["description"].removesuffix(".")) for r in rows)


LOREM = {w.lower() for w in Lorem.word_list}


@pytest.mark.parametrize("name", ["review", "notes", "comment", "restoration_notes"])
def test_free_text_reads_as_sentences(column_values, name) -> None:
    texts = column_values({"type": "string"}, rows=2000, name=name).column(name).to_pylist()
    for text in texts:
        assert re.fullmatch(r"[A-Z].*[a-z0-9]\.", text), text  # a capital, ends with a stop
        assert len(text.split()) >= 4, text
    # not the old fallback of one or two random dictionary words
    assert not all(set(t.lower().rstrip(".").split()) <= LOREM for t in texts)
    assert len(set(texts)) > 500


def test_part_descriptions_name_material_part_and_size(column_values) -> None:
    name = "part_description"
    texts = column_values({"type": "string"}, rows=1000, name=name).column(name).to_pylist()
    for text in texts:
        material = next(m for m in words.PART_MATERIALS if text.startswith(m + " "))
        noun, size = text[len(material) + 1 :].split(", ")
        assert noun in words.PART_NOUNS and size in words.PART_SIZES


def test_job_title_stays_a_job(column_values) -> None:
    from faker.providers.job.en_US import Provider as Job

    titles = column_values({"type": "string"}, rows=500, name="job_title").column("job_title")
    assert set(titles.to_pylist()) <= set(Job.jobs)


# A department the vocabulary lists under another spelling, one it lists as is, one it lacks.
DEPARTMENTS = {"Home & Garden": "HOME_GARDEN", "electronics": "ELECTRONICS", "Pet Food": None}


@pytest.mark.parametrize("category", ["department", "category", "product_category"])
def test_a_product_name_fits_its_rows_department(run_lab, category) -> None:
    """The name comes from the families of the row's department (product_names.yml, read here);
    a department the vocabulary lacks draws from every family."""
    columns = {
        "item_id": "int",
        "product_name": "string",
        "product_description": "string",
        category: {"type": "string", "values": list(DEPARTMENTS), "null_rate": 0.1},
    }
    tables = {"item": {"type": "dimension", "num_rows": 3000, "columns": columns}}
    rows = run_lab(tables).rows("item")
    everything = _family_names()
    for row in rows:
        department = DEPARTMENTS.get(row[category])
        fitting = _family_names(department) if department else everything
        assert row["product_name"] in fitting, row
        assert row["product_description"].removesuffix(".") in fitting, row
    electronics = {r["product_name"] for r in rows if r[category] == "electronics"}
    assert len(electronics) > 300  # not one name per department
    unknown = {r["product_name"] for r in rows if r[category] in ("Pet Food", None)}
    assert unknown - _family_names("ELECTRONICS") - _family_names("HOME_GARDEN")


def test_every_shipped_department_has_names() -> None:
    """Each department of the shipped sectors' product tables is in the vocabulary."""
    schema = Path(__file__).resolve().parents[2] / "schema"
    product = yaml.safe_load((schema / "Retail" / "product.yml").read_text())
    raw = yaml.safe_load(VOCAB.read_text())
    for department in product["columns"]["department"]["values"]:
        assert department in raw and _family_names(department), department


def test_a_part_description_names_its_rows_material(run_lab) -> None:
    """`<material> <part>, <size>` with the row's own material, spelled as words."""
    spelled = {"CARBON_STEEL": "Carbon steel", "ABS_PLASTIC": "ABS plastic", "glass fiber": None}
    columns = {
        "part_id": "int",
        "part_description": "string",
        "material": {"type": "string", "values": list(spelled), "null_rate": 0.1},
    }
    rows = run_lab({"part": {"type": "dimension", "num_rows": 1000, "columns": columns}}).rows(
        "part"
    )
    for row in rows:
        material = spelled.get(row["material"]) or (row["material"] or "").capitalize()
        text = row["part_description"]
        if row["material"] is None:  # nulled after the draw: the text named some material
            material = next(m for m in (*words.PART_MATERIALS, "Glass fiber") if text.startswith(m))
        assert text.startswith(material + " "), row
        noun, size = text[len(material) + 1 :].split(", ")
        assert noun in words.PART_NOUNS and size in words.PART_SIZES, row

"""Issue #13 item 6: text fields read as text in every supported locale, also `unique` and inside
arrays (where the element has no row): `*_title`, product names, `description`, `comment`,
`notes`, `review`. The rules come from the issue (sentence-like, not random words) and the shipped
product vocabulary, read here with PyYAML (tests/engine/test_text_and_codes.py)."""

from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.engine.test_text_and_codes import _product_rule

from streamforge.spec.locales import SUPPORTED_LOCALES, text_locales

SENTENCES = ("description", "comment", "notes", "review", "shipment_notes", "repair_comment")
TITLES = ("report_title", "course_title")
PRODUCTS = ("product_name", "product_title", "item_name")


def lorem(locale: str) -> set[str]:
    module = importlib.import_module(f"faker.providers.lorem.{locale}")
    return {w.lower() for w in module.Provider.word_list}


def assert_sentence(text: str) -> None:
    # a capital (Ü too), ends with a stop after a lower-case letter, a digit or a bracket
    assert re.fullmatch(r"[^\W\d_][^.]*\S.*[^\W_)]?\.", text) and text[0].isupper(), text
    assert text[-2].islower() or text[-2].isdigit() or text[-2] == ")", text
    assert len(text.split()) >= 3, text


def assert_in_language(texts: list[str], locale: str) -> None:
    """Nearly every word is of the locale's Faker word list, and none is of the English
    vocabulary's sentences (issue 13.6: text in the table's language where Faker has it)."""
    tokens = [w.lower() for t in texts for w in t.rstrip(".").split()]
    assert sum(w in lorem(locale) for w in tokens) > 0.95 * len(tokens), texts[:5]
    english = lorem("en_US") - lorem(locale)
    assert sum(w in english for w in tokens) < 0.05 * len(tokens), texts[:5]


def assert_title(text: str) -> None:
    words = text.split()
    assert len(words) >= 2 and not text.endswith("."), text
    assert all(w[0].isupper() or not w[0].isalpha() for w in words), text


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("unique", [False, True])
def test_text_fields_read_in_every_locale(run_lab, locale: str, unique: bool) -> None:
    spec = {"type": "string", "unique": unique}
    columns = {"eintrag_id": "int", **{n: spec for n in SENTENCES + TITLES + PRODUCTS}}
    columns["remarks"] = {"type": "array", "items": {"type": "string"}, "min_items": 1}
    columns["comments"] = {"type": "array", "items": {"type": "string"}, "min_items": 1}
    table = {"type": "dimension", "num_rows": 400, "locale": locale, "columns": columns}
    rows = run_lab({"eintrag": table}, seed=4).rows("eintrag")
    for row in rows:
        for name in SENTENCES:
            assert_sentence(row[name])
        for name in TITLES:
            assert_title(row[name])
        for name in PRODUCTS:
            assert _product_rule(row[name]), row[name]
        for text in row["remarks"] + row["comments"]:  # array elements: notes, comments
            assert_sentence(text)
    for name in SENTENCES + TITLES:
        texts = [r[name] for r in rows]
        if locale in text_locales():  # Faker's sentences in the locale's own language
            assert_in_language(texts, locale)
        else:  # the shipped English vocabulary, not the fallback: one or two lorem words
            assert not all(set(t.lower().rstrip(".").split()) <= lorem(locale) for t in texts)
        if unique:
            assert len(set(texts)) == len(texts), name


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), rows=st.integers(20, 600), unique=st.booleans())
def test_text_is_in_the_table_language_for_any_seed(run_lab, seed, rows, unique) -> None:
    spec = {"type": "string", "unique": unique}
    columns = {"eintrag_id": "int", **{n: spec for n in SENTENCES + TITLES}}
    feed = {"type": "dimension", "num_rows": rows, "locale": "de_DE", "columns": columns}
    data = run_lab({"eintrag": feed}, seed=seed).rows("eintrag")
    for name in SENTENCES + TITLES:
        assert_in_language([r[name] for r in data], "de_DE")

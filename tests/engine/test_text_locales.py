"""Issue #13 item 6: text fields read as text in every supported locale, also `unique` and inside
arrays (where the element has no row): `*_title`, product names, `description`, `comment`,
`notes`, `review`. The rules come from the issue (sentence-like, not random words) and the shipped
product vocabulary, read here with PyYAML (tests/engine/test_text_and_codes.py)."""

from __future__ import annotations

import importlib
import re

import pytest
from tests.engine.test_text_and_codes import _product_rule

from streamforge.spec.locales import SUPPORTED_LOCALES

SENTENCES = ("description", "comment", "notes", "review", "shipment_notes", "repair_comment")
TITLES = ("report_title", "course_title")
PRODUCTS = ("product_name", "product_title", "item_name")


def lorem(locale: str) -> set[str]:
    module = importlib.import_module(f"faker.providers.lorem.{locale}")
    return {w.lower() for w in module.Provider.word_list}


def assert_sentence(text: str) -> None:
    assert re.fullmatch(r"[A-Z][^.]*\S.*[a-z0-9)]\.", text), text  # a capital, ends with a stop
    assert len(text.split()) >= 3, text


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
        # not the plain-string fallback: one or two of Faker's lorem words
        assert not all(set(t.lower().rstrip(".").split()) <= lorem(locale) for t in texts), name
        if unique:
            assert len(set(texts)) == len(texts), name

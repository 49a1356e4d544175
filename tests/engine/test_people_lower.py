"""Names lowered for e-mail addresses, all at once with Arrow's kernels (people.ascii_lower_all):
the same text as the one-name rule (people.ascii_lower), for every name Faker has and any text."""

from __future__ import annotations

import importlib

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from streamforge.engine.people import ascii_lower, ascii_lower_all
from streamforge.spec.locales import SUPPORTED_LOCALES


@pytest.mark.parametrize(
    ("name", "lowered"),
    [("Jürgen", "juergen"), ("José", "jose"), ("Strauß", "strauss"), ("O'Neil-Smith", "oneilsmith"),
     ("Øyvind", "yvind"), ("李", ""), ("Ǆemal", "dzemal")],
)  # fmt: skip
def test_the_rule(name: str, lowered: str) -> None:
    """Umlauts spelled out, accents dropped, anything else that is not an ASCII letter or digit
    left out (`Ø` has no decomposition)."""
    assert ascii_lower(name) == lowered
    assert ascii_lower_all(pa.array([name])).to_pylist() == [lowered]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_faker_name_lowers_as_one_by_one(locale: str) -> None:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    for attribute in ("first_names_female", "first_names_male", "first_names", "last_names"):
        names = [str(n) for n in getattr(provider, attribute, None) or ()]
        assert ascii_lower_all(pa.array(names, pa.string())).to_pylist() == [
            ascii_lower(n) for n in names
        ], attribute


@given(st.lists(st.text(max_size=12), max_size=20))
def test_any_text_lowers_as_one_by_one(names: list[str]) -> None:
    assert ascii_lower_all(pa.array(names, pa.string())).to_pylist() == [
        ascii_lower(n) for n in names
    ]

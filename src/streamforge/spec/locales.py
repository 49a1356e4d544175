"""The Faker locales a table may name with `locale:` (read from Faker's files, not imported)."""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Z][A-Za-z]{1,3})?$")
DEFAULT_LOCALE = "en_US"
# Locales whose people, places and phone numbers are checked valid (tests/engine/
# test_locale_validity.py); Faker knows many more, but their postcodes and phones are not.
SUPPORTED_LOCALES = ("de_DE", "en_US")


@functools.cache
def known_locales() -> tuple[str, ...]:
    """Locales that have Faker person names (the least a table's people need), sorted.

    Importing Faker costs ~0.2 s, so `validate` lists its provider folders instead.
    """
    spec = importlib.util.find_spec("faker")
    if spec is None or not spec.submodule_search_locations:
        return (DEFAULT_LOCALE,)
    person = Path(next(iter(spec.submodule_search_locations))) / "providers" / "person"
    names = {p.name for p in person.iterdir() if p.is_dir() and LOCALE.match(p.name)}
    return tuple(sorted(names | {DEFAULT_LOCALE}))


@functools.cache
def text_locales() -> tuple[str, ...]:
    """Locales whose text fields (descriptions, notes, reviews, titles) Faker can write in the
    locale's own language: those with a lorem provider of their own, besides en_US (whose text
    comes from the shipped English vocabulary). Read from Faker's folders, sorted."""
    spec = importlib.util.find_spec("faker")
    if spec is None or not spec.submodule_search_locations:
        return ()
    lorem = Path(next(iter(spec.submodule_search_locations))) / "providers" / "lorem"
    names = {p.name for p in lorem.iterdir() if p.is_dir() and LOCALE.match(p.name)}
    return tuple(sorted(names - {DEFAULT_LOCALE}))

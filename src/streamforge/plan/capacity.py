"""How many distinct values a `unique` column can take, where its spec alone decides it, so that
`validate` answers without loading the engine (numpy, pyarrow and the value generators cost
~0.2 s of CPU, most of a validate).

Each rule restates which value generator makes such a column (engine/generators/, by priority):
- a string with a format that has a `#` or `?` slot and no `|`: the pattern generator (priority
  20; before it only categories and arrays/maps);
- a string with `faker:` and no format or values: the Faker provider generator's space, for
  `ean13`/`ean`/`ean8` the digits before the check digit, for a provider that fills a format of
  `#` and `?` (`bban`) that format's (spec/faker_names.py keeps Faker's formats);
- a free-text string named `email` or `<role>_email`: the person fields, a distinct number before
  the @, so no end (None).
Anything else is UNKNOWN and the caller asks the engine (`engine.unique.unique_capacity`).
tests/engine/test_unique.py holds every answer here equal to the engine's.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from streamforge.spec.model import ColumnSpec

UNKNOWN: Final = "unknown"
Answer = int | None | Literal["unknown"]

_EAN_DIGITS = {"ean13": 12, "ean": 12, "ean8": 7}  # before the check digit
_EMAIL = re.compile(r"\A([a-z0-9_]+_)?email\Z")
# A Faker format whose only slots are `#` and `?` (numerify's other marks are not counted).
PROVIDER_PATTERN = re.compile(r"^[^%!@^]*$")


def pattern_capacity(pattern: str) -> int:
    """Distinct strings of a format: 10 per `#`, 26 per `?`, literals fixed."""
    return 10 ** pattern.count("#") * 26 ** pattern.count("?")


def spec_capacity(col: ColumnSpec) -> Answer:
    """The capacity of `col` as a unique column when its spec decides it, else UNKNOWN."""
    if col.type != "string" or col.choices is not None or col.expr is not None:
        return UNKNOWN  # categories (values, `A|B`, a format without slots) come first
    if col.format is not None:
        return pattern_capacity(col.format)
    if col.faker is not None:
        digits = _EAN_DIGITS.get(col.faker)
        if digits is not None:
            return 10**digits
        from streamforge.spec.faker_names import provider_format

        fmt = provider_format(col.faker)
        if fmt and PROVIDER_PATTERN.match(fmt) and ("#" in fmt or "?" in fmt):
            return pattern_capacity(fmt)
        return UNKNOWN  # the provider's pool: its size is the engine's to tell
    if _EMAIL.match(col.name):
        return None
    return UNKNOWN

"""Time facts shared by the plan, the engine and codegen: units, how late a row may land, and which
datetime columns are birth dates (attributes of a person, never the moment of an event)."""

from __future__ import annotations

import re

MICROS = 1_000_000  # timestamps are microseconds since the epoch, UTC
DAY_US = 86_400 * MICROS
YEAR_US = 365 * DAY_US
MAX_LATE_CYCLES = 3  # a late row lands up to this many cycles after its event time

BIRTH = re.compile(r"(^|_)(birth|dob|born)(_|$)")


def is_birth_date(name: str) -> bool:
    """`birth_date`, `dob`, `born_on`, ...: drawn 18-90 years back, never an event time."""
    return BIRTH.search(name) is not None

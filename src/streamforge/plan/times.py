"""Time facts shared by the plan, the engine and codegen: units, how late a row may land, and which
datetime columns are birth dates (attributes of a person, never the moment of an event)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

MICROS = 1_000_000  # timestamps are microseconds since the epoch, UTC
DAY_US = 86_400 * MICROS
YEAR_US = 365 * DAY_US
MAX_LATE_CYCLES = 3  # a late row lands up to this many cycles after its event time

BIRTH = re.compile(r"(^|_)(birth|dob|born)(_|$)")


def start_micros(start: datetime | None) -> int:
    """The start of a run's event time, as the engine counts it.

    Args:
        start: an aware datetime (any zone; `datetime(2026, 1, 31, 8, tzinfo=UTC)`); None: now,
            to the second. Text is the CLI's to parse (`streamforge.cli_times.parse_start`).

    Returns:
        Microseconds since the Unix epoch (UTC).

    Raises:
        TypeError: `start` is not a datetime (text, a number).
        ValueError: `start` is naive (Python would read it in the machine's local zone).
    """
    if start is None:
        return int(datetime.now(UTC).replace(microsecond=0).timestamp()) * MICROS
    if not isinstance(start, datetime):
        raise TypeError(
            f"start must be a datetime, not {type(start).__name__} {start!r}: pass an aware "
            "datetime, e.g. datetime(2026, 1, 31, 8, tzinfo=UTC), or parse ISO-8601 text with "
            "an offset first: datetime.fromisoformat('2026-01-31T08:00:00+00:00')"
        )
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(
            f"start {start.isoformat()} has no time zone; pass an aware datetime, e.g. "
            "start.replace(tzinfo=UTC)"
        )
    return int(start.timestamp() * MICROS)


def is_birth_date(name: str) -> bool:
    """`birth_date`, `dob`, `born_on`, ...: drawn 18-90 years back, never an event time."""
    return BIRTH.search(name) is not None


def iso_micros(micros: int) -> str:
    """Microseconds since the epoch as ISO-8601 UTC text ('2026-01-05T00:00:00Z'), as the
    manifest writes times."""
    return datetime.fromtimestamp(micros / MICROS, UTC).isoformat().replace("+00:00", "Z")


def micros_of_iso(text: str) -> int:
    """ISO-8601 text as the manifest writes it ('2026-01-05T00:00:00Z'; no zone: UTC) in
    microseconds since the epoch, exact to the microsecond (the inverse of `iso_micros`)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp()) * MICROS + value.microsecond

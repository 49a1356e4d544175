"""Moments for tests. The API takes aware datetimes (issue #12 point 5: text is the CLI's to
parse), and the manifest writes its windows as ISO-8601 text; these read such text the way the
CLI does."""

from __future__ import annotations

from datetime import datetime

from streamforge.cli_times import parse_start
from streamforge.plan.times import start_micros


def at(text: str) -> datetime:
    """`2026-01-01T00:00:00Z` as the aware datetime the API takes."""
    return parse_start(text)


def micros(text: str) -> int:
    """ISO-8601 text (a `--start`, a manifest's window bound) in microseconds since the epoch."""
    return start_micros(parse_start(text))

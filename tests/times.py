"""Moments for tests. The API takes aware datetimes (issue #12 point 5: text is the CLI's to
parse), and the manifest writes its windows as ISO-8601 text; these read such text the way the
CLI does. And a clock the tests move by hand, for runs of many cycles that take milliseconds."""

from __future__ import annotations

import threading
from datetime import datetime

from streamforge.cli_times import parse_start
from streamforge.plan.times import start_micros


def at(text: str) -> datetime:
    """`2026-01-01T00:00:00Z` as the aware datetime the API takes."""
    return parse_start(text)


def micros(text: str) -> int:
    """ISO-8601 text (a `--start`, a manifest's window bound) in microseconds since the epoch."""
    return start_micros(parse_start(text))


START_US = 1_790_000_000_000_000  # FakeClock's default now: 2026-09-21T14:13:20Z


class FakeClock:
    """The runner's clock (`api.run(..., clock=)`): time advances only when the runner waits or
    a test calls `advance`, so a test of an hour runs in milliseconds. `waits`: every wait asked,
    in seconds."""

    def __init__(self, now_us: int = START_US) -> None:
        self.now = now_us
        self.waits: list[float] = []

    def now_us(self) -> int:
        return self.now

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        self.waits.append(seconds)
        self.now += int(seconds * 1_000_000)
        return stop.is_set()

    def advance(self, seconds: float) -> None:
        self.now += int(seconds * 1_000_000)

"""A clock the tests move by hand, and a small sector that runs fast."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"
START_US = 1_790_000_000_000_000


class FakeClock:
    """Time advances only when the runner waits, so a test of an hour runs in milliseconds."""

    def __init__(self, now_us: int = START_US):
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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def schema_dir() -> Path:
    return SCHEMA

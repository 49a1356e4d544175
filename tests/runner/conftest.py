"""A clock the tests move by hand, and a small sector that runs fast."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.times import START_US, FakeClock

__all__ = ["START_US", "FakeClock"]  # the runner tests import them from here

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def schema_dir() -> Path:
    return SCHEMA

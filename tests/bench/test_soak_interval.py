"""bench/soak_interval.py's summary reads "n/a" with the reason for a measure the run was too short
for, and never reports a number from a sample that was not taken."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def soak(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(BENCH))  # the scripts import soak_common as a sibling
    return importlib.import_module("soak_interval")


def samples(seconds: int, rss=lambda t: 100.0 + t) -> list[tuple[float, float, float]]:
    """One reading a second from 0 s: (elapsed, RSS MiB, CPU s); the first before start-up."""
    return [(float(t), 0.3 if t == 0 else rss(t), 0.05 * t) for t in range(seconds + 1)]


def test_a_run_shorter_than_30_s_has_no_rss_at_30_s(soak) -> None:
    rows = dict(soak.summary(samples(20), [(1, 10, 0.2), (2, 10, 0.3)], 1.0, [1.0]))
    at_30 = rows["RSS at 30 s / median / max / last"].split(" / ")[0]
    assert at_30 == "n/a (the run ended at 20 s, before 30 s)"  # not the 0.3 MiB first reading
    assert rows["RSS growth, minute 2 → last minute"].startswith("n/a (needs 3 minutes")


def test_growth_needs_minute_2_and_a_last_minute_that_do_not_overlap(soak) -> None:
    rows = dict(soak.summary(samples(100), [(1, 10, 0.2)], 1.0, []))
    assert rows["RSS at 30 s / median / max / last"].startswith("130 / ")  # 100 + 30
    assert rows["RSS growth, minute 2 → last minute"] == "n/a (needs 3 minutes sampled, had 100 s)"
    assert rows["cycle time p50 / p95 / max"].startswith("n/a (1 cycle timed")


def test_growth_of_a_long_run_is_last_minute_minus_minute_2(soak) -> None:
    rows = dict(soak.summary(samples(200), [(1, 10, 0.2), (2, 10, 0.4)], 1.0, []))
    # RSS = 100 + t: the last minute (140..200 s) averages 270, minute 2 (60..119 s) 189.5
    assert rows["RSS growth, minute 2 → last minute"] == "+80.5 MiB"


def test_no_reading_at_all_is_said(soak) -> None:
    assert soak.summary([], [], 1.0, []) == [
        ("samples", "n/a (the run ended before the first reading)")
    ]

"""The shipped Energy sector's daily load curve (issue 13.8): what a meter reading's kWh is.

`meter_readings.kwh_consumed` is a hidden lognormal base draw times the load curve's weight for
the reading's UTC hour. Expected means and tolerances come from the YAML (the base column's
mean and stddev, the expression's factors, the profile's hourly list), never from the engine.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest
import yaml
from tests.times import at

from streamforge import api
from streamforge.readback import read_landing

TABLE = Path(__file__).resolve().parents[2] / "schema" / "Energy" / "meter_readings.yml"
START = at("2026-01-05T00:00:00Z")  # a Monday: 12 two-hour cycles cover one whole day
SIGMAS = 4.5  # 24 hours judged at once: a false alarm stays below 1 in 10,000 runs


def _spec() -> dict:
    return yaml.safe_load(TABLE.read_text())


def _factors(spec: dict) -> list[float]:
    """The 24 weights in kwh_consumed's `element_at(array(...), hour(reading_time) + 1)`."""
    expr = spec["columns"]["kwh_consumed"]["expr"]
    found = re.search(
        r"element_at\(\s*array\(([^)]*)\)\s*,\s*hour\(reading_time\)\s*\+\s*1\)", expr
    )
    assert found, expr
    return [float(x) for x in found.group(1).split(",")]


def test_the_kwh_factors_are_the_profiles_hourly_curve() -> None:
    """The description promises one curve for both the rows per hour and the kWh per reading."""
    spec = _spec()
    assert _factors(spec) == spec["profile"]["hourly"]
    assert spec["columns"]["base_kwh"]["hidden"] is True


@pytest.fixture(scope="module")
def readings(tmp_path_factory) -> tuple[np.ndarray, np.ndarray]:
    out = tmp_path_factory.mktemp("energy") / "out"
    api.generate(
        "Energy", out, fmt="parquet", cycles=12, interval=7200, scale=0.5, start=START, seed=11
    )
    files = read_landing(out, api.load_plan("Energy"))["meter_readings"]
    hours = np.concatenate([pc.hour(f.data["reading_time"]).to_numpy() for f in files])
    kwh = np.concatenate(
        [f.data["kwh_consumed"].to_numpy(zero_copy_only=False) for f in files]
    ).astype(float)
    return hours, kwh


def test_mean_kwh_per_utc_hour_follows_the_curve(readings) -> None:
    """Mean kWh of the readings in UTC hour h = base mean × factor[h], within SIGMAS standard
    errors of the base draw (sd × factor / sqrt(n)). Anomalies (outside min/max) are left out."""
    spec = _spec()
    base = spec["columns"]["base_kwh"]
    column = spec["columns"]["kwh_consumed"]
    factors = _factors(spec)
    hours, kwh = readings
    kept = (kwh >= column["min"]) & (kwh <= column["max"])  # NaN (null) is dropped too
    for hour, factor in enumerate(factors):
        values = kwh[kept & (hours == hour)]
        assert len(values) >= 100, f"hour {hour}: too few readings ({len(values)}) to judge"
        expected = base["mean"] * factor
        tolerance = SIGMAS * base["stddev"] * factor / math.sqrt(len(values)) + 0.0005
        assert abs(values.mean() - expected) <= tolerance, (hour, values.mean(), expected)


def test_the_peak_hour_reads_several_times_the_night_trough(readings) -> None:
    """A flat kWh (the fault this fixes) would give a ratio near 1; the curve says 1.70 / 0.38."""
    spec = _spec()
    factors = _factors(spec)
    hours, kwh = readings
    column = spec["columns"]["kwh_consumed"]
    kept = (kwh >= column["min"]) & (kwh <= column["max"])  # anomalies and nulls left out
    peak, trough = int(np.argmax(factors)), int(np.argmin(factors))
    ratio = kwh[kept & (hours == peak)].mean() / kwh[kept & (hours == trough)].mean()
    assert ratio > 0.7 * factors[peak] / factors[trough], ratio

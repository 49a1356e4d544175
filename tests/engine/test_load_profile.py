"""`profile:` (DESIGN §3): rows per cycle and event times follow the clock, deterministically.

Expected values come from the rule: the intensity of an hour is hourly[h] × weekday[d] over their
means, a cycle's expected rows are num_rows × its mean intensity, rounded up or down at random,
so a week of cycles holds num_rows × cycles rows within one row per cycle.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.times import at, micros

from streamforge import api
from streamforge.engine.load_profile import (
    HOUR_US,
    cycle_rows,
    event_clock,
    hourly_shares,
    mean_intensity,
)
from streamforge.plan.times import DAY_US, MICROS
from streamforge.readback import read_landing
from streamforge.spec.model import LoadProfile

MONDAY = at("2026-01-05T00:00:00Z")  # a Monday, 00:00 UTC
MONDAY_US = micros("2026-01-05T00:00:00Z")
HOURLY = (0, 0, 0, 0, 0, 0, 1, 2, 4, 6, 8, 8, 8, 8, 8, 8, 8, 10, 12, 10, 6, 3, 1, 0)
WEEKDAY = (5, 5, 5, 5, 6, 3, 2)
SHAPED = LoadProfile(hourly=tuple(map(float, HOURLY)), weekday=tuple(map(float, WEEKDAY)))

weights = st.lists(st.integers(0, 20), min_size=24, max_size=24).filter(any)
days = st.lists(st.integers(0, 20), min_size=7, max_size=7).filter(any)


def _week_of_cycles(profile: LoadProfile, num_rows: int, interval_s: int, seed: int) -> list[int]:
    step = interval_s * MICROS
    return [
        cycle_rows(
            profile,
            num_rows,
            1.0,
            seed,
            "t",
            c,
            (MONDAY_US + c * step, MONDAY_US + (c + 1) * step),
            MONDAY_US,
        )
        for c in range(7 * 86_400 // interval_s)
    ]


def _corr(a, b) -> float:
    return float(np.corrcoef(np.asarray(a, float), np.asarray(b, float))[0, 1])


@pytest.fixture(scope="module")
def week(tmp_path_factory, lab_dir):
    """`generate --cycles 84 --interval 7200` from a Monday: a week of a shaped fact and feed."""
    schema = lab_dir(
        {
            "customer": {
                "type": "dimension",
                "num_rows": 200,
                "columns": {"customer_id": "int", "name": "string"},
            },
            "orders": {
                "type": "fact",
                "num_rows": 300,
                "profile": {"hourly": list(HOURLY), "weekday": list(WEEKDAY)},
                "columns": {"order_id": "long", "customer_id": "int", "order_time": "datetime"},
            },
            "customer_changes": {
                "type": "change_feed",
                "num_rows": 40,
                "tracks": "customer",
                "profile": {"hourly": list(HOURLY)},
                "columns": {
                    "customer_id": "int",
                    "name": "string",
                    "change_type": {"type": "string", "values": ["INSERT", "UPDATE", "DELETE"]},
                    "changed_at": "datetime",
                },
            },
        }
    )
    out = tmp_path_factory.mktemp("week")
    api.generate("lab", out, schema_dir=schema, cycles=84, interval=7200, start=MONDAY, seed=5)
    return schema, out


def _read(schema, out, table: str) -> pa.Table:
    files = read_landing(out, api.load_plan("lab", schema))[table]
    return pa.concat_tables([f.data for f in files])


def _landed(week, table: str, column: str) -> tuple[pa.Table, pa.ChunkedArray]:
    data = _read(*week, table)
    return data, pc.cast(data.column(column), pa.timestamp("us", tz="UTC"))


def test_a_week_of_two_hour_cycles_has_the_shape_of_the_weights(week) -> None:
    data, stamps = _landed(week, "orders", "order_time")
    total = data.num_rows
    # Stochastic rounding moves each cycle's rows by less than one from num_rows × intensity,
    # and the intensities of a week's cycles average exactly 1.
    assert abs(total - 300 * 84) < 84
    by_hour = np.bincount(pc.hour(stamps).to_numpy(), minlength=24)
    by_day = np.bincount(pc.day_of_week(stamps).to_numpy(), minlength=7)
    assert _corr(by_hour, HOURLY) > 0.99 and _corr(by_day, WEEKDAY) > 0.99
    assert by_hour[np.array(HOURLY) == 0].sum() == 0  # no event in an hour of weight 0
    # Saturday (3) against Friday (6): the ratio of the weights, within sampling noise.
    assert by_day[5] / by_day[4] == pytest.approx(3 / 6, rel=0.1)


def test_change_feed_times_follow_the_hourly_shape_and_still_rise(week) -> None:
    _, stamps = _landed(week, "customer_changes", "changed_at")
    by_hour = np.bincount(pc.hour(stamps).to_numpy(), minlength=24)
    assert _corr(by_hour, HOURLY) > 0.95
    assert by_hour[np.array(HOURLY) == 0].sum() == 0
    micros = pc.cast(stamps, pa.int64()).to_numpy()
    assert (np.diff(micros) > 0).all()  # strictly increasing along the feed (SEQUENCE BY)


def test_the_shaped_landing_verifies(week) -> None:
    schema, out = week
    report = api.verify("lab", out, schema_dir=schema)
    assert report.ok, report.findings[:3]


def test_generate_progress_total_is_exact_with_profiles(week) -> None:
    schema, out = week
    expected = api.expected_rows("lab", 84, 1.0, schema, seed=5, start=MONDAY, interval=7200)
    landed = sum(_read(schema, out, t).num_rows for t in ("customer", "orders", "customer_changes"))
    assert expected == landed


@settings(max_examples=40, deadline=None)
@given(hourly=weights, weekday=days, num_rows=st.integers(1, 5_000), seed=st.integers(0, 2**32))
def test_num_rows_is_the_average_over_the_week(hourly, weekday, num_rows, seed) -> None:
    profile = LoadProfile(hourly=tuple(map(float, hourly)), weekday=tuple(map(float, weekday)))
    counts = _week_of_cycles(profile, num_rows, 3600, seed)
    assert abs(sum(counts) - num_rows * 168) < 168  # < one row of rounding per cycle
    assert min(counts) >= 0


@settings(max_examples=40, deadline=None)
@given(
    hourly=weights,
    seed=st.integers(0, 2**32),
    cycle=st.integers(0, 10**6),
    num_rows=st.integers(1, 10**6),
)
def test_rows_per_cycle_are_a_pure_function_of_seed_table_and_cycle(
    hourly, seed, cycle, num_rows
) -> None:
    profile = LoadProfile(
        hourly=tuple(map(float, hourly)), burst_probability=0.3, burst_multiplier=4
    )
    window = (MONDAY_US + cycle * 30 * MICROS, MONDAY_US + (cycle + 1) * 30 * MICROS)
    args = (profile, num_rows, 1.0, seed, "orders", cycle, window, MONDAY_US)
    first = cycle_rows(*args)
    cycle_rows(profile, num_rows, 1.0, seed + 1, "other", cycle + 1, window, MONDAY_US)
    assert cycle_rows(*args) == first  # no hidden state between calls
    expected = num_rows * mean_intensity(profile, *window)  # rounded, in a burst times 4
    assert any(math.floor(e) <= first <= math.ceil(e) for e in (expected, expected * 4))


def test_bursts_multiply_a_share_of_cycles() -> None:
    flat = LoadProfile(burst_probability=0.1, burst_multiplier=5)
    counts = np.array(_week_of_cycles(flat, 1000, 300, 11))  # 2016 cycles
    bursts = counts >= 5000
    assert set(np.unique(counts)) == {1000, 5000}
    share = bursts.mean()  # Binomial(2016, 0.1): 5 standard deviations is 0.033
    assert abs(share - 0.1) < 0.033
    assert counts.mean() == pytest.approx(1000 * (1 + share * 4))


def test_the_trend_compounds_per_day_from_the_run_start() -> None:
    growing = LoadProfile(trend=0.05)
    step = 3600 * MICROS
    later = MONDAY_US + 10 * DAY_US
    first = cycle_rows(growing, 100_000, 1.0, 1, "t", 0, (MONDAY_US, MONDAY_US + step), MONDAY_US)
    tenth = cycle_rows(growing, 100_000, 1.0, 1, "t", 240, (later, later + step), MONDAY_US)
    half_hour = 0.5 / 24
    assert first == pytest.approx(100_000 * 1.05**half_hour, abs=1)
    assert tenth == pytest.approx(100_000 * 1.05 ** (10 + half_hour), abs=1)


def test_without_a_profile_every_cycle_has_num_rows() -> None:
    window = (MONDAY_US, MONDAY_US + 30 * MICROS)
    assert cycle_rows(None, 250, 2.0, 1, "t", 3, window, MONDAY_US) == 500
    assert cycle_rows(None, 1, 0.01, 1, "t", 3, window, MONDAY_US) == 1


def test_event_clock_places_rows_by_the_hourly_weights() -> None:
    clock = event_clock(SHAPED, MONDAY_US, MONDAY_US + DAY_US)
    assert clock is not None
    fractions = (np.arange(100_000) + 0.5) / 100_000
    placed = clock.place(fractions)
    assert (np.diff(placed) >= 0).all()
    assert placed.min() >= MONDAY_US and placed.max() < MONDAY_US + DAY_US
    by_hour = np.bincount((placed - MONDAY_US) // HOUR_US, minlength=24)
    expected = 100_000 * np.array(HOURLY) / sum(HOURLY)
    assert np.abs(by_hour - expected).max() <= 1


def test_a_window_without_intensity_has_no_clock_and_no_rows() -> None:
    night = (MONDAY_US + HOUR_US, MONDAY_US + 2 * HOUR_US)  # 01:00-02:00, weight 0
    assert event_clock(SHAPED, *night) is None
    assert all(cycle_rows(SHAPED, 10_000, 1.0, s, "t", 0, night, MONDAY_US) == 0 for s in range(20))


def test_hourly_shares_average_the_week() -> None:
    shares = hourly_shares(SHAPED)
    assert shares.mean() == pytest.approx(1.0)
    assert shares == pytest.approx(np.array(HOURLY) / np.mean(HOURLY))


def test_monday_is_the_first_weekday() -> None:
    only_monday = LoadProfile(weekday=(1.0, 0, 0, 0, 0, 0, 0))
    day = datetime(2026, 1, 5, 12, tzinfo=UTC)
    assert day.weekday() == 0
    noon = int(day.timestamp()) * MICROS
    assert mean_intensity(only_monday, noon, noon + HOUR_US) == pytest.approx(7.0)
    assert mean_intensity(only_monday, noon + DAY_US, noon + DAY_US + HOUR_US) == 0.0
    assert math.isclose(mean_intensity(only_monday, MONDAY_US, MONDAY_US + 7 * DAY_US), 1.0)

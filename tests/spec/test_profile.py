"""`profile:` in the schema: loaded into the frozen spec, and used by validate's unique-capacity
check (the busiest batch must fit, the space lasts what the average and the trend allow)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from streamforge import sectors
from streamforge.spec.model import LoadProfile
from streamforge.spec.profile import cycles_lasting, mean_factor, peak_factor

PEAKY = [1.0] * 12 + [3.0] * 12  # busiest hours are 1.5 × the average


def _sector(tmp_path: Path, profile: dict | None, room: int = 1000, rows: int = 100):
    fact = {
        "table": "orders",
        "type": "fact",
        "num_rows": rows,
        "columns": {
            "order_id": "long",
            "code": {"type": "int", "min": 1, "max": room, "unique": True},
        },
    }
    if profile is not None:
        fact["profile"] = profile
    (tmp_path / "lab").mkdir(parents=True)
    (tmp_path / "lab" / "orders.yml").write_text(yaml.safe_dump(fact, sort_keys=False))
    return sectors.check_sector(tmp_path, "lab")


def _line_of(tmp_path: Path, text: str) -> int:
    lines = (tmp_path / "lab" / "orders.yml").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.lstrip().startswith(text))


def test_a_profile_loads_with_its_line_and_flat_defaults(tmp_path: Path) -> None:
    check = _sector(tmp_path, {"hourly": PEAKY, "bursts": {"probability": 0.5, "multiplier": 3}})
    assert check.plan is not None
    profile = check.plan.table("orders").spec.profile
    assert profile is not None and profile.line == _line_of(tmp_path, "profile:")
    assert profile.hourly == tuple(PEAKY) and profile.weekday == (1.0,) * 7
    assert (profile.burst_probability, profile.burst_multiplier, profile.trend) == (0.5, 3.0, 0.0)


def test_the_busiest_batch_must_fit_the_unique_space(tmp_path: Path) -> None:
    # 100 rows on average, 150 in the busiest hour: a space of 120 fits the average only.
    check = _sector(tmp_path, {"hourly": PEAKY}, room=120)
    (error,) = check.errors
    assert "120 possible values for 150 rows in one batch (the profile's busiest cycle)" in (
        error.message
    )
    assert error.line == _line_of(tmp_path, "code:")  # the unique column's line


def test_the_space_lasts_what_the_average_batch_allows(tmp_path: Path) -> None:
    bursts = {"probability": 0.5, "multiplier": 3}  # the average cycle: 100 × 2 rows
    check = _sector(tmp_path, {"hourly": PEAKY, "bursts": bursts}, room=10_000)
    (warning,) = check.issues
    assert warning.severity == "warning"
    assert "at 200 rows per batch they last 50 cycles" in warning.message


def test_a_growing_trend_shortens_how_long_the_space_lasts(tmp_path: Path) -> None:
    flat = _sector(tmp_path / "a", None, room=10_000_000, rows=1)
    growing = _sector(tmp_path / "b", {"trend": 0.5}, room=10_000_000, rows=1)
    assert flat.issues == ()  # 10 M cycles: beyond the year validate looks at
    (warning,) = growing.issues
    assert "growing +50.0% a day" in warning.message


@settings(max_examples=30, deadline=None)
@given(
    per_cycle=st.integers(1, 500),
    trend=st.floats(-0.2, 0.5).filter(lambda t: abs(t) > 1e-3),
    room=st.integers(1_000, 3_000_000),
)
def test_cycles_lasting_matches_summing_the_cycles(per_cycle: int, trend: float, room: int) -> None:
    profile = LoadProfile(trend=trend)
    interval = 3600.0
    cycles = cycles_lasting(room, per_cycle, profile, interval)
    # The same growth summed cycle by cycle: the values used by the time the space runs out.
    k = min(cycles, 100_000)
    used = sum(per_cycle * (1 + trend) ** ((c + 0.5) / 24) for c in range(k))
    if cycles < 100_000:
        last = per_cycle * (1 + trend) ** (k / 24)  # cutting at a whole cycle: one batch off
        assert used == pytest.approx(room, rel=0.01, abs=2 * last)
    else:
        assert used < room * 1.01


def test_peak_and_mean_factors_follow_the_rule() -> None:
    profile = LoadProfile(
        hourly=tuple(PEAKY),
        weekday=(2.0, 1, 1, 1, 1, 1, 1),
        burst_probability=0.1,
        burst_multiplier=4.0,
    )
    assert peak_factor(profile) == 1.5 * (2 / (8 / 7)) * 4
    assert math.isclose(mean_factor(profile), 1.3)
    assert peak_factor(LoadProfile()) == 1.0 and mean_factor(LoadProfile()) == 1.0

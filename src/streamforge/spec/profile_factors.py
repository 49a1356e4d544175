"""What a `profile:` (spec/profile.py) does to a table's rows per cycle: its peak and mean over
`num_rows`, and how long a pool of values lasts. No pydantic here: the engine and the planner
read these of a cached plan (check_cache.py) without loading the YAML models."""

from __future__ import annotations

import math

from streamforge.spec.model import LoadProfile


def peak_factor(profile: LoadProfile) -> float:
    """The busiest cycle's rows over the average (`num_rows`), before the trend: the busiest
    hour of the busiest weekday, in a burst when the profile has bursts."""
    hourly = max(profile.hourly) / (math.fsum(profile.hourly) / 24)
    weekday = max(profile.weekday) / (math.fsum(profile.weekday) / 7)
    burst = profile.burst_multiplier if profile.burst_probability > 0 else 1.0
    return hourly * weekday * max(burst, 1.0)


def mean_factor(profile: LoadProfile) -> float:
    """The average cycle's rows over `num_rows`, before the trend: bursts come on top of the
    clock's shape, whose average is `num_rows` by definition."""
    return 1.0 + profile.burst_probability * (profile.burst_multiplier - 1.0)


def cycles_lasting(
    room: float, per_cycle: float, profile: LoadProfile | None, interval_s: float
) -> int:
    """Cycles until `room` values are used at `per_cycle` on average (× `mean_factor`), the
    profile's trend compounding per day from the start; a large number when a shrinking trend
    never uses them up."""
    if per_cycle <= 0:
        return 1 << 62
    if profile is None:
        return int(room // per_cycle)
    average = per_cycle * mean_factor(profile)
    growth = math.log1p(profile.trend)
    if abs(growth) < 1e-12:
        return int(room // average)
    per_day = 86_400 / interval_s
    # Rows by cycle k: average × per_day × ((1 + trend) ** (k / per_day) - 1) / ln(1 + trend).
    inside = 1 + room * growth / (average * per_day)
    if inside <= 0:
        return 1 << 62
    return int(per_day * math.log(inside) / growth)

"""Load that follows the clock (`profile:`, DESIGN §3): rows per cycle and event times inside it.

Pure functions of (profile, num_rows, scale, seed, table, cycle, window, run start): the runner,
`generate`, the estimates and the Spark engine's driver get the same counts, and a redone cycle
(same checkpointed window) gets the same rows.

The intensity at a moment t (UTC) is hourly[hour(t)] × weekday[weekday(t)], each weight divided
by its list's mean, so its average over a week (a day when only `hourly` is given) is 1: `num_rows`
is the average rows per cycle over the profile's period. A cycle's expected rows are `num_rows` ×
scale × the mean intensity over its window × (1 + trend) ** (days from the run's start to the
window's middle) × the burst multiplier when the cycle bursts; the count is that, rounded up or
down at random (unbiased), so small tables keep their average at quiet hours too.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from streamforge.engine.seeding import PROFILE, PROFILE_BEFORE, rng_for
from streamforge.plan.times import DAY_US, MICROS
from streamforge.spec.model import LoadProfile

HOUR_US = 3600 * MICROS
WEEK_HOURS = 168
MONDAY_US = 4 * DAY_US  # 1970-01-05T00:00Z, the first Monday after the epoch


def cycle_rows(
    profile: LoadProfile | None,
    num_rows: int,
    scale: float,
    seed: int,
    table: str,
    cycle: int,
    window: tuple[int, int],
    run_start_us: int,
) -> int:
    """Rows of one table's batch in one cycle (>= 0; >= 1 without a profile).

    Args:
        profile: the table's `profile:`, or None for `num_rows` × scale every cycle.
        window: [start, end) of the cycle's event times, microseconds since the epoch (UTC).
        run_start_us: where cycle 0 begins; the trend compounds from there.
    """
    if profile is None:
        return max(1, round(num_rows * scale))
    # A cycle before the run (< 0) is asked for by late rows (engine/late_rows.py).
    rng = rng_for(seed, table, abs(cycle), 0, "", PROFILE if cycle >= 0 else PROFILE_BEFORE)
    bursting, rounding = rng.random(2)
    expected = expected_rows(profile, num_rows, scale, window, run_start_us)
    if bursting < profile.burst_probability:
        expected *= profile.burst_multiplier
    return math.floor(expected + rounding)


def expected_rows(
    profile: LoadProfile, num_rows: int, scale: float, window: tuple[int, int], run_start_us: int
) -> float:
    """num_rows × scale × the mean intensity over `window` × the trend since `run_start_us`:
    a cycle's rows before its burst and rounding."""
    lo, hi = window
    expected = num_rows * scale * mean_intensity(profile, lo, hi)
    if profile.trend:
        days = ((lo + hi) / 2 - run_start_us) / DAY_US
        expected *= math.exp(days * math.log1p(profile.trend))
    return expected


def mean_intensity(profile: LoadProfile, lo: int, hi: int) -> float:
    """The intensity averaged over [lo, hi) microseconds (at `lo` when the window is empty)."""
    if hi <= lo:
        return float(_week(profile)[0][_hour_of_week(np.array([lo]))[0]])
    mass = _mass(profile, np.array([lo, hi], dtype=np.int64))
    return float((mass[1] - mass[0]) / ((hi - lo) / HOUR_US))


def hourly_shares(profile: LoadProfile) -> np.ndarray:
    """(24,) the intensity of each UTC hour of the day, averaged over the week (mean 1)."""
    weights, _ = _week(profile)
    return weights.reshape(7, 24).mean(axis=0)


@dataclass(frozen=True, slots=True)
class EventClock:
    """Where a batch's rows fall inside its window: the inverse of the cumulative intensity.

    `knots_us` are the window's start, the hour boundaries inside it and its end; `shares` the
    cumulative share of the window's rows at each knot (0 .. 1).
    """

    profile: LoadProfile
    knots_us: np.ndarray
    shares: np.ndarray

    def place(self, fractions: np.ndarray) -> np.ndarray:
        """Microseconds (int64) for fractions in [0, 1) of the batch: non-decreasing with them,
        inside the window, denser in busier hours. Vectorised: one searchsorted."""
        knots, shares = self.knots_us, self.shares
        if len(knots) == 2:  # the window lies inside one hour (a 30 s cycle): even, as without
            offsets = (fractions * float(knots[1] - knots[0])).astype(np.int64)
            return np.minimum(knots[0] + offsets, knots[1] - 1)
        # side="right": a fraction on a quiet (zero-weight) hour's edge goes past that hour.
        index = np.clip(np.searchsorted(shares, fractions, side="right") - 1, 0, len(knots) - 2)
        low = shares[index]
        width = shares[index + 1] - low
        within = np.divide(fractions - low, width, out=np.zeros_like(fractions), where=width > 0)
        span = (knots[index + 1] - knots[index]).astype(np.float64)
        placed = knots[index] + (within * span).astype(np.int64)
        return np.clip(placed, knots[0], knots[-1] - 1)


def event_clock(profile: LoadProfile | None, lo: int, hi: int) -> EventClock | None:
    """The clock of a window [lo, hi), or None: no profile, an empty window, or no intensity
    anywhere in it (then times spread evenly, as without a profile)."""
    if profile is None or hi - lo < 2:
        return None
    first = -(-(lo - MONDAY_US) // HOUR_US) * HOUR_US + MONDAY_US  # the first hour boundary > lo
    inner = np.arange(first if first > lo else first + HOUR_US, hi, HOUR_US, dtype=np.int64)
    knots = np.concatenate([[lo], inner, [hi]]).astype(np.int64)
    mass = _mass(profile, knots)
    total = mass[-1] - mass[0]
    if not total > 0:
        return None
    return EventClock(profile, knots, (mass - mass[0]) / total)


def _hour_of_week(t_us: np.ndarray) -> np.ndarray:
    return ((t_us - MONDAY_US) // HOUR_US) % WEEK_HOURS


def _mass(profile: LoadProfile, t_us: np.ndarray) -> np.ndarray:
    """The intensity integrated from the Monday 00:00 UTC before `t_us[0]` to each moment, in
    hours (callers take differences). Counted from that week, not the epoch: a mass of ~5e7
    hours since 1970 left a 0.2 s window's difference with a relative error of 1e-4."""
    weights, cumulative = _week(profile)
    week_us = WEEK_HOURS * HOUR_US
    base = MONDAY_US + (int(t_us[0]) - MONDAY_US) // week_us * week_us
    hours = (t_us - base) // HOUR_US
    weeks, hour = np.divmod(hours, WEEK_HOURS)
    into = ((t_us - base) - hours * HOUR_US) / HOUR_US
    return weeks * float(WEEK_HOURS) + cumulative[hour] + into * weights[hour]


@functools.lru_cache(maxsize=256)
def _week(profile: LoadProfile) -> tuple[np.ndarray, np.ndarray]:
    """(168,) intensity per hour of the week from Monday 00:00 UTC (mean 1), and (169,) its
    running sum from 0."""
    hourly = np.asarray(profile.hourly, dtype=np.float64)
    weekday = np.asarray(profile.weekday, dtype=np.float64)
    weights = np.outer(weekday / weekday.mean(), hourly / hourly.mean()).ravel()
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    return weights, cumulative


@dataclass(frozen=True, slots=True)
class LoadCurve:
    """What a table's `profile:` means in rows, for people: the expected rows in each UTC hour of
    the day (averaged over the week) at a given interval, and each weekday's share of the load."""

    interval_s: float
    hourly_rows: tuple[float, ...]  # 24: rows expected in hour h (00:00-01:00 UTC first)
    weekday_factors: tuple[float, ...]  # 7: Monday first; 1.0 is an average day
    average_rows: float  # per cycle, bursts included
    peak_rows: float  # the busiest cycle: busiest hour and weekday, in a burst


def load_curve(profile: LoadProfile, num_rows: int, interval_s: float) -> LoadCurve:
    """The expected rows per UTC hour of a table with `profile` at `interval_s` seconds a cycle
    (no randomness: the mean of what `cycle_rows` gives; bursts counted at their average)."""
    from streamforge.spec.profile_factors import mean_factor, peak_factor

    per_hour = num_rows * 3600 / interval_s * mean_factor(profile)
    weekday = np.asarray(profile.weekday, dtype=np.float64)
    return LoadCurve(
        interval_s,
        tuple(float(v) for v in per_hour * hourly_shares(profile)),
        tuple(float(v) for v in weekday / weekday.mean()),
        num_rows * mean_factor(profile),
        num_rows * peak_factor(profile),
    )

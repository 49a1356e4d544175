"""`profile:` judged coarsely: event times inside each cycle's window follow the hourly and weekday
weights (DESIGN §3, issue 13.7), by hour of the day over the whole landing.

Per file, the rows on time (event time inside the file's window: late rows keep a time of an
earlier window, so they are left out) and not repeated (one row per key) are a sample of the
window's intensity hourly[hour] × weekday[day], whatever the number of rows the cycle drew. Summed
over files, the rows in hour h of the day are a sum of independent Bernoulli draws with mean E_h
and variance V_h, so Bernstein's inequality bounds |O_h - E_h| by t_h with probability 1 - 1e-6
across all 24 hours: a finding is never chance at that level. How many rows each cycle has
(`num_rows`, the scale, bursts) is not judged: the landing does not record the run's scale.

Between cycles the shape is in the rows per cycle, which cycle_counts.py judges against the
profile: a day of 2-hour cycles shows every hour's weight there even when the hours inside each
window weigh about the same. Only when neither way can tell the profile from an even spread (30 s
cycles inside one hour) does the report say so in a note, naming the hours covered; otherwise the
`ok:` line names how the profile was checked and over which hours of the day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.plan import TablePlan
from streamforge.plan.times import micros_of_iso
from streamforge.plural import counted
from streamforge.spec.model import LoadProfile
from streamforge.verify.cycle_counts import file_bands, judgeable
from streamforge.verify.report import Report

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
MONDAY_US = 4 * DAY_US  # 1970-01-05T00:00Z
FALSE_ALARM = 1e-6  # chance that a correct landing gets a finding, over the 24 hours
HOURS = 24


@dataclass(slots=True)
class ProfileTally:
    """Observed and expected rows per hour of the day (UTC), summed over a table's files."""

    observed: np.ndarray = field(default_factory=lambda: np.zeros(HOURS))
    expected: np.ndarray = field(default_factory=lambda: np.zeros(HOURS))
    variance: np.ndarray = field(default_factory=lambda: np.zeros(HOURS))
    even: np.ndarray = field(default_factory=lambda: np.zeros(HOURS))  # if spread evenly

    def add_file(self, profile: LoadProfile, window: tuple[int, int], times: np.ndarray) -> None:
        """`times`: the file's on-time, distinct event times (µs since the epoch)."""
        start, end = window
        if end <= start or not len(times):
            return
        share, even = window_shares(profile, start, end)
        n = len(times)
        hours = ((times // HOUR_US) % HOURS).astype(np.int64)
        self.observed += np.bincount(hours, minlength=HOURS)
        self.expected += n * share
        self.variance += n * share * (1 - share)
        self.even += n * even

    def bounds(self) -> np.ndarray:
        """Bernstein's t_h per hour for a false alarm of FALSE_ALARM over the 24 hours."""
        log = math.log(2 * HOURS / FALSE_ALARM)
        return log / 3 + np.sqrt((log / 3) ** 2 + 2 * self.variance * log)


def window_shares(profile: LoadProfile, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """(24,) the share of the window's intensity, and of its length, in each hour of the day."""
    hourly = np.asarray(profile.hourly, dtype=np.float64)
    weekday = np.asarray(profile.weekday, dtype=np.float64)
    share, even = np.zeros(HOURS), np.zeros(HOURS)
    t = start
    while t < end:  # one piece per hour the window touches
        piece_end = min(end, (t // HOUR_US + 1) * HOUR_US)
        hour = int((t // HOUR_US) % HOURS)
        day = int(((t - MONDAY_US) // DAY_US) % 7)
        length = piece_end - t
        share[hour] += hourly[hour] * weekday[day] * length
        even[hour] += length
        t = piece_end
    if share.sum() <= 0:  # no intensity anywhere in the window: spread evenly
        share = even.copy()
    return share / share.sum(), even / even.sum()


def on_time_times(table: TablePlan, data: pa.Table, window: tuple[int, int]) -> np.ndarray:
    """Event times (µs) of a file's rows inside its window, one per key (duplicates dropped)."""
    event = table.event_time if table.feed is None else table.feed.timestamp_column
    if event is None or event not in data.column_names:
        return np.zeros(0, np.int64)
    key = table.primary_key if table.primary_key in data.column_names else event
    rows = data.select(list(dict.fromkeys([key, event])))
    rows = rows.filter(pc.is_valid(rows.column(event)))
    times = pc.cast(rows.column(event), pa.int64()).to_numpy(zero_copy_only=False)
    keys = pc.cast(rows.column(key), pa.int64()).to_numpy(zero_copy_only=False)
    inside = (times >= window[0]) & (times < window[1])
    _, first = np.unique(keys[inside], return_index=True)
    return times[inside][first]


def judge_profile(
    report: Report, table: TablePlan, tally: ProfileTally, entries: list[dict]
) -> None:
    """A finding per hour whose rows leave the bound. The shape is checked two ways, each only
    where the landing can show it: between cycles, by the rows per cycle that cycle_counts.py
    judges against the profile (it tells the profile from an even spread when an even load
    would leave some cycle's band); within cycles, by the hours of the event times (below). A
    note only when neither can tell, naming the hours of the day the landing covers."""
    ways = []
    hours = _hours_covered(entries)
    if _counts_show_shape(table, entries):
        ways.append("rows per cycle")
    bound = tally.bounds()
    if (np.abs(tally.expected - tally.even) > 2 * bound).any():
        ways.append("event times within cycles")
    if not ways:
        report.notes.append(
            f"{table.name}: profile not checkable on this landing: its "
            f"{counted(len(entries), 'cycle')} cover {_hours_text(hours)} of the day, where an "
            "even load gives the same rows per cycle and the same event times within the "
            "windows, beyond chance, as the profile; cycles spanning hours of different "
            "weight show it (e.g. --cycles 12 --interval 7200: a day of 2-hour cycles)"
        )
        return
    report.profiled.add(f"{table.name}: {' and '.join(ways)}, {_hours_text(hours)}")
    off = np.abs(tally.observed - tally.expected) > bound
    for hour in np.flatnonzero(off) if "event times within cycles" in ways else ():
        report.add(
            table.name,
            -1,
            f"{int(tally.observed[hour]):,} rows at {hour:02d}:00-{hour:02d}:59 UTC, but its "
            f"profile gives {tally.expected[hour]:,.1f} ± {bound[hour]:,.1f} (p < 1e-6)",
            kind="profile",
            count=int(tally.observed[hour]),
            example=int(hour),
        )


def _counts_show_shape(table: TablePlan, entries: list[dict]) -> bool:
    """An even load (num_rows × scale every cycle, the trend kept) would leave the band of rows
    some judged cycle may hold (cycle_counts.file_bands): the count check sees the shape."""
    profile = table.spec.profile
    last = max((e["cycle"] for e in entries), default=-1)
    for entry in entries:
        if not judgeable(entry) or profile is None:
            continue
        window = (micros_of_iso(entry["window_start"]), micros_of_iso(entry["window_end"]))
        start, scale = micros_of_iso(entry["run_start"]), float(entry["scale"])
        even = table.spec.num_rows * scale  # the profile's average, its trend kept
        if profile.trend:
            days = ((window[0] + window[1]) / 2 - start) / DAY_US
            even *= math.exp(days * math.log1p(profile.trend))
        final = bool(entry.get("final")) or entry["cycle"] == last
        if not any(low <= even <= high for low, high in file_bands(table, entry, final)):
            return True
    return False


def _hours_covered(entries: list[dict]) -> set[int]:
    hours: set[int] = set()
    for entry in entries:
        if entry.get("window_start") is None or entry.get("window_end") is None:
            continue
        start, end = micros_of_iso(entry["window_start"]), micros_of_iso(entry["window_end"])
        for t in range(start - start % HOUR_US, max(end, start + 1), HOUR_US):
            hours.add(int((t // HOUR_US) % HOURS))
            if len(hours) == HOURS:
                return hours
    return hours


def _hours_text(hours: set[int]) -> str:
    """ "all 24 hours", or the hours as ranges: "hours 00-01, 08 UTC"."""
    if len(hours) == HOURS:
        return "all 24 hours"
    runs: list[list[int]] = []
    for hour in sorted(hours):
        if runs and hour == runs[-1][-1] + 1:
            runs[-1].append(hour)
        else:
            runs.append([hour])
    parts = [f"{r[0]:02d}" if len(r) == 1 else f"{r[0]:02d}-{r[-1]:02d}" for r in runs]
    return f"hour{'s' if len(hours) != 1 else ''} {', '.join(parts)} UTC"

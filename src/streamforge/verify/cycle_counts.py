"""Rows per cycle judged against the table's rule: `num_rows` × the run's scale, shaped by
`profile:` (DESIGN §3, issue 13.7), and no cycle of a table missing.

The manifest line of each file records the run's `scale` and `run_start` (RunSettings.run_record);
the expected rows are computed here from the YAML's `num_rows` and `profile:` and the file's
window, not taken from the generator: e = num_rows × scale × mean intensity over the window
(hourly[h] / mean × weekday[d] / mean, integrated hour piece by hour piece) × (1 + trend) ** days
from the run start to the window's middle. Then:

- no profile, no late rows moving between files: exactly max(1, round(num_rows × scale));
- a profile: e rounded up or down (or e × burst_multiplier in a bursting cycle): |rows - e| < 1;
- late rows (a change feed, or a profiled fact): a file's rows are bounded (Bernstein, a false
  alarm of 1e-9 per file) around its cycle's rows staying (1 - late_rate) and late rows of the
  MAX_LATE_CYCLES cycles before arriving; and exactly, the rows whose *event time* falls in a
  cycle's window, over every file, are that cycle's count (`WindowTally`): late rows only change
  the file a row lands in.

A landing without `scale` in its manifest (written before it was recorded) is not judged: the
report's notes say so. Nor is a file written under an app scenario that changed rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from streamforge.plan import TablePlan
from streamforge.plan.times import MAX_LATE_CYCLES
from streamforge.plan.times import micros_of_iso as _micros
from streamforge.spec.model import LoadProfile
from streamforge.verify.report import Report

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
MONDAY_US = 4 * DAY_US  # 1970-01-05T00:00Z
FALSE_ALARM = 1e-9
# The rows verify read from the file (the manifest's `rows` is judged against them elsewhere)
ROWS_READ = "_rows_read"
ROUNDING = 1 + 1e-6  # the unbiased rounding moves a count by less than one (+ float noise)


def mean_intensity(profile: LoadProfile, start: int, end: int) -> float:
    """The profile's intensity averaged over [start, end) µs (at `start` when empty)."""
    hourly = np.asarray(profile.hourly, dtype=np.float64)
    weekday = np.asarray(profile.weekday, dtype=np.float64)
    hourly, weekday = hourly / hourly.mean(), weekday / weekday.mean()

    def weight(t: int) -> float:
        return float(hourly[(t // HOUR_US) % 24] * weekday[((t - MONDAY_US) // DAY_US) % 7])

    if end <= start:
        return weight(start)
    total, t = 0.0, start
    while t < end:  # one piece per hour the window touches
        piece_end = min(end, (t // HOUR_US + 1) * HOUR_US)
        total += weight(t) * (piece_end - t)
        t = piece_end
    return total / (end - start)


def expected_rows(table: TablePlan, scale: float, window: tuple[int, int], start: int) -> float:
    """The rows the rule expects in a cycle over `window`, before rounding and bursts."""
    profile, num_rows = table.spec.profile, table.spec.num_rows
    if profile is None or table.kind == "dimension":
        return num_rows * scale
    expected = num_rows * scale * mean_intensity(profile, *window)
    if profile.trend:
        days = ((window[0] + window[1]) / 2 - start) / DAY_US
        expected *= math.exp(days * math.log1p(profile.trend))
    return expected


def judge_cycle_rows(report: Report, table: TablePlan, entries: list[dict], cycles: range) -> None:
    """Findings for a table's files (in cycle order) whose rows leave the rule's range, and for
    cycles of `cycles` (those the landing's streams cover) that the table lacks."""
    if table.kind != "dimension":
        have = {e["cycle"] for e in entries}
        missing = [c for c in cycles if c not in have]
        if missing:
            report.add(
                table.name,
                missing[0],
                f"{len(missing)} cycles have no file of {table.name} (e.g. cycle {missing[0]}) "
                f"while the landing's other files cover cycles {cycles.start}-{cycles.stop - 1}: "
                "a file was removed",
                kind="rows",
                count=len(missing),
                example=missing[0],
            )
    judged = [e for e in entries if judgeable(e)]
    if len(judged) < len(entries):
        report.notes.append(
            f"{table.name}: {len(entries) - len(judged)} files not judged for their row count "
            "(no scale in the manifest: written before it was recorded, or under a scenario)"
        )
    last = max((e["cycle"] for e in entries), default=-1)
    for entry in judged:
        _check_recorded(report, table, entry)
        final = bool(entry.get("final")) or entry["cycle"] == last
        bands = file_bands(table, entry, final)
        rows = int(entry.get(ROWS_READ, entry.get("rows", 0)))
        if table.feed is not None:  # a change feed's duplicates are extra copies (announced)
            rows -= int((entry.get("faults") or {}).get("duplicate", 0))
        if not any(low <= rows <= high for low, high in bands):
            _say(report, table, entry, rows, bands, "rows")


def _check_recorded(report: Report, table: TablePlan, entry: dict) -> None:
    """The generator's `expected_rows` must be the rule's: else it read the profile otherwise."""
    recorded = entry.get("expected_rows")
    if recorded is None:
        return
    window = (_micros(entry["window_start"]), _micros(entry["window_end"]))
    mine = expected_rows(table, float(entry["scale"]), window, _micros(entry["run_start"]))
    if abs(float(recorded) - mine) > 1e-6 * max(1.0, abs(mine)):
        report.add(
            table.name,
            entry["cycle"],
            f"the manifest expects {float(recorded):,.6g} rows in this cycle, but num_rows "
            f"{table.spec.num_rows:,} × scale {float(entry['scale']):g} over its window gives "
            f"{mine:,.6g} by the YAML's profile",
            kind="rows",
        )


def judgeable(entry: dict) -> bool:
    """The manifest line records what the row count needs, and no scenario changed the rates."""
    return "scale" in entry and "run_start" in entry and not entry.get("scenario")


def moves_rows(table: TablePlan) -> bool:
    """Late rows move between files: a change feed's held rows, a profiled fact's (whose count
    follows the cycle of their event time, engine/late_rows.py)."""
    spec = table.spec
    return spec.late_rate > 0 and (table.feed is not None or spec.profile is not None)


@dataclass(slots=True)
class WindowTally:
    """Rows by the cycle window their event time falls in, over every file of a table: with
    late rows moving between files, each window must hold its own cycle's count exactly."""

    entries: list[dict]
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    ends: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        self.starts = np.array([_micros(e["window_start"]) for e in self.entries], np.int64)
        self.ends = np.array([_micros(e["window_end"]) for e in self.entries], np.int64)
        self.counts = np.zeros(len(self.entries), np.int64)

    def add(self, times: np.ndarray) -> None:
        """`times`: event times (µs) of a file's rows, repeats of a row left out."""
        at = np.searchsorted(self.starts, times, side="right") - 1
        inside = (at >= 0) & (times < self.ends[np.maximum(at, 0)])
        self.counts += np.bincount(at[inside], minlength=len(self.entries))

    def judge(self, report: Report, table: TablePlan) -> None:
        """A finding per window whose rows by event time leave its cycle's count. Windows whose
        late rows may still be in flight (the last MAX_LATE_CYCLES, unless the last file is a
        finite run's final one: `final` in its manifest line) only get an upper bound."""
        last = len(self.entries) - 1
        final = bool(self.entries) and bool(self.entries[-1].get("final"))
        for i, entry in enumerate(self.entries):
            if not judgeable(entry):
                continue
            bands = _own_bands(table, entry)
            rows = int(self.counts[i])
            settled = final or i <= last - MAX_LATE_CYCLES
            ok = any((low if settled else 0) <= rows <= high for low, high in bands)
            if not ok:
                _say(report, table, entry, rows, bands, "rows", by_event_time=True)


def _say(report, table, entry, rows, bands, kind, by_event_time=False) -> None:
    scale = float(entry["scale"])
    shown = " or ".join(f"{lo:,.0f}-{hi:,.0f}" if hi > lo else f"{lo:,.0f}" for lo, hi in bands)
    what = "rows with an event time in this cycle's window" if by_event_time else "rows"
    report.add(
        table.name,
        entry["cycle"],
        f"{rows:,} {what}, but num_rows {table.spec.num_rows:,} × scale {scale:g}"
        f"{' shaped by its profile' if table.spec.profile else ''} gives {shown}: rows were "
        "dropped or added",
        kind=kind,
        count=rows,
    )


def _own_bands(table: TablePlan, entry: dict) -> list[tuple[float, float]]:
    window = (_micros(entry["window_start"]), _micros(entry["window_end"]))
    return _bands(table, float(entry["scale"]), window, _micros(entry["run_start"]))


def _bands(
    table: TablePlan, scale: float, window: tuple[int, int], start: int
) -> list[tuple[float, float]]:
    """The counts a cycle may make: exact without a profile; e rounded, or e × the burst
    multiplier rounded in a bursting cycle."""
    spec = table.spec
    if table.kind == "dimension" or spec.profile is None:
        exact = float(max(1, round(spec.num_rows * scale)))
        return [(exact, exact)]
    e = expected_rows(table, scale, window, start)
    bands = [(max(0.0, e - ROUNDING), e + ROUNDING)]
    if spec.profile.burst_probability:
        m = e * spec.profile.burst_multiplier
        bands.append((max(0.0, m - ROUNDING), m + ROUNDING))
    return bands


def file_bands(table: TablePlan, entry: dict, final: bool) -> list[tuple[float, float]]:
    """The rows a file may hold: its cycle's count, or with late rows moving between files a
    Bernstein bound around this cycle's rows staying and earlier cycles' rows arriving."""
    bands = _own_bands(table, entry)
    if not moves_rows(table):
        return bands
    scale, start = float(entry["scale"]), _micros(entry["run_start"])
    window = (_micros(entry["window_start"]), _micros(entry["window_end"]))
    rate, width = table.spec.late_rate, window[1] - window[0]
    own_low, own_high = bands[0][0], bands[-1][1]
    low = own_low * (1 - rate)  # a live run's last file may not be final: as any other
    high = own_high * (1 - rate) if not final else own_high
    variance = rate * (1 - rate) * own_high if not final else 0.0
    share = rate / MAX_LATE_CYCLES
    for back in range(1, MAX_LATE_CYCLES + 1):
        if table.feed is not None and entry["cycle"] - back < 0:
            continue  # a change feed holds back nothing from before its run
        earlier = _bands(table, scale, (window[0] - back * width, window[1] - back * width), start)
        low += earlier[0][0] * share
        high += earlier[-1][1] * share * ((MAX_LATE_CYCLES - back + 1) if final else 1)
        variance += earlier[-1][1] * share * (1 - share) * (MAX_LATE_CYCLES if final else 1)
    log = math.log(2 / FALSE_ALARM)
    slack = log / 3 + math.sqrt((log / 3) ** 2 + 2 * variance * log)
    return [(low - slack, high + slack)]

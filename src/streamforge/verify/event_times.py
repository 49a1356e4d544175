"""Per landing file: a fact's event times fall in the file's window (but the announced late rows),
and the tallies by event time (rows by hour for a profile; rows by window) that are judged after
the pass."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.absent import absent
from streamforge.verify.cycle_counts import moves_rows
from streamforge.verify.feeds import as_int64
from streamforge.verify.landing_run import LandingRun, micros
from streamforge.verify.profile_shape import ProfileTally, on_time_times


def check_event_times(run: LandingRun, table: TablePlan, entry: dict, data: pa.Table) -> None:
    """Event times fall in the file's window, except the late rows the manifest announces."""
    event = table.event_time
    start, end = entry.get("window_start"), entry.get("window_end")
    if event is None or start is None or end is None or start == end:
        return
    if absent(run.report, table.name, "event times in the window", [event], data):
        return
    if run.rules[table.name].get(event, None) is None:
        return
    if run.rules[table.name][event].anomaly_rate:
        return  # anomalies move event times on purpose
    stamps = pc.drop_null(data.column(event))
    times = as_int64(stamps)
    early = int((times < micros(start)).sum())
    future = int((times >= micros(end)).sum())
    late = int((entry.get("faults") or {}).get("late", 0))
    if early != late or future:
        run.report.add(
            table.name,
            entry["cycle"],
            f"{counted(early, 'row')} before and {future} after the window [{start}, {end}), "
            f"manifest announces {counted(late, 'late row')}",
            column=event,
            kind="window",
            count=early + future,
        )


def by_event_time(run: LandingRun, table: TablePlan) -> bool:
    """Judge the rows by event-time window (cycle_counts.WindowTally): late rows move between
    files, and every row keeps its event time (no anomaly or null there; a fact's duplicate
    overwrites a row, so its rows by time are not its count)."""
    event = table.event_time if table.feed is None else table.feed.timestamp_column
    rule = run.rules[table.name].get(event or "")
    if not moves_rows(table) or rule is None or rule.anomaly_rate or rule.null_rate:
        return False
    return table.feed is not None or not table.spec.duplicate_rate


def tally_profile(run: LandingRun, table: TablePlan, entry: dict, data: pa.Table) -> None:
    """Add a file's on-time rows to its table's rows by hour of the day (profile_shape.py)."""
    profile = table.spec.profile
    start, end = entry.get("window_start"), entry.get("window_end")
    event = table.event_time if table.feed is None else table.feed.timestamp_column
    rule = run.rules[table.name].get(event or "")
    if profile is None or start is None or end is None or (rule and rule.anomaly_rate):
        return  # anomalies move event times on purpose
    window = (micros(start), micros(end))
    tally = run.profiles.setdefault(table.name, ProfileTally())
    tally.add_file(profile, window, on_time_times(table, data, window))

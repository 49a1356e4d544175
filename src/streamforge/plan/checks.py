"""Validate `unique` columns against their capacity (DESIGN §3): how long a finite space lasts.

A dimension needs a value per row; a fact uses `num_rows` new values every cycle (the average of
its `profile:`, whose busiest cycle must fit as a whole and whose trend shortens how long the space
lasts); a dimension or feed-owned entity uses one per key its change feed INSERTs. One batch that
needs more than the space is an error; a space that runs out within a year of cycles at the default
interval is a warning that says after how many cycles (a live run then stops with a message, never
repeats a value).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from streamforge.errors import Issue, display_path
from streamforge.spec.model import ColumnSpec, LoadProfile, TableSpec
from streamforge.spec.profile_factors import cycles_lasting, mean_factor, peak_factor

if TYPE_CHECKING:
    from streamforge.plan.model import Entity, TablePlan

DEFAULT_INTERVAL_S = 30
HORIZON_CYCLES = 365 * 86_400 // DEFAULT_INTERVAL_S  # a year of cycles at the default interval


# Distinct values a `unique` column can take (None: no end). The value generators know it (the
# engine); the caller passes their answer in, so the plan never imports the engine.
# It takes the column and its table's Faker locale (None: en_US): a phone's space is the locale's.
Capacity = Callable[[ColumnSpec, "str | None"], "int | None"]


def bounded_columns(table: TablePlan, capacity: Capacity) -> Iterator[tuple[ColumnSpec, int]]:
    """(column, capacity) of the table's unique columns whose values can run out. Keys, foreign
    keys, sequential ids and a change feed's role columns are numbered by the engine instead."""
    feed = table.feed
    skip = {table.primary_key, *table.foreign_keys, *table.sequential}
    if feed is not None:
        skip |= set(feed.role_columns)
    for col in table.columns:
        room = capacity(col, table.spec.locale) if col.unique and col.name not in skip else None
        if room is not None:
            yield col, room


def check_unique_capacity(
    plans: Mapping[str, TablePlan],
    entities: Mapping[str, Entity],
    issues: list[Issue],
    capacity: Capacity,
) -> None:
    for plan in plans.values():
        spec = plan.spec
        entity = entities.get(spec.name)
        feed = plans.get(entity.tracked_by or "") if entity is not None else None
        owned = plan.feed is not None and plan.feed.owns_entity
        if plan.kind == "change_feed" and not owned:
            continue  # its attributes are the tracked dimension's: checked with it
        for col, room in bounded_columns(plan, capacity):
            rows = spec.num_rows  # a dimension's rows, a fact's batch, an owned entity's 1st batch
            profile = spec.profile if plan.kind != "dimension" else None
            # A batch at the profile's busiest hour, in a burst, must fit as a whole.
            peak = math.ceil(rows * peak_factor(profile)) if profile else rows
            if room < peak:
                batch = "rows" if plan.kind == "dimension" else "rows in one batch"
                busiest = " (the profile's busiest cycle)" if peak > rows else ""
                message = (
                    f"unique column '{col.name}' has only {room:,} possible values for "
                    f"{peak:,} {batch}{busiest}"
                )
                issues.append(_issue(spec, col, message))
            elif plan.kind == "fact":
                cycles = cycles_lasting(room, rows, profile, DEFAULT_INTERVAL_S)
                what = f"{rows * (mean_factor(profile) if profile else 1):,.0f} rows per batch"
                _warn_lasts(spec, col, room, cycles, _with_trend(what, profile), issues)
            elif owned or feed is not None:
                source = plan if owned else feed
                assert source is not None
                inserts = _inserts(source)
                if inserts > 0:
                    shape = source.spec.profile
                    cycles = cycles_lasting(room - rows, inserts, shape, DEFAULT_INTERVAL_S)
                    cycles += 1 if owned else 0
                    average = inserts * (mean_factor(shape) if shape else 1)
                    shown = f"{average:,.0f}" if average == round(average) else f"{average:,.1f}"
                    what = f"{shown} INSERTs per batch of '{source.name}'"
                    _warn_lasts(spec, col, room, cycles, _with_trend(what, shape), issues)


def _inserts(feed: TablePlan) -> float:
    """Keys a change feed INSERTs per batch, on average (its share of INSERT operations)."""
    assert feed.feed is not None
    weights = dict(feed.feed.operations)
    total = sum(weights.values())
    return feed.spec.num_rows * weights.get("INSERT", 0.0) / total if total else 0.0


def _with_trend(what: str, profile: LoadProfile | None) -> str:
    if profile is None or not profile.trend:
        return what
    return f"{what} on average, growing {profile.trend:+.1%} a day"


def _warn_lasts(
    spec: TableSpec, col: ColumnSpec, room: int, cycles: int, what: str, issues: list[Issue]
) -> None:
    """A warning when the space runs out within a year of cycles at the default interval."""
    if cycles < HORIZON_CYCLES:
        days = cycles * DEFAULT_INTERVAL_S / 86_400
        message = (
            f"unique column '{col.name}' has {room:,} possible values: at {what} they last "
            f"{cycles:,} cycles ({_duration(days)} at a {DEFAULT_INTERVAL_S} s interval), "
            "then the run stops"
        )
        issues.append(_issue(spec, col, message, "warning"))


def _duration(days: float) -> str:
    for amount, unit in ((days, "day"), (days * 24, "hour"), (days * 1440, "minute")):
        if round(amount) >= 2 or unit == "minute":
            return f"{amount:,.0f} {unit}{'' if round(amount) == 1 else 's'}"
    raise AssertionError("unreachable")


def unique_fix(col: ColumnSpec) -> str:
    """What gives a unique column (int, long or string) more distinct values, for the key that
    draws them: a Faker provider's pool is fixed (no # to add), a number's space is its min/max,
    a string's its format. Fewer rows or dropping unique fixes any of them."""
    if col.faker:
        return (
            f"faker '{col.faker}' has no more distinct values: use a provider with more values, "
            'lower num_rows, drop unique, or a format such as `format: "ID-########"` instead of '
            "faker"
        )
    if col.type in ("int", "long"):
        return "widen min/max, lower num_rows, or drop unique"
    if col.format:
        return "add # or ? to the format, lower num_rows, or drop unique"
    return 'give it a format with enough # or ? (e.g. `format: "ID-########"`), or drop unique'


def _issue(spec: TableSpec, col: ColumnSpec, message: str, severity: str = "error") -> Issue:
    return Issue(display_path(spec.file), col.line, message, unique_fix(col), severity)  # type: ignore[arg-type]

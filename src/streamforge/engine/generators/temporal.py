"""Datetimes and dates: event times inside the batch's window, or past dates for old records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator
from streamforge.plan.columns import TIMESTAMP
from streamforge.plan.times import DAY_US, YEAR_US, is_birth_date
from streamforge.spec.model import ColumnSpec

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(text: str | float) -> int:
    value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # Integer arithmetic: a float timestamp loses microseconds far from 1970 (year 1, 9999).
    return (value - EPOCH) // timedelta(microseconds=1)


def time_range(col: ColumnSpec, ctx: ColumnContext) -> tuple[int, int] | None:
    """Explicit [min, max] in microseconds; None when the column has no bounds."""
    if col.min is None and col.max is None:
        return None
    first, last = ctx.history
    low = to_micros(col.min) if col.min is not None else None
    high = to_micros(col.max) if col.max is not None else None
    if high is not None and col.type == "date":
        high += DAY_US - 1  # max is an inclusive day
    if high is None:
        high = max(last, low + DAY_US)  # type: ignore[operator]
    if low is None:  # only max: the history window, moved back when max is before it
        low = first if first <= high else high - (last - first)
    return low, high


def draw_micros(col: ColumnSpec, ctx: ColumnContext) -> np.ndarray:
    explicit = time_range(col, ctx)
    if explicit is not None:
        return ctx.rng.integers(explicit[0], explicit[1] + 1, ctx.rows)
    if is_birth_date(col.name):
        end = ctx.history[1]
        return ctx.rng.integers(end - 90 * YEAR_US, end - 18 * YEAR_US, ctx.rows)
    if ctx.event_time:
        # Spread evenly over the window in batch order (with jitter), so the times of a batch rise
        # like a real stream and do not depend on how the batch was cut into chunks.
        # With a `profile:`, the same fractions of the batch go through its clock: busier hours of
        # the window get more rows.
        start, end = ctx.window
        if ctx.clock is not None:
            fractions = (ctx.batch_position + ctx.rng.random(ctx.rows)) / max(ctx.batch_rows, 1)
            return ctx.clock.place(fractions)
        slot = (end - start) / max(ctx.batch_rows, 1)
        # (position + jitter) * slot, in place: the same values with two arrays instead of five
        # (every fresh 512 KiB array of a chunk is page faults).
        offsets = ctx.rng.random(ctx.rows)
        offsets += ctx.batch_position
        offsets *= slot
        micros = offsets.astype(np.int64)
        np.minimum(micros, end - start - 1, out=micros)
        micros += start
        return micros
    return ctx.rng.integers(ctx.history[0], ctx.history[1], ctx.rows)


def micros_to_arrow(col: ColumnSpec, micros: np.ndarray) -> pa.Array:
    stamps = pa.array(micros.astype(np.int64), pa.int64()).view(TIMESTAMP)
    if col.type == "date":
        return pa.array((micros // DAY_US).astype(np.int32), pa.int32()).view(pa.date32())
    return stamps


class TemporalGenerator(ValueGenerator):
    priority = 60

    def matches(self, col: ColumnSpec) -> bool:
        return col.type in ("datetime", "date")

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        return micros_to_arrow(col, draw_micros(col, ctx))

    def anomalies(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        explicit = time_range(col, ctx)
        if explicit is None:
            return super().anomalies(col, ctx)
        low, high = explicit
        push = ctx.rng.integers(DAY_US, 365 * DAY_US, ctx.rows)
        below = ctx.rng.random(ctx.rows) < 0.5 if col.min is not None else np.zeros(ctx.rows, bool)
        if col.max is None:
            below[:] = True
        return micros_to_arrow(col, np.where(below, low - push, high + push))


class BoolGenerator(ValueGenerator):
    priority = 60

    def matches(self, col: ColumnSpec) -> bool:
        return col.type == "bool"

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        return pa.array(ctx.rng.random(ctx.rows) < 0.5, pa.bool_())

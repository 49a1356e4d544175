"""Datetimes and dates: dimension records lie in the past, fact events inside their cycle window."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from streamforge.engine import seeding
from streamforge.engine.generators.temporal import to_micros
from streamforge.plan.times import DAY_US, YEAR_US


def micros(table: pa.Table, column: str) -> np.ndarray:
    return table.column(column).combine_chunks().cast(pa.int64()).to_numpy(zero_copy_only=False)


def days(table: pa.Table, column: str) -> np.ndarray:
    return table.column(column).combine_chunks().cast(pa.int32()).to_numpy(zero_copy_only=False)


def test_dimension_datetimes_lie_in_the_past(column_values, start_us) -> None:
    table = column_values("datetime", rows=5000, name="created_at")
    stamps = micros(table, "created_at")
    assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert stamps.max() < start_us
    assert stamps.min() >= start_us - 5 * YEAR_US
    assert stamps.max() - stamps.min() > 4 * YEAR_US  # spread over the history, not one instant


def test_dimension_dates_lie_in_the_past(column_values, start_us) -> None:
    values = days(column_values("date", rows=3000, name="opened_on"), "opened_on")
    assert values.max() < start_us // DAY_US
    assert values.min() >= (start_us - 5 * YEAR_US) // DAY_US - 1


def test_birth_dates_are_of_adults(column_values, start_us) -> None:
    stamps = micros(column_values("datetime", rows=3000, name="birth_date"), "birth_date")
    assert stamps.max() <= start_us - 18 * YEAR_US
    assert stamps.min() >= start_us - 90 * YEAR_US


@pytest.mark.parametrize("kind", ["datetime", "date"])
def test_explicit_time_bounds_are_inclusive_and_respected(column_values, kind) -> None:
    spec = {"type": kind, "min": "2020-03-01", "max": "2020-03-03"}
    table = column_values(spec, rows=3000, name="seen", fact=True)
    if kind == "date":
        values = days(table, "seen")
        low, high = to_micros("2020-03-01") // DAY_US, to_micros("2020-03-03") // DAY_US
        assert set(values.tolist()) == {low, low + 1, high}
    else:
        values = micros(table, "seen")
        assert values.min() >= to_micros("2020-03-01") and values.max() <= to_micros("2020-03-03")


@pytest.mark.parametrize("interval", [30.0, 3600.0])
def test_fact_event_times_fall_inside_their_cycle_window(run_lab, start_us, interval) -> None:
    tables = {
        "reading": {
            "type": "fact",
            "num_rows": 1000,
            "columns": {"reading_id": "long", "reading_time": "datetime", "read_on": "date"},
        }
    }
    run = run_lab(tables, cycles=4, interval=interval)
    step = int(interval * 1_000_000)
    for cycle in range(4):
        table = run.table("reading", cycle)
        stamps = micros(table, "reading_time")
        low, high = start_us + cycle * step, start_us + (cycle + 1) * step
        assert stamps.min() >= low and stamps.max() < high, f"cycle {cycle}"
        assert stamps.max() - stamps.min() > step // 2  # spread over the window
        assert set(days(table, "read_on").tolist()) <= set(range(low // DAY_US, high // DAY_US + 1))


def test_event_times_rise_along_the_batch_across_chunks(run_lab, monkeypatch, start_us) -> None:
    monkeypatch.setattr(seeding, "CHUNK_ROWS", 300)
    tables = {
        "tick": {
            "type": "fact",
            "num_rows": 1000,
            "columns": {"tick_id": "long", "event_time": "datetime"},
        }
    }
    run = run_lab(tables, cycles=2)
    for cycle in range(2):
        stamps = micros(run.table("tick", cycle), "event_time")
        assert np.all(np.diff(stamps) >= 0)
        window = run.config.window(cycle)
        assert window[0] <= stamps.min() and stamps.max() < window[1]


def test_fact_event_times_do_not_depend_on_other_tables(run_lab) -> None:
    """Adding a dimension must not move a fact's values: streams are keyed by table name."""
    fact = {
        "type": "fact",
        "num_rows": 200,
        "columns": {"e_id": "long", "at": "datetime", "amount": "float"},
    }
    alone = run_lab({"e": fact}).table("e")
    extra = {"other": {"type": "dimension", "num_rows": 10, "columns": {"other_id": "int"}}}
    assert run_lab({"e": fact, **extra}).table("e").equals(alone)

"""A list never repeats a value (issue 13.8 Healthcare): `allergies` names each allergy once.
Elements from a set are drawn without replacement (the first by the weights); other elements
are drawn again on a repeat. Expected values come from the YAML, never from the output."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HEALTHCARE = Path(__file__).resolve().parents[2] / "schema" / "Healthcare"


def shipped_column(table: str, column: str) -> dict:
    return yaml.safe_load((HEALTHCARE / f"{table}.yml").read_text())["columns"][column]


def assert_lists_distinct(values: list[list | None], allowed=None, low=0, high=None) -> None:
    for items in values:
        assert items is not None
        assert len(items) == len(set(items)), items
        assert low <= len(items) and (high is None or len(items) <= high), items
        assert allowed is None or set(items) <= set(allowed), items


def test_patient_allergies_never_repeat(column_values) -> None:
    spec = shipped_column("patient", "allergies")
    values = column_values(spec, rows=20_000, name="allergies").column("allergies").to_pylist()
    allowed = spec["items"]["values"]
    assert_lists_distinct(values, allowed, spec["min_items"], spec["max_items"])
    lengths = Counter(len(v) for v in values)
    assert set(lengths) == set(range(spec["min_items"], spec["max_items"] + 1))


def test_encounter_diagnosis_codes_never_repeat(column_values) -> None:
    spec = shipped_column("encounters", "secondary_dx_codes")
    name = "secondary_dx_codes"
    values = column_values(spec, rows=20_000, name=name).column(name).to_pylist()
    assert_lists_distinct(values, None, spec["min_items"], spec["max_items"])
    pattern = re.compile(
        re.escape(spec["items"]["format"]).replace("\\?", "[A-Z]").replace("\\#", r"\d")
    )
    assert all(pattern.fullmatch(code) for v in values for code in v)


def test_a_list_longer_than_its_set_is_the_whole_set(column_values) -> None:
    spec = {"type": "array", "items": {"type": "string", "values": ["A", "B", "C"]}}
    spec |= {"min_items": 2, "max_items": 6}
    values = column_values(spec, rows=3000).column("value").to_pylist()
    assert_lists_distinct(values, "ABC", 2, 3)
    assert any(len(v) == 3 for v in values)


def test_the_first_element_follows_the_weights(column_values) -> None:
    spec = {
        "type": "array",
        "items": {"type": "string", "values": ["A", "B", "C", "D"], "weights": [6, 2, 1, 1]},
        "min_items": 2,
        "max_items": 2,
    }
    values = column_values(spec, rows=40_000).column("value").to_pylist()
    first = Counter(v[0] for v in values)
    for value, weight in zip("ABCD", [0.6, 0.2, 0.1, 0.1], strict=True):
        assert abs(first[value] / len(values) - weight) < 0.01, first
    # without replacement: A is second only when it was not first
    assert all(v[1] != v[0] for v in values)


def test_a_small_pattern_space_fills_without_repeats(column_values) -> None:
    spec = {"type": "array", "items": {"type": "string", "format": "#"}, "min_items": 8}
    spec["max_items"] = 10
    values = column_values(spec, rows=2000).column("value").to_pylist()
    assert_lists_distinct(values, [str(d) for d in range(10)])
    assert all(len(v) >= 8 for v in values)  # min_items holds: the pattern is a set


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    size=st.integers(1, 12),
    seed=st.integers(0, 2**31),
)
def test_lists_from_a_set_never_repeat_for_any_spec(column_values, data, size, seed) -> None:
    choices = [f"V{i}" for i in range(size)]
    weights = data.draw(st.lists(st.integers(1, 9), min_size=size, max_size=size))
    low = data.draw(st.integers(0, size))
    high = data.draw(st.integers(max(low, 1), 15))
    spec = {
        "type": "array",
        "items": {"type": "string", "values": choices, "weights": weights},
        "min_items": low,
        "max_items": high,
    }
    values = column_values(spec, rows=300, seed=seed).column("value").to_pylist()
    assert_lists_distinct(values, choices, low, min(high, size))


def test_text_lists_from_a_pool_never_repeat(column_values) -> None:
    spec = {"type": "array", "items": {"type": "string", "faker": "color_name"}}
    spec |= {"min_items": 3, "max_items": 6}
    values = column_values(spec, rows=5000, name="colours").column("colours").to_pylist()
    assert_lists_distinct(values, None, 1, 6)  # a repeat left after the redraws is dropped


def test_numbers_and_flags_are_measurements_that_may_repeat(column_values) -> None:
    """Hourly readings or per-day flags are positions, not a set: drawn independently."""
    spec = {"type": "array", "items": {"type": "int", "min": 0, "max": 3}}
    spec |= {"min_items": 24, "max_items": 24}
    values = column_values(spec, rows=200).column("value").to_pylist()
    assert all(len(v) == 24 and set(v) <= {0, 1, 2, 3} for v in values)

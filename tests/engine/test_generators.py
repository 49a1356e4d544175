"""Value generators: defaults, bounds, distributions, categories, patterns, unique, nested."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from streamforge import sectors
from streamforge.engine import seeding

DISTRIBUTIONS = ["uniform", "normal", "lognormal", "exponential", "zipf"]


def numbers(table: pa.Table, column: str = "value") -> np.ndarray:
    return np.asarray(pc.drop_null(table.column(column)).to_pylist(), dtype=np.float64)


def test_int_defaults_to_1_through_9999(column_values) -> None:
    table = column_values("int", rows=20_000)
    values = numbers(table)
    assert table.schema.field("value").type == pa.int32()
    assert values.min() >= 1 and values.max() <= 9999
    assert values.min() < 50 and values.max() > 9950  # the whole range is used, not a corner
    assert len(np.unique(values)) > 5000


def test_float_defaults_to_0_through_1000_with_2_decimals(column_values) -> None:
    values = numbers(column_values("float", rows=20_000))
    assert values.min() >= 0 and values.max() <= 1000
    assert values.min() < 5 and values.max() > 995
    assert np.array_equal(np.round(values, 2), values)
    assert np.any(np.round(values, 1) != values)  # really 2 decimals, not fewer


@pytest.mark.parametrize("kind", ["int", "long", "float", "double", "decimal(8,3)"])
@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_every_distribution_stays_inside_min_and_max(column_values, kind, distribution) -> None:
    spec = {"type": kind, "min": 10, "max": 50, "distribution": distribution}
    if distribution != "uniform" and distribution != "zipf":
        spec["mean"] = 20
    values = numbers(column_values(spec, rows=5000))
    assert values.min() >= 10 and values.max() <= 50
    assert len(np.unique(values)) > 1


@pytest.mark.parametrize("bound", [{"min": 5000}, {"max": -20}, {"min": -3, "max": -1}])
def test_one_sided_and_negative_bounds_are_respected(column_values, bound) -> None:
    values = numbers(column_values({"type": "int", **bound}, rows=3000))
    assert values.min() >= bound.get("min", -np.inf)
    assert values.max() <= bound.get("max", np.inf)


@pytest.mark.parametrize(
    ("distribution", "mean", "tolerance"), [("normal", 30.0, 0.5), ("lognormal", 20.0, 1.5)]
)
def test_mean_is_roughly_honoured(column_values, distribution, mean, tolerance) -> None:
    spec = {"type": "float", "min": 0, "max": 1000, "distribution": distribution, "mean": mean}
    if distribution == "normal":
        spec["stddev"] = 5
    values = numbers(column_values(spec, rows=20_000))
    assert abs(values.mean() - mean) < tolerance


def test_skewed_distributions_are_skewed(column_values) -> None:
    expo = numbers(
        column_values(
            {"type": "float", "min": 0, "max": 100, "distribution": "exponential", "mean": 10},
            rows=10_000,
        )
    )
    zipf = numbers(
        column_values({"type": "int", "min": 1, "max": 100, "distribution": "zipf"}, rows=10_000)
    )
    assert np.median(expo) < 10
    assert Counter(zipf).most_common(1)[0][0] == 1


def test_decimal_is_exact_with_its_precision_and_scale(column_values) -> None:
    table = column_values({"type": "decimal(7,3)", "min": -5, "max": 5}, rows=5000)
    column = table.column("value")
    assert column.type == pa.decimal128(7, 3)
    column.validate(full=True)
    values = column.to_pylist()
    assert all(isinstance(v, Decimal) and v.as_tuple().exponent == -3 for v in values)
    assert min(values) >= Decimal(-5) and max(values) <= Decimal(5)
    assert any(v != v.quantize(Decimal("0.01")) for v in values)  # the third place is used


def test_decimal_values_fit_the_declared_precision(lab_dir, column_values) -> None:
    """decimal(4,2) holds at most 99.99; a max of 500 must be refused or capped, not overflow."""
    spec = {"type": "decimal(4,2)", "max": 500}
    tables = {
        "t": {"type": "dimension", "num_rows": 500, "columns": {"t_id": "long", "value": spec}}
    }
    if sectors.check_sector(lab_dir(tables), "lab").errors:
        return  # refused by validation: fine
    column = column_values(spec, rows=500).column("value")
    column.validate(full=True)


def test_values_and_weights_set_the_frequencies(column_values) -> None:
    spec = {"type": "string", "values": ["A", "B", "C"], "weights": [0.7, 0.2, 0.1]}
    counts = Counter(column_values(spec, rows=20_000).column("value").to_pylist())
    assert set(counts) == {"A", "B", "C"}
    for value, weight in zip("ABC", spec["weights"], strict=True):
        assert abs(counts[value] / 20_000 - weight) < 0.02


def test_numeric_values_keep_their_type(column_values) -> None:
    table = column_values({"type": "int", "values": [10, 20, 30]}, rows=1000)
    assert table.schema.field("value").type == pa.int32()
    assert set(table.column("value").to_pylist()) == {10, 20, 30}


def test_pipe_format_picks_each_choice(column_values) -> None:
    counts = Counter(column_values({"type": "string", "format": "RES|COM|IND"}).column("value"))
    assert {str(v) for v in counts} == {"RES", "COM", "IND"}
    assert min(counts.values()) > 500  # uniform over 2000 rows


@pytest.mark.parametrize(
    ("pattern", "regex"),
    [("MTR-####-####", r"MTR-\d{4}-\d{4}"), ("??-##x", r"[A-Z]{2}-\d{2}x"), ("e######", r"e\d{6}")],
)
def test_patterns_fill_digits_and_letters(column_values, pattern, regex) -> None:
    values = column_values({"type": "string", "format": pattern}).column("value").to_pylist()
    assert all(re.fullmatch(regex, v) for v in values)
    assert len(set(values)) > 100


UNIQUE_SPECS = {
    "int": {"type": "int", "unique": True, "min": 1, "max": 100_000},
    "long": {"type": "long", "unique": True},
    "pattern": {"type": "string", "format": "MTR-####-####", "unique": True},
    "letters": {"type": "string", "format": "??##", "unique": True},
    "smart": {"type": "string", "unique": True},
    "words": {"type": "string", "unique": True},
}


@pytest.mark.parametrize("kind", list(UNIQUE_SPECS))
def test_unique_values_are_distinct_across_dimension_chunks(run_lab, monkeypatch, kind) -> None:
    monkeypatch.setattr(seeding, "CHUNK_ROWS", 700)
    name = "email" if kind == "smart" else "value"
    tables = {
        "t": {
            "type": "dimension",
            "num_rows": 3000,
            "columns": {"t_id": "long", name: UNIQUE_SPECS[kind]},
        }
    }
    values = run_lab(tables).table("t").column(name).to_pylist()
    assert len(values) == 3000 and len(set(values)) == 3000


@pytest.mark.parametrize("kind", list(UNIQUE_SPECS))
def test_unique_values_are_distinct_across_cycles_and_chunks(run_lab, monkeypatch, kind) -> None:
    monkeypatch.setattr(seeding, "CHUNK_ROWS", 700)
    name = "email" if kind == "smart" else "value"
    tables = {
        "t": {
            "type": "fact",
            "num_rows": 2000,
            "columns": {"t_id": "long", name: UNIQUE_SPECS[kind]},
        }
    }
    run = run_lab(tables, cycles=3)
    values = [v for c in range(3) for v in run.table("t", c).column(name).to_pylist()]
    assert len(values) == 6000 and len(set(values)) == 6000


def test_unique_pattern_uses_its_whole_capacity(column_values) -> None:
    values = column_values({"type": "string", "format": "U-###", "unique": True}, rows=1000)
    assert len(set(values.column("value").to_pylist())) == 1000


EMAIL = re.compile(r"[a-z]+[._]?[a-z]+\d*@[a-z0-9-]+(\.[a-z0-9-]+)+")  # john.smith, jsmith
US_STATES = {
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas",
    "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota",
    "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey",
    "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon",
    "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah",
    "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
}  # fmt: skip


def test_smart_fields_look_real(run_lab) -> None:
    columns = {
        "customer_id": "int",
        "name": "string",
        "first_name": "string",
        "email": "string",
        "contact_email": "string",
        "phone": "string",
        "zip": "string",
        "state": "string",
        "city": "string",
        "address": "string",
        "company": "string",
    }
    run = run_lab({"customer": {"type": "dimension", "num_rows": 100_000, "columns": columns}})
    table = run.table("customer")
    column = lambda n: table.column(n).to_pylist()  # noqa: E731
    assert all(EMAIL.fullmatch(v) for v in column("email") + column("contact_email"))
    assert all(re.fullmatch(r"\(\d{3}\) \d{3}-\d{4}", v) for v in column("phone"))
    assert all(re.fullmatch(r"\d{5}", v) for v in column("zip"))
    states = US_STATES | {"District of Columbia"}  # a place of the US, DC included
    assert set(column("state")) <= states and len(set(column("state"))) >= 50
    assert all(re.fullmatch(r"[A-Z][a-zA-Z'-]+ [A-Z][a-zA-Z'-]+", v) for v in column("name"))
    assert len(set(column("name"))) > 20_000
    assert len(set(column("first_name"))) > 300 and len(set(column("city"))) > 300
    assert all(re.match(r"\d+ \w", v) and ", " in v for v in column("address")[:1000])
    assert len(set(column("company"))) > 100


def test_unique_email_stays_a_valid_address(column_values) -> None:
    values = column_values({"type": "string", "unique": True}, rows=5000, name="email")
    emails = values.column("email").to_pylist()
    assert len(set(emails)) == 5000 and all(EMAIL.fullmatch(v) for v in emails)


def test_arrays_honour_min_and_max_items(column_values) -> None:
    spec = {
        "type": "array",
        "items": {"type": "int", "min": 5, "max": 9},
        "min_items": 2,
        "max_items": 4,
    }
    table = column_values(spec, rows=3000)
    lengths = Counter(len(v) for v in table.column("value").to_pylist())
    assert set(lengths) == {2, 3, 4}
    flat = pc.list_flatten(table.column("value")).to_pylist()
    assert min(flat) >= 5 and max(flat) <= 9


def test_arrays_may_be_empty_when_min_items_is_zero(column_values) -> None:
    spec = {"type": "array", "items": "string", "min_items": 0, "max_items": 1}
    lengths = {len(v) for v in column_values(spec, rows=500).column("value").to_pylist()}
    assert lengths == {0, 1}


@pytest.mark.parametrize(
    "keys",
    [
        "string",
        {"type": "int", "min": 1, "max": 5},
        {"type": "string", "values": ["a", "b", "c", "d"]},
        {"type": "string", "format": "K-#"},
        "bool",
    ],
    ids=["words", "int", "values", "pattern", "bool"],
)
def test_maps_have_distinct_keys_in_every_row(column_values, keys) -> None:
    spec = {"type": "map", "keys": keys, "values": "float", "min_items": 2, "max_items": 4}
    rows = column_values(spec, rows=2000).column("value").to_pylist()
    repeated = [row for row in rows if len({k for k, _ in row}) != len(row)]
    assert not repeated, f"{len(repeated)} rows repeat a key, e.g. {repeated[0]}"
    assert all(len(row) >= 2 for row in rows)

"""A region is its state's (issue 13.5, 13.8 Retail): `region`/`division` of a US place are the
Census Bureau's region and division of the row's state. Expected values come from the Bureau's
definition transcribed in us_reference.py, never from the generated rows."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.engine.us_reference import CENSUS, CENSUS_DIVISION, CENSUS_REGION, STATE_NAMES

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "src" / "streamforge" / "engine" / "vocab" / "us_census_regions.csv"
STATE_OF_NAME = {name: abbr for abbr, name in STATE_NAMES.items()}

REGIONS = {
    "type": "dimension",
    "num_rows": 2000,
    "columns": {
        "branch_id": "int",
        "state_code": "string",
        "region": "string",
        "census_division": "string",
        "sales_region": "string",  # no other sales_ place field: the row's place
        "billing_state": "string",
        "billing_region": "string",  # the billing place's own region
    },
}


def test_the_shipped_census_table_is_the_bureaus_definition() -> None:
    with SHIPPED.open() as f:
        rows = list(csv.DictReader(f))
    assert {r["state_abbr"] for r in rows} == set(CENSUS_REGION) == set(STATE_NAMES)
    for row in rows:
        assert row["region"] == CENSUS_REGION[row["state_abbr"]], row
        assert row["division"] == CENSUS_DIVISION[row["state_abbr"]], row


def test_every_retail_store_lies_in_the_region_of_its_state(run_lab) -> None:
    body = yaml.safe_load((ROOT / "schema" / "Retail" / "store.yml").read_text())
    del body["table"]
    rows = run_lab({"store": {**body, "num_rows": 3000}}).rows("store")
    assert len({r["region"] for r in rows}) == 4  # all four regions, by population
    for row in rows:
        assert row["region"] == CENSUS_REGION[STATE_OF_NAME[row["state"]]], row


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 500))
def test_region_and_division_follow_the_state_for_any_seed(run_lab, seed: int, rows: int) -> None:
    table = {**REGIONS, "num_rows": rows}
    for row in run_lab({"branch": table}, seed=seed).rows("branch"):
        state = row["state_code"]
        assert row["region"] == row["sales_region"] == CENSUS_REGION[state], row
        assert row["census_division"] == CENSUS_DIVISION[state], row
        assert row["billing_region"] == CENSUS_REGION[STATE_OF_NAME[row["billing_state"]]], row


def test_a_region_without_a_state_is_still_a_census_region(column_values) -> None:
    values = column_values({"type": "string"}, rows=5000, name="region").column("region")
    assert set(values.to_pylist()) == set(CENSUS)


def test_a_german_region_is_the_rows_bundesland(run_lab) -> None:
    table = {
        "type": "dimension",
        "num_rows": 500,
        "locale": "de_DE",
        "columns": {"kunde_id": "int", "state": "string", "region": "string"},
    }
    for row in run_lab({"kunde": table}).rows("kunde"):
        assert row["region"] == row["state"], row

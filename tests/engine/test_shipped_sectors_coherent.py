"""Every shipped sector's phones are valid numbers of the table's locale, its lists never repeat
a value drawn from a set, and a region beside a state is that state's Census region (issue 13.5,
13.8). libphonenumber and the Census definition are the judges, not the output."""

from __future__ import annotations

from pathlib import Path

import phonenumbers
import pytest
from tests.engine.us_reference import CENSUS_REGION, STATE_NAMES

from streamforge import api, sectors
from streamforge.engine.generators.row_fields import is_phone

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
REGION = {None: "US", "en_US": "US", "de_DE": "DE"}
STATE_OF_NAME = {name: abbr for abbr, name in STATE_NAMES.items()}


def from_set(col) -> bool:
    return col.type == "array" and col.items is not None and col.items.choices is not None


@pytest.mark.parametrize("sector", sectors.sector_names(SCHEMA_DIR))
def test_shipped_phones_lists_and_regions_hold(drive, sector) -> None:
    plan = api.load_plan(sector, SCHEMA_DIR)
    run = drive(plan, cycles=2, scale=0.5)
    checked = 0
    for (name, _cycle), output in run.outputs.items():
        table = next(t for t in plan.tables if t.name == name)
        data = output.data
        for col in table.columns:
            if col.name not in data.column_names:
                continue
            values = data.column(col.name).to_pylist()
            if is_phone(col):
                for text in (v for v in values if v is not None):
                    number = phonenumbers.parse(text, REGION[table.spec.locale])
                    assert phonenumbers.is_valid_number(number), (name, col.name, text)
                    checked += 1
            if from_set(col):
                for items in (v for v in values if v is not None):
                    assert len(items) == len(set(items)), (name, col.name, items)
                    checked += 1
        if {"region", "state"} <= set(data.column_names) and table.spec.locale in (None, "en_US"):
            region = data.column("region").to_pylist()
            state = data.column("state").to_pylist()
            for r, s in zip(region, state, strict=True):
                assert s is None or r is None or r == CENSUS_REGION[STATE_OF_NAME[s]], (name, r, s)
    assert checked > 0 or not any(
        is_phone(c) or from_set(c) for t in plan.tables for c in t.columns
    )

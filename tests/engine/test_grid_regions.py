"""Columns that name a place's area follow the row's place (issue 13.5, 13.8): a plant's
`grid_region` is the ISO/RTO of its state by `vocab/us_grid_regions.csv` (the market covering
most of the state's load), a German one the Land's control area by `vocab/de_grid_regions.csv`;
and no shipped table draws a place field (country, region, ...) apart from the place its row has.
Expected values come from the shipped files' rule and the ISOs' own footprints, never from the
generated rows."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.engine.us_reference import STATE_NAMES

from streamforge import sectors
from streamforge.engine.generators.row_fields import (
    AREAS,
    is_free_text,
    owner,
    parse_coordinate,
    parse_place,
)
from streamforge.engine.place_apart import place_apart_warnings
from streamforge.spec.load import load_sector

ROOT = Path(__file__).resolve().parents[2]
VOCAB = ROOT / "src" / "streamforge" / "engine" / "vocab"
STATE_OF_NAME = {name: abbr for abbr, name in STATE_NAMES.items()}
# States that lie wholly inside one market (the ISOs' published footprints): any rule must agree.
WHOLLY_INSIDE = {
    "TX": "ERCOT",  # ERCOT covers about 90% of Texas' load
    "CA": "CAISO",
    "NY": "NYISO",
    "CT": "ISO-NE",
    "MA": "ISO-NE",
    "RI": "ISO-NE",
    "VT": "ISO-NE",
    "NH": "ISO-NE",
    "NJ": "PJM",
    "PA": "PJM",
    "OH": "PJM",
    "MD": "PJM",
    "DC": "PJM",
    "OK": "SPP",
    "KS": "SPP",
    "NE": "SPP",
    "MN": "MISO",
    "IA": "MISO",
    "WI": "MISO",
    "LA": "MISO",
}


def _shipped(name: str) -> dict[str, str]:
    with (VOCAB / name).open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {row["state_abbr"]: row["grid_region"] for row in rows}


US_GRID = _shipped("us_grid_regions.csv")
DE_GRID = _shipped("de_grid_regions.csv")


def test_the_shipped_grid_table_covers_every_state_and_the_isos_footprints() -> None:
    assert set(US_GRID) == set(STATE_NAMES)
    for state, market in WHOLLY_INSIDE.items():
        assert US_GRID[state] == market, state
    header = (VOCAB / "us_grid_regions.csv").read_text().split("state_abbr,")[0]
    assert "most of each state's electricity load" in header  # the rule for shared states
    assert set(DE_GRID.values()) == {"50Hertz", "Amprion", "TenneT", "TransnetBW"}
    assert len(DE_GRID) == 16  # the 16 Länder


def test_every_energy_plant_lies_in_the_grid_region_of_its_state(run_lab) -> None:
    body = yaml.safe_load((ROOT / "schema" / "Energy" / "plant.yml").read_text())
    del body["table"]
    rows = run_lab({"plant": {**body, "num_rows": 3000}}).rows("plant")
    assert {"ERCOT", "PJM", "CAISO", "MISO", "NYISO", "ISO-NE", "SPP"} <= {
        r["grid_region"] for r in rows
    }
    for row in rows:
        assert row["grid_region"] == US_GRID[STATE_OF_NAME[row["state"]]], row


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 400))
def test_grid_region_follows_its_own_place_for_any_seed(run_lab, seed: int, rows: int) -> None:
    table = {
        "type": "dimension",
        "num_rows": rows,
        "columns": {
            "site_id": "int",
            "state_code": "string",
            "iso_rto": "string",  # the row's place
            "meter_state": "string",
            "meter_grid_region": "string",  # the meter's own place
        },
    }
    for row in run_lab({"site": table}, seed=seed).rows("site"):
        assert row["iso_rto"] == US_GRID[row["state_code"]], row
        assert row["meter_grid_region"] == US_GRID[STATE_OF_NAME[row["meter_state"]]], row


def test_a_german_grid_region_is_the_control_area_of_the_rows_land(run_lab) -> None:
    table = {
        "type": "dimension",
        "num_rows": 800,
        "locale": "de_DE",
        "columns": {"anlage_id": "int", "state_code": "string", "grid_region": "string"},
    }
    for row in run_lab({"anlage": table}).rows("anlage"):
        assert row["grid_region"] == DE_GRID[row["state_code"]], row


def test_no_shipped_table_draws_a_place_field_apart_from_its_rows_place() -> None:
    """A column named for a place's part (country, region, grid_region, city) beside a place
    (a city, state, zip or coordinates of the same entity) must be left to the place: with its
    own `values:`, `format:` or `faker:` it can name another country or market than the city."""
    drawn_apart = []
    for sector in sorted(p.name for p in (ROOT / "schema").iterdir() if p.is_dir()):
        for table in load_sector(ROOT / "schema" / sector)[0].tables:
            placed = set()
            for col in table.columns:
                field = parse_place(col.name) or parse_coordinate(col.name)
                if field is not None and field.kind not in AREAS and is_free_text(col):
                    placed.add(owner(table.name, field.entity))
            for col in table.columns:
                field = parse_place(col.name)
                if field is None or col.expr is not None or col.unique:
                    continue
                if owner(table.name, field.entity) in placed and not is_free_text(col):
                    drawn_apart.append(f"{sector}/{table.name}.{col.name}")
    assert drawn_apart == []
    for sector in sorted(p.name for p in (ROOT / "schema").iterdir() if p.is_dir()):
        assert not place_apart_warnings(load_sector(ROOT / "schema" / sector)[0]), sector


def test_validate_warns_of_a_place_field_with_values_of_its_own(tmp_path: Path) -> None:
    factory = {
        "table": "factory",
        "type": "dimension",
        "num_rows": 20,
        "columns": {
            "factory_id": "int",
            "city": "string",
            "state": "string",
            "country": {"type": "string", "values": ["United States", "Mexico"]},
            "grid_region": {"type": "string", "format": "ERCOT|PJM"},
            "supplier_country": {"type": "string", "values": ["China"]},  # no supplier place
        },
    }
    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "factory.yml").write_text(yaml.safe_dump(factory, sort_keys=False))
    check = sectors.check_sector(tmp_path, "lab")
    assert not check.errors
    lines = (tmp_path / "lab" / "factory.yml").read_text().splitlines()
    expected = {
        name: next(n for n, line in enumerate(lines, 1) if line.strip().startswith(name + ":"))
        for name in ("country", "grid_region")
    }
    apart = {w.message.split("'")[1]: w for w in check.warnings if "disagree" in w.message}
    assert {name: w.line for name, w in apart.items()} == expected
    assert "the place of city, state" in apart["country"].message
    assert "follows the place" in str(apart["country"])


def test_every_shipped_data_file_is_credited_with_its_licence() -> None:
    notice = (ROOT / "NOTICE").read_text()
    readme = (VOCAB / "README.md").read_text()
    for data in sorted(VOCAB.glob("*.csv")):
        assert data.name in notice, data.name
        assert f"`{data.name}`" in readme, data.name
    for credit in ("GeoNames", "CC BY 4.0", "libphonenumber", "Apache License 2.0", "Census"):
        assert credit in notice and credit in readme, credit

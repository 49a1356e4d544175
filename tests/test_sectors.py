"""Every shipped sector validates, generates in every format, and verifies clean."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.times import at

from streamforge import api, sectors
from streamforge.readback import read_manifest

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schema"
SECTORS = sectors.sector_names(SCHEMA_DIR)
SCALE = 0.25
CYCLES = 3
START = at("2026-01-01T00:00:00Z")


@pytest.fixture(scope="module", autouse=True)
def _no_fsync():
    """The files are read back at once, never after a crash: fsync would only slow this down."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        yield


def test_the_library_ships_the_five_sectors() -> None:
    assert SECTORS == ["Energy", "Finance", "Healthcare", "Manufacturing", "Retail"]


@pytest.mark.parametrize("sector", SECTORS)
def test_sector_validates_without_errors(sector: str) -> None:
    (check,) = api.validate(SCHEMA_DIR, sector)
    assert check.errors == (), "\n".join(str(i) for i in check.errors)
    assert check.plan is not None
    kinds = {t.kind for t in check.plan.tables}
    assert kinds == {"dimension", "fact", "change_feed"}  # each sector shows every table type


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
@pytest.mark.parametrize("sector", SECTORS)
def test_sector_generates_and_verifies_clean(tmp_path: Path, sector: str, fmt: str) -> None:
    out = tmp_path / "landing"
    result = api.generate(
        sector,
        out,
        schema_dir=SCHEMA_DIR,
        fmt=fmt,
        cycles=CYCLES,
        scale=SCALE,
        seed=5,
        start=START,
    )
    plan = api.load_plan(sector, SCHEMA_DIR)
    assert result.rows == api.expected_rows(
        sector, CYCLES, SCALE, SCHEMA_DIR, seed=5, start=START, interval=30
    )
    manifest = read_manifest(out)
    assert len(manifest) == len(plan.dimensions) + CYCLES * len(plan.streams)
    for entry in manifest:
        assert (out / entry["file"]).is_file()
        assert entry["file"].endswith("." + fmt)
    report = api.verify(sector, out, schema_dir=SCHEMA_DIR)
    assert report.findings == [], "\n".join(str(f) for f in report.findings)
    for table in plan.tables:
        expected_files = 1 if table.kind == "dimension" else CYCLES
        assert report.files[table.name] == expected_files, table.name
        assert report.rows[table.name] > 0, table.name

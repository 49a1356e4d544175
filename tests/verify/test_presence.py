"""verify refuses a landing that holds nothing of the sector (another sector's, an empty one) and
names a dimension whose file was removed: checking nothing must never read as "ok"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.times import at

from streamforge import api
from streamforge.cli import main

MANIFEST = Path("_streamforge") / "manifest.jsonl"


@pytest.fixture(scope="module")
def retail(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("presence") / "retail"
    api.generate("Retail", out, cycles=1, scale=0.05, seed=3, start=at("2026-01-01T00:00:00Z"))
    return out


def verify(sector: str, out: Path):
    return CliRunner().invoke(main, ["verify", sector, "--out", str(out)])


def test_another_sectors_landing_is_refused(retail: Path) -> None:
    result = verify("Finance", retail)
    assert result.exit_code != 0, result.output
    assert "no file of any Finance table" in result.output
    assert "other tables (" in result.output and "another sector" in result.output
    assert "ok:" not in result.output
    assert verify("Retail", retail).exit_code == 0  # the rule, not the landing, is at fault


def test_an_empty_manifest_is_refused(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).parent.mkdir(parents=True)
    (tmp_path / MANIFEST).write_text("")
    result = verify("Energy", tmp_path)
    assert result.exit_code != 0, result.output
    assert "no file of any Energy table" in result.output
    assert "streamforge generate Energy" in result.output


def test_a_removed_dimension_is_named(retail: Path, tmp_path: Path) -> None:
    copy = tmp_path / "retail"
    shutil.copytree(retail, copy)
    entries = [json.loads(line) for line in (copy / MANIFEST).read_text().splitlines()]
    kept = [e for e in entries if e.get("table") != "store"]
    assert len(kept) < len(entries)
    (copy / MANIFEST).write_text("".join(json.dumps(e) + "\n" for e in kept))
    shutil.rmtree(copy / "store")
    result = verify("Retail", copy)
    assert result.exit_code != 0, result.output
    assert "store: no file landed" in result.output

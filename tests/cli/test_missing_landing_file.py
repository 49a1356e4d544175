"""A landing file the manifest lists but that is gone is reported as missing: the file, its table,
its cycle and the rows the manifest expected (not as "cannot read", which means a damaged file)."""

from __future__ import annotations

import json
from pathlib import Path

from .lab import lab

SHOP = """\
table: shop
type: dimension
num_rows: 10
columns:
  shop_id: int
  region: {type: string, values: [Nord, Sued]}
"""
SALE = """\
table: sale
type: fact
num_rows: 40
columns:
  sale_id: int
  shop_id: int
  ts: datetime
"""


def _entries(out: Path) -> list[dict]:
    """The manifest's file entries of table sale (one JSON object a line)."""
    lines = (out / "_streamforge" / "manifest.jsonl").read_text().splitlines()
    return [e for e in map(json.loads, lines) if e.get("table") == "sale"]


def test_deleted_landing_file_is_reported_missing(tmp_path: Path) -> None:
    sector = lab(tmp_path, SHOP, SALE)
    gen = sector.invoke("generate", "--cycles", "2")
    assert gen.exit_code == 0, gen.output
    entry = next(e for e in _entries(sector.out) if e["cycle"] == 1)
    gone = sector.out / entry["file"]
    assert gone.is_file(), gone
    gone.unlink()
    ver = sector.invoke("verify")
    assert ver.exit_code != 0, ver.output
    assert "cannot read" not in ver.output, ver.output
    expected = f"sale cycle 1: file {entry['file']} is missing: the manifest lists it with "
    assert expected + f"{entry['rows']} rows" in ver.output, ver.output

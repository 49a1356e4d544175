"""A duplicate is the same row delivered twice (README, *Event-time faults*): every column of the
copy equals its original, NULLs and the last bit of a float included, wherever the copy lands.

Each test edits one copy of a good landing the way a broken pipeline or generator would and
expects verify to name the table, the column and the rows; an exact copy, even in a later file,
stays clean.
"""

from __future__ import annotations

import json
import math
import shutil
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.times import at
from tests.verify.test_mutations import data, set_value

from streamforge import api
from streamforge.cli import main
from streamforge.readback import read_manifest
from streamforge.verify import verify_landing

READING = """\
table: reading
type: fact
num_rows: 80
duplicate_rate: 0.2
late_rate: 0.1
out_of_order_rate: 0.1
columns:
  reading_id: long
  meter_id: int
  read_at: datetime
  kwh: {type: double, min: 0, max: 50}
  price: {type: "decimal(9,3)", min: 0, max: 9}
  note: {type: string, values: [ok, low, high], null_rate: 0.3}
  day: date
  flags: {type: array, items: {type: int, min: 1, max: 9}}
"""
METER = """\
table: meter
type: dimension
num_rows: 20
columns:
  meter_id: int
  site: {type: string, format: "S-###"}
"""
METER_CHANGES = """\
table: meter_changes
type: change_feed
num_rows: 30
tracks: meter
duplicate_rate: 0.2
late_rate: 0.1
columns:
  change_id: long
  meter_id: int
  site: {type: string, format: "S-###"}
  change_type: {type: string, format: "INSERT|UPDATE|DELETE"}
  change_timestamp: datetime
  sequence_num: long
"""
COPIED = ["meter_id", "read_at", "kwh", "price", "note", "day", "flags"]


@pytest.fixture(scope="module")
def schema_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("schema")
    (root / "grid").mkdir()
    for name, text in (("reading", READING), ("meter", METER), ("meter_changes", METER_CHANGES)):
        (root / "grid" / f"{name}.yml").write_text(text)
    return root


@pytest.fixture(scope="module", params=["json", "parquet"])
def good(request, schema_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(f"dups-{request.param}") / "landing"
    start = at("2026-01-01T00:00:00Z")
    fmt = request.param
    api.generate("grid", out, schema_dir=schema_dir, fmt=fmt, cycles=3, seed=5, start=start)
    return out


@pytest.fixture
def landing(good, tmp_path, schema_dir):
    copy = tmp_path / "landing"
    shutil.copytree(good, copy)
    return copy, api.load_plan("grid", schema_dir)


def copy_pair(root, plan, table: str, key: str, cycle: int = 1) -> tuple[int, int, list[dict]]:
    """(row of an original, row of its later copy) in the file of `cycle`."""
    rows = data(root, plan, table, cycle)
    first: dict = {}
    for i, row in enumerate(rows):
        if row[key] in first:
            return first[row[key]], i, rows
        first[row[key]] = i
    raise AssertionError(f"no duplicate in {table} cycle {cycle}")


def run_cli(root: Path, schema_dir: Path):
    args = ["verify", "grid", "--schema-dir", str(schema_dir), "--out", str(root)]
    return CliRunner().invoke(main, args)


def duplicate_findings(root, plan) -> list:
    return [f for f in verify_landing(root, plan).findings if f.kind == "duplicate"]


def test_the_untouched_landing_has_exact_copies(landing) -> None:
    root, plan = landing
    assert verify_landing(root, plan).findings == []
    for table, key in (("reading", "reading_id"), ("meter_changes", "change_id")):
        original, copy, rows = copy_pair(root, plan, table, key)
        assert rows[original] == rows[copy]


def changed(value, as_text: bool):
    """A value of the same type that differs from `value` (as read back); `as_text`: as JSON
    writes it."""
    if isinstance(value, float):
        return math.nextafter(value, math.inf)  # one ulp: floats compare exactly
    if isinstance(value, Decimal):
        new: object = value + Decimal("0.001")
    elif isinstance(value, datetime):
        new = value + timedelta(microseconds=1)
    elif isinstance(value, date):
        new = value + timedelta(days=1)
    elif isinstance(value, int):
        return value + 1
    elif isinstance(value, list):
        return [*value, 1]
    else:
        return {"ok": "low", "low": "high"}.get(value, "ok")  # note: also a NULL
    return (
        new.isoformat().replace("+00:00", "Z")
        if as_text and hasattr(new, "isoformat")
        else (str(new) if as_text else new)
    )


@pytest.mark.parametrize("column", COPIED)
def test_a_copy_that_differs_in_any_column_is_caught(landing, schema_dir, column) -> None:
    root, plan = landing
    original, copy, rows = copy_pair(root, plan, "reading", "reading_id")
    as_text = next((root / "reading").iterdir()).suffix == ".json"
    value = changed(rows[original][column], as_text)
    set_value(root, "reading", 1, copy, column, value)
    found = duplicate_findings(root, plan)
    assert [(f.table, f.cycle, f.column, f.count) for f in found] == [("reading", 1, column, 1)]
    key = rows[copy]["reading_id"]
    assert (
        f"reading_id {key} (row {copy + 1}) differs from row {original + 1} of the same file "
        f"in {column}" in found[0].message
    )
    result = run_cli(root, schema_dir)
    assert result.exit_code == 1 and "Traceback" not in result.output + result.stderr
    assert "1 duplicate row not equal" in " ".join(result.stderr.split())


def test_a_null_where_the_original_has_a_value(landing) -> None:
    root, plan = landing
    rows = data(root, plan, "reading", 1)
    first: dict = {}
    for i, row in enumerate(rows):
        if row["reading_id"] in first and row["note"] is not None:
            break
        first.setdefault(row["reading_id"], i)
    set_value(root, "reading", 1, i, "note", None)
    found = duplicate_findings(root, plan)
    assert [(f.column, f.count) for f in found] == [("note", 1)]
    assert f"(row {i + 1}) differs from row {first[row['reading_id']] + 1}" in found[0].message


def test_a_change_feed_copy_with_another_value(landing) -> None:
    root, plan = landing
    _, copy, _ = copy_pair(root, plan, "meter_changes", "change_id")
    set_value(root, "meter_changes", 1, copy, "site", "S-XYZ")
    found = duplicate_findings(root, plan)
    assert [(f.table, f.column, f.count) for f in found] == [("meter_changes", "site", 1)]


def _land_copy_later(root: Path, plan, alter: bool) -> int:
    """Overwrite a row of cycle 2's file with a copy of a cycle-0 row (redelivered late), and
    announce the extra duplicate in the manifest; return the copy's key."""
    original = data(root, plan, "reading", 0)[3]
    row = dict(original)
    if alter:
        row["kwh"] = math.nextafter(row["kwh"], 0.0)
    target = data(root, plan, "reading", 2)
    keys = [r["reading_id"] for r in target]
    at_row = next(i for i, k in enumerate(keys) if keys.count(k) == 1)  # a row with no copy
    for column, value in row.items():
        set_value(root, "reading", 2, at_row, column, value)
    manifest = root / "_streamforge" / "manifest.jsonl"
    lines = [json.loads(line) for line in manifest.read_text().splitlines()]
    for line in lines:
        if line["table"] == "reading" and line["cycle"] == 2:
            line["faults"]["duplicate"] += 1
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert read_manifest(root)
    return original["reading_id"]


def test_a_copy_in_a_later_file_is_compared_with_its_original(landing) -> None:
    root, plan = landing
    key = _land_copy_later(root, plan, alter=True)
    found = duplicate_findings(root, plan)
    assert [(f.table, f.cycle, f.column, f.example) for f in found] == [("reading", 2, "kwh", key)]
    assert "of cycle 0 in kwh" in found[0].message


def test_an_exact_copy_in_a_later_file_is_no_duplicate_finding(landing) -> None:
    root, plan = landing
    _land_copy_later(root, plan, alter=False)
    assert duplicate_findings(root, plan) == []

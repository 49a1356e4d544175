"""`verify` judges rows per cycle against the rule (issue 13.7): num_rows × the run's scale,
shaped by `profile:`, with late rows moving between files; a removed file or dropped rows are
findings, a landing written with --scale 0.5 is judged at 0.5."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from tests.times import at

from streamforge import api
from streamforge.readback import read_manifest
from streamforge.verify import verify_landing

MONDAY = at("2026-01-05T00:00:00Z")
HOURLY = [1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 8, 8, 8, 8, 8, 8, 8, 10, 12, 10, 6, 3, 1, 1]
TABLES = {
    "customer": """\
table: customer
type: dimension
num_rows: 50
columns: {customer_id: int, name: string}
""",
    "customer_changes": f"""\
table: customer_changes
type: change_feed
num_rows: 80
tracks: customer
late_rate: 0.2
profile: {{hourly: {HOURLY}}}
columns:
  change_id: long
  customer_id: int
  name: string
  change_type: {{type: string, format: "INSERT|UPDATE|DELETE"}}
  changed_at: datetime
""",
    "orders": f"""\
table: orders
type: fact
num_rows: 200
late_rate: 0.25
profile: {{hourly: {HOURLY}, bursts: {{probability: 0.2, multiplier: 3}}}}
columns: {{order_id: long, customer_id: int, order_time: datetime}}
""",
    "visits": """\
table: visits
type: fact
num_rows: 30
late_rate: 0.1
columns: {visit_id: long, customer_id: int, visited_at: datetime}
""",
}
CYCLES = 12


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("schema")
    (root / "lab").mkdir()
    for name, text in TABLES.items():
        (root / "lab" / f"{name}.yml").write_text(text)
    return root


def _generate(schema: Path, out: Path, scale: float) -> None:
    api.generate(
        "lab", out, schema_dir=schema, fmt="json", cycles=CYCLES, interval=3600, start=MONDAY,
        seed=3, scale=scale,
    )  # fmt: skip


@pytest.fixture(scope="module", params=[1.0, 0.5])
def landing(request, schema, tmp_path_factory) -> tuple[Path, Path, float]:
    out = tmp_path_factory.mktemp("landing") / "out"
    _generate(schema, out, request.param)
    return schema, out, request.param


def _rows_findings(out: Path, schema: Path) -> list:
    report = verify_landing(out, api.load_plan("lab", schema))
    return [f for f in report.findings if f.kind == "rows"]


def _copy(landing, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(landing[1], out)
    return out


def _rewrite_manifest(out: Path, entries: list[dict]) -> None:
    text = "".join(json.dumps(e) + "\n" for e in entries)
    (out / "_streamforge" / "manifest.jsonl").write_text(text)


def test_the_scale_is_recorded_and_the_landing_verifies(landing) -> None:
    schema, out, scale = landing
    entries = read_manifest(out)
    assert {e["scale"] for e in entries} == {scale}
    assert all(e["seed"] == 3 and e["run_start"] == "2026-01-05T00:00:00Z" for e in entries)
    report = verify_landing(out, api.load_plan("lab", schema))
    assert report.ok, report.findings[:3]
    # The last cycle of a finite run says so: every late row has landed by it.
    assert {e["cycle"] for e in entries if e.get("final")} == {CYCLES - 1}
    # The flat fact's rows are exact: round(30 × scale) every cycle.
    visits = [e["rows"] for e in entries if e["table"] == "visits"]
    assert visits == [round(30 * scale)] * CYCLES


def test_a_manifest_claiming_another_scale_is_caught(landing, tmp_path) -> None:
    schema, _, scale = landing
    out = _copy(landing, tmp_path)
    entries = read_manifest(out)
    for e in entries:
        e["scale"] = scale * 2
    _rewrite_manifest(out, entries)
    found = _rows_findings(out, schema)
    assert {f.table for f in found} == {"customer", "customer_changes", "orders", "visits"}


def test_a_removed_file_is_reported(landing, tmp_path) -> None:
    schema, _, _ = landing
    out = _copy(landing, tmp_path)
    entries = read_manifest(out)
    gone = next(e for e in entries if e["table"] == "orders" and e["cycle"] == 5)
    (out / gone["file"]).unlink()
    _rewrite_manifest(out, [e for e in entries if e is not gone])
    found = _rows_findings(out, schema)
    (missing,) = [f for f in found if "a file was removed" in f.message]
    assert (missing.table, missing.cycle, missing.count) == ("orders", 5, 1)
    # The late rows that file held are missing from the windows of their event times too.
    assert {f.table for f in found} == {"orders"}


@pytest.mark.parametrize("table", ["orders", "visits", "customer_changes"])
def test_truncated_rows_are_reported(landing, tmp_path, table) -> None:
    """Half the rows of one file gone, the manifest's count made to agree: only the rule can
    tell."""
    schema, _, _ = landing
    out = _copy(landing, tmp_path)
    entries = read_manifest(out)
    entry = max(
        (e for e in entries if e["table"] == table and e["cycle"] < CYCLES - 4),
        key=lambda e: e["rows"],
    )
    path = out / entry["file"]
    lines = path.read_text().splitlines(keepends=True)
    kept = lines[: len(lines) // 2]
    path.write_text("".join(kept))
    entry["rows"] = len(kept)
    _rewrite_manifest(out, entries)
    found = _rows_findings(out, schema)
    assert {f.table for f in found} == {table}
    # Its window by event time lacks its own rows (and, late rows moving, earlier windows may
    # lack the late rows the file held).
    assert entry["cycle"] in {f.cycle for f in found}


def test_rows_dropped_from_the_last_window_are_reported(landing, tmp_path) -> None:
    """The final file holds every late row still due, so even the last windows are exact: rows
    of the last cycle's own window removed from it are missed by event time. (Two rows: the
    count is num_rows x load rounded up or down, so one row less can still be a rounding.)"""
    schema, _, _ = landing
    out = _copy(landing, tmp_path)
    entries = read_manifest(out)
    entry = next(e for e in entries if e["table"] == "orders" and e["cycle"] == CYCLES - 1)
    path = out / entry["file"]
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    start = entry["window_start"].replace("Z", "")
    own = [i for i, r in enumerate(rows) if r["order_time"].replace("Z", "") >= start]
    kept = [r for i, r in enumerate(rows) if i not in own[:2]]  # two on-time rows gone
    path.write_text("".join(json.dumps(r) + "\n" for r in kept))
    entry["rows"] = len(kept)
    _rewrite_manifest(out, entries)
    found = _rows_findings(out, schema)
    assert [(f.table, f.cycle, f.count) for f in found] == [("orders", CYCLES - 1, len(own) - 2)]


def test_a_recorded_expectation_off_the_rule_is_reported(landing, tmp_path) -> None:
    """The generator's expected rows per cycle (manifest) must be the YAML's: num_rows x scale
    x the profile's mean load over the window, as verify computes it."""
    schema, _, scale = landing
    out = _copy(landing, tmp_path)
    entries = read_manifest(out)
    entry = next(e for e in entries if e["table"] == "orders" and e["cycle"] == 3)
    hours = (np.array(HOURLY) / np.mean(HOURLY))[3]  # cycle 3 is 03:00-04:00 UTC
    assert entry["expected_rows"] == pytest.approx(200 * scale * hours)
    entry["expected_rows"] *= 1.01
    _rewrite_manifest(out, entries)
    found = _rows_findings(out, schema)
    assert [(f.table, f.cycle) for f in found] == [("orders", 3)]
    assert "the manifest expects" in found[0].message

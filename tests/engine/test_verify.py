"""verify_landing: passes on clean output, and reports each kind of damage done to the files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.times import at

from streamforge import api
from streamforge.readback import read_manifest
from streamforge.verify import verify_landing

TABLES = {
    "store": {
        "type": "dimension",
        "num_rows": 30,
        "columns": {
            "store_id": "int",
            "city": "string",
            "tier": {"type": "string", "format": "A|B|C"},
        },
    },
    "store_changes": {
        "type": "change_feed",
        "num_rows": 10,
        "operations": {"INSERT": 2, "UPDATE": 5, "DELETE": 3},
        "columns": {
            "change_id": "long",
            "store_id": "int",
            "change_type": {"type": "string", "format": "INSERT|UPDATE|DELETE"},
            "change_timestamp": "datetime",
            "sequence_num": "long",
            "changed_fields": {"type": "array", "items": "string"},
        },
    },
    "sale": {
        "type": "fact",
        "num_rows": 200,
        "columns": {
            "sale_id": "long",
            "store_id": "int",
            "sold_at": "datetime",
            "amount": {"type": "float", "min": 1, "max": 100, "anomaly_rate": 0.05},
        },
    },
}
CYCLES = 4


@pytest.fixture(scope="module")
def clean(lab_dir, new_dir):
    """(schema folder, landing folder) of a clean JSON run; tests damage copies of it."""
    schema_dir = lab_dir(TABLES)
    out = new_dir("clean") / "landing"
    api.generate(
        "lab", out, schema_dir=schema_dir, cycles=CYCLES, seed=9, start=at("2026-01-01T00:00:00Z")
    )
    return schema_dir, out


@pytest.fixture
def landing(clean, tmp_path):
    schema_dir, out = clean
    copy = tmp_path / "landing"
    shutil.copytree(out, copy)
    return copy, api.load_plan("lab", schema_dir)


def file_of(root: Path, table: str, cycle: int) -> Path:
    entry = next(e for e in read_manifest(root) if e["table"] == table and e["cycle"] == cycle)
    return root / entry["file"]


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def edit_row(path: Path, index: int, **changes) -> None:
    """Change some fields of one JSON line, leaving every other line byte-identical."""
    lines = path.read_text().splitlines(keepends=True)
    row = json.loads(lines[index])
    row.update(changes)
    lines[index] = json.dumps(row, separators=(",", ":")) + "\n"
    path.write_text("".join(lines))


def edit_manifest(root: Path, table: str, cycle: int, edit) -> None:
    path = root / "_streamforge" / "manifest.jsonl"
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    for entry in entries:
        if entry["table"] == table and entry["cycle"] == cycle:
            edit(entry)
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))


def messages(root: Path, plan) -> list[str]:
    return [str(f) for f in verify_landing(root, plan).findings]


def test_clean_output_passes(landing) -> None:
    root, plan = landing
    report = verify_landing(root, plan)
    assert report.ok, report.findings
    assert report.files == {"store": 1, "store_changes": CYCLES, "sale": CYCLES}
    assert report.rows == {"store": 30, "store_changes": 10 * CYCLES, "sale": 200 * CYCLES}
    assert api.verify("lab", root, schema_dir=plan.sector.directory.parent).ok


def test_an_orphan_foreign_key_is_reported(landing) -> None:
    root, plan = landing
    edit_row(file_of(root, "sale", 2), 5, store_id=999_999)
    found = messages(root, plan)
    assert found == ["sale cycle 2: 1 orphan values in store_id (e.g. 999999) never a key of store"]


def test_a_fact_referencing_a_deleted_key_is_reported(landing) -> None:
    root, plan = landing
    deleted = next(
        r["store_id"]
        for r in rows_of(file_of(root, "store_changes", 0))
        if r["change_type"] == "DELETE"
    )
    edit_row(file_of(root, "sale", 1), 0, store_id=deleted)
    found = messages(root, plan)
    assert len(found) == 1 and "after its DELETE" in found[0] and f"{deleted}" in found[0]


def test_a_duplicated_primary_key_is_reported(landing) -> None:
    root, plan = landing
    edit_row(file_of(root, "store", 0), 1, store_id=1)
    found = messages(root, plan)
    assert any("store cycle 0" in m and "store_id" in m for m in found), found


def test_a_key_repeated_across_cycles_is_reported(landing) -> None:
    root, plan = landing
    first = rows_of(file_of(root, "sale", 0))[0]["sale_id"]
    edit_row(file_of(root, "sale", 3), 0, sale_id=first)
    found = messages(root, plan)
    assert len(found) == 1 and "sale" in found[0] and "sale_id" in found[0]


def test_an_update_of_a_deleted_key_is_reported(landing) -> None:
    root, plan = landing
    deleted = next(
        r["store_id"]
        for r in rows_of(file_of(root, "store_changes", 0))
        if r["change_type"] == "DELETE"
    )
    later = file_of(root, "store_changes", 2)
    index = next(i for i, r in enumerate(rows_of(later)) if r["change_type"] == "UPDATE")
    edit_row(later, index, store_id=deleted)
    found = messages(root, plan)
    assert any(
        "store_changes cycle 2" in m
        and f"UPDATE of a key after its DELETE (e.g. store_id {deleted} " in m
        for m in found
    ), found


def test_an_insert_of_a_live_key_is_reported(landing) -> None:
    root, plan = landing
    path = file_of(root, "store_changes", 1)
    index = next(i for i, r in enumerate(rows_of(path)) if r["change_type"] == "INSERT")
    edit_row(path, index, store_id=30)
    assert any(
        "INSERT of a key that already exists (e.g. store_id 30 " in m for m in messages(root, plan)
    )


def test_a_change_timestamp_going_back_is_reported(landing) -> None:
    root, plan = landing
    first = rows_of(file_of(root, "store_changes", 0))[0]["change_timestamp"]
    edit_row(file_of(root, "store_changes", 3), 0, change_timestamp=first)
    assert any("does not increase" in m for m in messages(root, plan))


def test_a_manifest_row_count_mismatch_is_reported(landing) -> None:
    root, plan = landing
    edit_manifest(root, "sale", 1, lambda e: e.update(rows=e["rows"] + 1))
    found = messages(root, plan)
    assert found == ["sale cycle 1: 200 rows in file, manifest says 201"]


def test_a_lost_row_is_reported(landing) -> None:
    root, plan = landing
    path = file_of(root, "sale", 0)
    path.write_text("".join(path.read_text().splitlines(keepends=True)[1:]))
    assert "sale cycle 0: 199 rows in file, manifest says 200" in messages(root, plan)


def test_a_wrong_anomaly_count_is_reported(landing) -> None:
    root, plan = landing
    recorded = {}

    def bump(entry: dict) -> None:
        recorded.update(entry["anomalies"])
        entry["anomalies"]["amount"] += 1

    edit_manifest(root, "sale", 3, bump)
    found = messages(root, plan)
    assert recorded.get("amount", 0) > 0
    expected = (
        f"{recorded['amount']} rows of amount breaking its rule (within [1, 100]), manifest says "
    )
    assert len(found) == 1 and expected in found[0] and "sale cycle 3" in found[0]


def test_a_value_pushed_out_of_range_is_reported(landing) -> None:
    root, plan = landing
    path = file_of(root, "sale", 1)
    index = next(i for i, r in enumerate(rows_of(path)) if 1 <= r["amount"] <= 100)
    edit_row(path, index, amount=1000.5)
    assert any("of amount breaking its rule" in m for m in messages(root, plan))


def test_verify_entities_match_the_session_state(run_lab, landing) -> None:
    root, plan = landing
    run = run_lab(TABLES, cycles=CYCLES, seed=9)
    held = run.session.state.entities["store"].table.to_pylist()
    report = verify_landing(root, plan)
    assert sorted(report.entities["store"].values(), key=lambda r: r["store_id"]) == held


@pytest.mark.parametrize(
    "columns",
    [
        {"birth": {"type": "datetime", "min": "1950-01-01", "max": "2000-01-01"}},
        {"seen_at": {"type": "datetime", "min": "2020-01-01", "max": "2021-01-01"}},
        {"born_on": "date", "birth_date": "datetime"},
    ],
    ids=["bounded-only", "bounded-named", "birth-date"],
)
def test_a_fact_datetime_that_is_not_an_event_time_passes(lab_dir, new_dir, columns) -> None:
    """Only a column that follows the cycle window can be held to it (DESIGN §5, §6)."""
    tables = {"visit": {"type": "fact", "num_rows": 50, "columns": {"visit_id": "long", **columns}}}
    schema_dir, out = lab_dir(tables), new_dir("visit") / "landing"
    api.generate("lab", out, schema_dir=schema_dir, cycles=2, start=at("2026-01-01T00:00:00Z"))
    assert api.verify("lab", out, schema_dir=schema_dir).findings == []


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "string", "values": ["A", "B"], "null_rate": 0.3},
        {"type": "string", "format": "A|B", "null_rate": 0.3},
        {"type": "decimal(6,2)", "values": [1.5, 2.25]},
        {"type": "float", "values": [1.0, 2.0]},
        {"type": "int", "values": [1, 2, 3]},
    ],
    ids=["values-nulls", "format-nulls", "decimal-values", "float-values", "int-values"],
)
def test_verify_recounts_categorical_anomalies_like_the_engine(lab_dir, new_dir, spec) -> None:
    """A null from null_rate is not an anomaly of a values rule; 1.5 is an allowed 1.50."""
    columns = {"m_id": "long", "v": {**spec, "anomaly_rate": 0.1}}
    tables = {"m": {"type": "fact", "num_rows": 500, "columns": columns}}
    schema_dir, out = lab_dir(tables), new_dir("categorical") / "landing"
    api.generate("lab", out, schema_dir=schema_dir, cycles=2, start=at("2026-01-01T00:00:00Z"))
    assert api.verify("lab", out, schema_dir=schema_dir).findings == []

"""A fact or dimension file holds exactly its batch's row keys (DESIGN §4; verify/key_range.py):
a row dropped, with the manifest's row count edited to match, or a key changed, is caught
naming the table, the key column and the rows, whatever the row-count rule would allow."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.times import at
from tests.verify.test_duplicate_copies import METER, METER_CHANGES, READING

from streamforge import api
from streamforge.readback import read_manifest
from streamforge.verify import verify_landing


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> tuple[Path, Path]:
    schema = tmp_path_factory.mktemp("schema")
    (schema / "grid").mkdir()
    for name, text in (("reading", READING), ("meter", METER), ("meter_changes", METER_CHANGES)):
        (schema / "grid" / f"{name}.yml").write_text(text)
    out = tmp_path_factory.mktemp("keys") / "landing"
    start = at("2026-01-01T00:00:00Z")
    api.generate("grid", out, schema_dir=schema, fmt="parquet", cycles=3, seed=5, start=start)
    return schema, out


def _edit(root: Path, table: str, cycle: int, change) -> dict:
    """Rewrite one file with `change(table) -> table` and the manifest's rows to match."""
    entry = next(e for e in read_manifest(root) if e["table"] == table and e["cycle"] == cycle)
    path = root / entry["file"]
    rows = change(pq.read_table(path))
    pq.write_table(rows, path)
    manifest = root / "_streamforge" / "manifest.jsonl"
    lines = [json.loads(line) for line in manifest.read_text().splitlines()]
    for line in lines:
        if line["file"] == entry["file"]:
            line["rows"] = rows.num_rows
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return entry


def _found(schema: Path, root: Path) -> list:
    findings = verify_landing(root, api.load_plan("grid", schema)).findings
    return [(f.table, f.cycle, f.column, f.kind, f.count, f.example) for f in findings]


def test_the_untouched_landing_holds_every_batch_key(good) -> None:
    schema, root = good
    assert _found(schema, root) == []


@pytest.mark.parametrize(
    ("table", "cycle", "key"), [("reading", 1, "reading_id"), ("meter", 0, "meter_id")]
)
def test_a_row_dropped_with_the_manifest_edited_to_match(good, tmp_path, table, cycle, key) -> None:
    schema, clean = good
    root = tmp_path / "landing"
    shutil.copytree(clean, root)
    dropped: list[int] = []

    def drop(rows: pa.Table) -> pa.Table:
        keys = rows.column(key).to_pylist()
        at_row = next(i for i, k in enumerate(keys) if keys.count(k) == 1 and k != max(keys))
        dropped.append(keys[at_row])
        return pa.concat_tables([rows.slice(0, at_row), rows.slice(at_row + 1)])

    entry = _edit(root, table, cycle, drop)
    found = [f for f in _found(schema, root) if f[3] == "key_range"]
    assert [f[:5] for f in found] == [(table, cycle, key, "key_range", 1)]
    # the key named is one of the batch's that is not in the file (the dropped one, or one a
    # duplicate copy took the place of)
    left = set(pq.read_table(root / entry["file"]).column(key).to_pylist())
    assert found[0][5] not in left and found[0][5] >= entry["first_key"]


@pytest.mark.parametrize(
    ("table", "key"), [("reading", "reading_id"), ("meter_changes", "change_id")]
)
def test_a_key_changed_to_one_of_no_batch(good, tmp_path, table, key) -> None:
    """A change feed's row keys (`change_id`) continue from batch to batch like a fact's
    (DESIGN §4/§5), late and duplicate rows included, so an edited one is caught the same way."""
    schema, clean = good
    root = tmp_path / "landing"
    shutil.copytree(clean, root)

    def rekey(rows: pa.Table) -> pa.Table:
        keys = rows.column(key).to_pylist()
        at_row = next(i for i, k in enumerate(keys) if keys.count(k) == 1)
        keys[at_row] = 10**9
        index = rows.schema.get_field_index(key)
        field = rows.schema.field(index)
        return rows.set_column(index, field, pa.array(keys, field.type))

    _edit(root, table, 2, rekey)
    found = sorted(f for f in _found(schema, root) if f[3] == "key_range")
    # the new key lies outside the batch, and the key it replaced is missing from it
    assert [(f[0], f[1], f[2], f[4]) for f in found] == [(table, 2, key, 1)] * 2
    assert 10**9 in {f[5] for f in found}


def test_a_change_row_dropped_is_missing_by_the_finished_run(good, tmp_path) -> None:
    """A change feed's late rows land in a later file, so a dropped change row is known missing
    at the finished run's last file (`final`), which names its key."""
    schema, clean = good
    root = tmp_path / "landing"
    shutil.copytree(clean, root)
    dropped: list[int] = []

    def drop(rows: pa.Table) -> pa.Table:
        keys = rows.column("change_id").to_pylist()
        at_row = next(i for i, k in enumerate(keys) if keys.count(k) == 1)
        dropped.append(keys[at_row])
        return pa.concat_tables([rows.slice(0, at_row), rows.slice(at_row + 1)])

    _edit(root, "meter_changes", 1, drop)
    last = max(e["cycle"] for e in read_manifest(root) if e["table"] == "meter_changes")
    found = [f for f in _found(schema, root) if f[3] == "key_range"]
    assert found == [("meter_changes", last, "change_id", "key_range", 1, dropped[0])]


def test_a_change_key_changed_to_another_files_key(good, tmp_path) -> None:
    """Every change row's key lands in one file only: one set to a key an earlier file landed
    is caught there, and the key it replaced is missing by the last file."""
    schema, clean = good
    root = tmp_path / "landing"
    shutil.copytree(clean, root)
    earlier = pq.read_table(
        root / next(e for e in read_manifest(root) if e["table"] == "meter_changes")["file"]
    )
    taken = earlier.column("change_id").to_pylist()[0]
    replaced: list[int] = []

    def rekey(rows: pa.Table) -> pa.Table:
        keys = rows.column("change_id").to_pylist()
        at_row = next(i for i, k in enumerate(keys) if keys.count(k) == 1)
        replaced.append(keys[at_row])
        keys[at_row] = taken
        index = rows.schema.get_field_index("change_id")
        return rows.set_column(index, rows.schema.field(index), pa.array(keys, pa.int64()))

    _edit(root, "meter_changes", 1, rekey)
    found = sorted(f for f in _found(schema, root) if f[3] == "key_range")
    last = max(e["cycle"] for e in read_manifest(root) if e["table"] == "meter_changes")
    assert found == [
        ("meter_changes", 1, "change_id", "key_range", 1, taken),
        ("meter_changes", last, "change_id", "key_range", 1, replaced[0]),
    ]

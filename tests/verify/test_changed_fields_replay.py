"""An UPDATE's `changed_fields` names exactly the attributes that differ from the key's image
before it (README *Change feeds*, DESIGN §5; verify/changed_replay.py): in a finished run, a name
added for an attribute that did not change, one dropped that did, or a name of no attribute is
caught naming the table, the column, the cycle and the row's key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.times import at

from streamforge import api
from streamforge.readback import read_manifest
from streamforge.verify import verify_landing

FEED, KEY = "customer_changes", "customer_id"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("changed") / "landing"
    start = at("2026-01-01T00:00:00Z")
    api.generate("energy", out, fmt="parquet", cycles=3, seed=11, start=start, scale=0.3)
    return out


def _found(root: Path) -> list:
    findings = verify_landing(root, api.load_plan("energy")).findings
    return [(f.table, f.cycle, f.column, f.count, f.example) for f in findings]


def _edit(root: Path, cycle: int, change) -> tuple[int, str]:
    """Change the `changed_fields` of one UPDATE row (delivered once) with
    `change(names, columns) -> (names, attribute)`; (the row's key, the attribute)."""
    entry = next(e for e in read_manifest(root) if e["table"] == FEED and e["cycle"] == cycle)
    path = root / entry["file"]
    rows = pq.read_table(path)
    ids = rows.column("change_id").to_pylist()
    ops = rows.column("change_type").to_pylist()
    lists = rows.column("changed_fields").to_pylist()
    i = next(i for i, op in enumerate(ops) if op == "UPDATE" and ids.count(ids[i]) == 1)
    lists[i], attr = change(lists[i], rows.column_names)
    index = rows.schema.get_field_index("changed_fields")
    field = rows.schema.field(index)
    pq.write_table(rows.set_column(index, field, pa.array(lists, field.type)), path)
    return rows.column(KEY)[i].as_py(), attr


def _unchanged(names: list[str], columns: list[str]) -> tuple[list[str], str]:
    attr = next(c for c in ("email", "name", "customer_segment", "phone") if c not in names)
    return [*names, attr], attr


def _dropped(names: list[str], columns: list[str]) -> tuple[list[str], str]:
    return names[1:], names[0]


def _unknown(names: list[str], columns: list[str]) -> tuple[list[str], str]:
    return [*names, "no_such_column"], "no_such_column"


def test_the_untouched_landing_passes(good) -> None:
    assert _found(good) == []


@pytest.mark.parametrize("change", [_unchanged, _dropped, _unknown])
@pytest.mark.parametrize("cycle", [1, 2])
def test_changed_fields_not_the_attributes_that_changed(good, tmp_path, change, cycle) -> None:
    root = tmp_path / "landing"
    shutil.copytree(good, root)
    key, attr = _edit(root, cycle, change)
    assert _found(root) == [(FEED, cycle, "changed_fields", 1, (key, attr))]

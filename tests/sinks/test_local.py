"""LocalLanding: atomic data files, the manifest, and atomic text state."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from streamforge.sinks import FileRecord, Landing, LocalLanding, get_format

SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string())])


def batch(*ids: int) -> pa.RecordBatch:
    return pa.record_batch([pa.array(ids, pa.int64()), [f"n{i}" for i in ids]], schema=SCHEMA)


def all_names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_write_file_lands_under_the_table_folder(tmp_path: Path) -> None:
    landing: Landing = LocalLanding(tmp_path)
    record = landing.write_file(
        "meter_readings", 7, "ab12cd34", get_format("json"), [batch(1, 2), batch(3)], SCHEMA
    )
    final = tmp_path / "meter_readings" / "meter_readings-c000007-ab12cd34.json"
    assert record == FileRecord(
        table="meter_readings",
        cycle=7,
        path="meter_readings/meter_readings-c000007-ab12cd34.json",
        rows=3,
        bytes=final.stat().st_size,
    )
    assert [json.loads(line)["id"] for line in final.read_text().splitlines()] == [1, 2, 3]
    assert all_names(final.parent) == [final.name]  # no temp file left behind


def test_file_record_is_frozen() -> None:
    record = FileRecord("t", 1, "t/t-c000001-x.json", 0, 0)
    with pytest.raises(AttributeError):
        record.rows = 5  # type: ignore[misc]


def test_a_redone_cycle_replaces_the_file(tmp_path: Path) -> None:
    landing = LocalLanding(tmp_path)
    parquet = get_format("parquet")
    landing.write_file("t", 1, "id", parquet, [batch(1, 2, 3)], SCHEMA)
    record = landing.write_file("t", 1, "id", parquet, [batch(9)], SCHEMA)
    assert pq.read_table(tmp_path / record.path).column("id").to_pylist() == [9]
    assert all_names(tmp_path / "t") == ["t-c000001-id.parquet"]


def test_readers_never_see_a_partial_file(tmp_path: Path) -> None:
    landing = LocalLanding(tmp_path)
    final = tmp_path / "t" / "t-c000002-id.csv"

    def batches() -> Iterator[pa.RecordBatch]:
        yield batch(1)
        # Mid-write: the data sits in a hidden temp file only.
        assert not final.exists()
        assert [name.startswith(".") for name in all_names(final.parent)] == [True]
        yield batch(2)

    landing.write_file("t", 2, "id", get_format("csv"), batches(), SCHEMA)
    assert final.exists()


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_write_leaves_no_temp_and_no_partial_file(tmp_path: Path, existing: bool) -> None:
    landing = LocalLanding(tmp_path)
    fmt = get_format("json")
    if existing:
        landing.write_file("t", 3, "id", fmt, [batch(1)], SCHEMA)
    before = (tmp_path / "t" / "t-c000003-id.json").read_bytes() if existing else None

    def failing() -> Iterator[pa.RecordBatch]:
        yield batch(7, 8)
        raise RuntimeError("engine failed")

    with pytest.raises(RuntimeError, match="engine failed"):
        landing.write_file("t", 3, "id", fmt, failing(), SCHEMA)
    if existing:
        assert all_names(tmp_path / "t") == ["t-c000003-id.json"]
        assert (tmp_path / "t" / "t-c000003-id.json").read_bytes() == before
    else:
        assert all_names(tmp_path / "t") == []


def test_a_batch_of_the_wrong_schema_fails_cleanly(tmp_path: Path) -> None:
    landing = LocalLanding(tmp_path)
    with pytest.raises(ValueError, match="do not match"):
        landing.write_file("t", 0, "id", get_format("json"), [pa.record_batch({"x": [1]})], SCHEMA)
    assert all_names(tmp_path / "t") == []


@pytest.mark.parametrize(
    ("table", "cycle", "file_id"),
    [("../etc", 0, "id"), (".hidden", 0, "id"), ("_streamforge", 0, "id"), ("a/b", 0, "id"),
     ("t", -1, "id"), ("t", 0, "x/y"), ("t", 0, "")],
)  # fmt: skip
def test_unsafe_names_are_refused(tmp_path: Path, table: str, cycle: int, file_id: str) -> None:
    with pytest.raises(ValueError):
        LocalLanding(tmp_path).write_file(table, cycle, file_id, get_format("json"), [], SCHEMA)
    assert list(tmp_path.iterdir()) == []


def test_manifest_appends_and_reads_back_in_order(tmp_path: Path) -> None:
    landing = LocalLanding(tmp_path)
    assert landing.read_manifest() == []
    landing.append_manifest({"table": "t", "cycle": 0, "rows": 3, "anomalies": {}})
    landing.append_manifest({"table": "u", "cycle": 1, "rows": 5, "note": "line\nbreak é"})
    assert landing.read_manifest() == [
        {"table": "t", "cycle": 0, "rows": 3, "anomalies": {}},
        {"table": "u", "cycle": 1, "rows": 5, "note": "line\nbreak é"},
    ]
    assert len((tmp_path / "_streamforge" / "manifest.jsonl").read_bytes().splitlines()) == 2


def test_a_manifest_line_torn_by_a_crash_is_dropped(tmp_path: Path) -> None:
    landing = LocalLanding(tmp_path)
    landing.append_manifest({"cycle": 0})
    path = tmp_path / "_streamforge" / "manifest.jsonl"
    with open(path, "ab") as stream:
        stream.write(b'{"cycle": 1, "ro')  # the process died here
    assert landing.read_manifest() == [{"cycle": 0}]
    landing.append_manifest({"cycle": 1})
    assert landing.read_manifest() == [{"cycle": 0}, {"cycle": 1}]


def test_text_state_is_replaced_atomically(tmp_path: Path) -> None:
    landing = LocalLanding(tmp_path)
    assert landing.read_text("_streamforge/state.json") is None
    landing.write_text_atomic("_streamforge/state.json", '{"cycle": 1}')
    landing.write_text_atomic("_streamforge/state.json", '{"cycle": 2, "name": "é"}')
    assert landing.read_text("_streamforge/state.json") == '{"cycle": 2, "name": "é"}'
    assert all_names(tmp_path / "_streamforge") == ["state.json"]


@pytest.mark.parametrize("relpath", ["", "../state.json", "/abs/state.json", "a//b", "a/./b"])
def test_text_paths_stay_inside_the_landing(tmp_path: Path, relpath: str) -> None:
    landing = LocalLanding(tmp_path)
    with pytest.raises(ValueError, match="inside the landing"):
        landing.write_text_atomic(relpath, "x")
    with pytest.raises(ValueError, match="inside the landing"):
        landing.read_text(relpath)


@pytest.mark.skipif(os.name != "posix", reason="umask is POSIX")
def test_landed_files_get_ordinary_permissions(tmp_path: Path) -> None:
    # Temp files made by tempfile are 0600; a landed file must be readable like any other.
    landing = LocalLanding(tmp_path)
    record = landing.write_file("t", 0, "id", get_format("json"), [batch(1)], SCHEMA)
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / record.path).stat().st_mode & 0o777 == 0o666 & ~umask


def wait_for_no_trash(control: Path) -> list[str]:
    """What is left in `control` once the clear's thread has deleted its trash (10 s at most)."""
    deadline = time.monotonic() + 10
    while any(p.name.startswith("trash-") for p in control.iterdir()):
        assert time.monotonic() < deadline, "the trash was never deleted"
        time.sleep(0.01)
    return sorted(p.name for p in control.iterdir())


def test_clear_removes_the_tables_and_state_at_once_and_their_files_soon(tmp_path: Path) -> None:
    landing = LocalLanding(tmp_path)
    record = landing.write_file("t", 0, "id", get_format("json"), [batch(1)], SCHEMA)
    landing.append_manifest({"table": "t", "cycle": 0, "file": record.path})
    landing.write_text_atomic("_streamforge/state.json", "{}")
    (tmp_path / "mine").mkdir()  # not StreamForge's: stays
    leftover = tmp_path / "_streamforge" / "trash-dead" / "old"  # a crashed clear's trash
    leftover.mkdir(parents=True)
    with landing.lock("test"):
        landing.clear()
        assert not landing.exists() and landing.read_manifest() == []
        assert sorted(p.name for p in tmp_path.iterdir()) == ["_streamforge", "mine"]
    assert wait_for_no_trash(tmp_path / "_streamforge") == ["lock"]


def test_the_temp_sweep_survives_a_clear_in_flight(tmp_path: Path) -> None:
    landing = LocalLanding(tmp_path)
    for cycle in range(20):
        record = landing.write_file("t", cycle, "id", get_format("json"), [batch(1)], SCHEMA)
        landing.append_manifest({"table": "t", "cycle": cycle, "file": record.path})
    with landing.lock("first"):
        landing.clear()
    stray = tmp_path / "_streamforge" / ".state.json.1.2.tmp"  # a killed writer's
    stray.write_text("{")
    with landing.lock("second"):  # sweeps while the first clear's thread may still delete
        pass
    assert not stray.exists()
    assert wait_for_no_trash(tmp_path / "_streamforge") == ["lock"]

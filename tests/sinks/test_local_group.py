"""LocalLanding.landed_together: files of a group are fsynced on threads, their manifest lines wait.

The rule (local_group.py): a final name only ever holds fsynced content, and the manifest names a
file only after the file and its folder's entry are on disk; a file that failed gets no line."""

from __future__ import annotations

import errno
import json
import os
import threading
from pathlib import Path

import pyarrow as pa
import pytest

from streamforge.errors import StorageError
from streamforge.sinks import LocalLanding, get_format

SCHEMA = pa.schema([("id", pa.int64())])
MANIFEST = Path("_streamforge") / "manifest.jsonl"


def batch(*ids: int) -> pa.RecordBatch:
    return pa.record_batch([pa.array(ids, pa.int64())], schema=SCHEMA)


def land(landing: LocalLanding, table: str, cycle: int, *ids: int) -> str:
    record = landing.write_file(table, cycle, "id", get_format("json"), [batch(*ids)], SCHEMA)
    landing.append_manifest({"table": table, "cycle": cycle, "file": record.path})
    return record.path


class Syncs:
    """Every fsync and rename, in order, by the path it concerned (a thread-safe log)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail: str = "") -> None:
        self.log: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd: int) -> None:
            path = os.readlink(f"/proc/self/fd/{fd}")
            if fail and fail in Path(path).name:
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            real_fsync(fd)
            self._note("fsync", path)

        def replace(src: str | Path, dst: str | Path) -> None:
            real_replace(src, dst)
            self._note("rename", str(dst))

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)

    def _note(self, what: str, path: str) -> None:
        with self._lock:
            self.log.append((what, path))


pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


def test_lines_wait_until_every_file_and_folder_is_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = LocalLanding(tmp_path)
    syncs = Syncs(monkeypatch)
    with landing.landed_together():
        paths = [land(landing, table, 0, n) for n, table in enumerate(["a", "b", "c"])]
        assert not (tmp_path / MANIFEST).exists()  # held: nothing named before it is durable
    assert [e["file"] for e in landing.read_manifest()] == paths  # in the order written
    manifest = str(tmp_path / MANIFEST)
    assert [what for what, path in syncs.log if path == manifest] == ["fsync"]  # one for all
    last = syncs.log.index(("fsync", manifest))
    for relpath in paths:
        final = tmp_path / relpath
        renamed = syncs.log.index(("rename", str(final)))
        # the content was fsynced (under its temp name) before the rename, in the same folder
        assert any(
            what == "fsync" and Path(p).parent == final.parent and p.endswith(".tmp")
            for what, p in syncs.log[:renamed]
        )
        assert ("fsync", str(final.parent)) in syncs.log[renamed:last]  # the folder's entry
        assert json.loads(final.read_text()) == {"id": paths.index(relpath)}


def test_a_file_whose_fsync_fails_gets_no_line_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = LocalLanding(tmp_path)
    Syncs(monkeypatch, fail="b-c000000")
    with pytest.raises(StorageError, match="I/O error"), landing.landed_together():
        land(landing, "a", 0, 1)
        land(landing, "b", 0, 2)
        landing.append_manifest({"note": "names no file"})
    assert landing.read_manifest() == [
        {"table": "a", "cycle": 0, "file": "a/a-c000000-id.json"},
        {"note": "names no file"},
    ]
    assert list((tmp_path / "b").iterdir()) == []  # neither the file nor its temp file


def test_an_error_in_the_block_still_records_what_landed(tmp_path: Path) -> None:
    landing = LocalLanding(tmp_path)
    with pytest.raises(RuntimeError, match="engine failed"), landing.landed_together():
        land(landing, "a", 0, 1)
        raise RuntimeError("engine failed")
    assert [e["table"] for e in landing.read_manifest()] == ["a"]  # so --fresh clears it
    assert (tmp_path / "a" / "a-c000000-id.json").exists()


def test_a_nested_block_joins_the_outer_group(tmp_path: Path) -> None:
    landing = LocalLanding(tmp_path)
    with landing.landed_together():
        with landing.landed_together():
            land(landing, "a", 0, 1)
        assert landing.read_manifest() == []
    assert len(landing.read_manifest()) == 1


def test_outside_a_group_each_line_is_durable_at_once(tmp_path: Path) -> None:
    landing = LocalLanding(tmp_path)
    land(landing, "a", 0, 1)
    assert [e["table"] for e in landing.read_manifest()] == ["a"]


def test_a_line_naming_a_file_written_elsewhere_is_kept(tmp_path: Path) -> None:
    # The Spark engine's executors write the files; the driver only appends their manifest
    # lines inside the group. Those files are not the group's to wait for or to drop.
    landing = LocalLanding(tmp_path)
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "part-0.parquet").write_bytes(b"written by an executor")
    with landing.landed_together():
        land(landing, "a", 0, 1)
        landing.append_manifest({"table": "t", "cycle": 0, "file": "t/part-0.parquet"})
    assert [e["table"] for e in landing.read_manifest()] == ["a", "t"]

"""Checkpointed tables are Arrow IPC files (uncompressed locally, zstd elsewhere); a checkpoint
written as Parquet by an earlier version still continues exactly."""

from __future__ import annotations

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq

from streamforge import api, checkpoint
from streamforge.sinks.local import LocalLanding

from .conftest import FakeClock

STATE = "_streamforge/state.json"


def _entity_files(dest) -> dict[str, str]:
    return json.loads((dest / STATE).read_text())["meta"]["entity_files"]


def _landed(dest) -> dict[str, bytes]:
    return {
        str(p.relative_to(dest)): p.read_bytes()
        for p in dest.rglob("*")
        if p.is_file() and "_streamforge" not in p.parts
    }


def test_a_parquet_checkpoint_continues_like_an_arrow_one(tmp_path, clock, schema_dir):
    arrow, parquet = tmp_path / "arrow", tmp_path / "parquet"
    api.run("Energy", arrow, schema_dir=schema_dir, interval=30, cycles=2, clock=clock)
    shutil.copytree(arrow, parquet)
    files = _entity_files(parquet)
    assert files and all(f.endswith(".arrow") for f in files.values())  # entities, held, expected
    # Rewrite the copy's checkpoint as the Parquet files older versions wrote.
    state = json.loads((parquet / STATE).read_text())
    for name, relpath in files.items():
        table = pa.ipc.open_file(pa.BufferReader((parquet / relpath).read_bytes())).read_all()
        (parquet / relpath).unlink()
        relpath = relpath.removesuffix(".arrow") + ".parquet"
        pq.write_table(table, parquet / relpath, compression="zstd")
        state["meta"]["entity_files"][name] = relpath
    (parquet / STATE).write_text(json.dumps(state))
    for dest in (arrow, parquet):  # each continues from the same moment
        later = FakeClock(clock.now)
        api.run("Energy", dest, schema_dir=schema_dir, interval=30, cycles=2, clock=later)
    assert _landed(parquet) == _landed(arrow)  # same rows, changes and late rows after resuming
    assert all(f.endswith(".arrow") for f in _entity_files(parquet).values())
    assert api.verify("Energy", parquet, schema_dir).ok


def test_local_checkpoints_are_uncompressed_remote_ones_zstd(tmp_path, clock, schema_dir):
    api.run("Energy", tmp_path, schema_dir=schema_dir, interval=30, cycles=1, clock=clock)
    landing = LocalLanding(tmp_path)
    loaded = checkpoint.load(landing)
    assert loaded is not None
    state, meta = loaded

    class Remote:  # a landing without `local`, like a Volume: every byte is uploaded
        def __init__(self) -> None:
            self.files: dict[str, bytes] = {}

        def write_bytes_atomic(self, relpath: str, data: bytes) -> None:
            self.files[relpath] = data

        def write_text_atomic(self, relpath: str, text: str) -> None:
            self.files[relpath] = text.encode()

        def delete(self, relpath: str) -> None:
            self.files.pop(relpath, None)

    remote = Remote()
    checkpoint.save(remote, state, meta, entities_changed=True)  # type: ignore[arg-type]
    written = {relpath.rsplit("-", 1)[0]: data for relpath, data in remote.files.items()}
    for relpath in _entity_files(tmp_path).values():
        assert relpath.endswith(".arrow")
        local = (tmp_path / relpath).read_bytes()
        remote_bytes = written[relpath.rsplit("-", 1)[0]]
        local_table = pa.ipc.open_file(pa.BufferReader(local)).read_all()
        remote_table = pa.ipc.open_file(pa.BufferReader(remote_bytes)).read_all()
        assert remote_table.equals(local_table), relpath
        if local_table.num_rows > 100:  # compression pays on real tables, not on a header
            assert len(remote_bytes) < len(local) / 1.5, relpath

"""VolumeLanding against the fake Files API: every Landing method, and parity with LocalLanding."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from streamforge.sinks import FileRecord, Landing, LocalLanding, get_format
from streamforge.sinks.landing import MANIFEST_PATH, STATE_PATH
from streamforge.sinks.volume import VolumeLanding

from .conftest import ROOT
from .files_api_server import FakeFilesApi

SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string())])
MANIFEST = f"{ROOT}/{MANIFEST_PATH}"
STATE = f"{ROOT}/{STATE_PATH}"


def batch(*ids: int) -> pa.RecordBatch:
    return pa.record_batch([pa.array(ids, pa.int64()), [f"n{i}" for i in ids]], schema=SCHEMA)


def entry(table: str, cycle: int) -> dict[str, object]:
    relpath = f"{table}/{table}-c{cycle:06d}-x.json"
    return {"table": table, "cycle": cycle, "file": relpath, "rows": 1}


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_a_data_file_is_put_once_under_its_final_name(
    landing: VolumeLanding, files_api: FakeFilesApi, tmp_path: Path, fmt: str
) -> None:
    target: Landing = landing  # the protocol, checked statically
    file_format = get_format(fmt)
    batches = [batch(1, 2), batch(3)]
    record = target.write_file("meter_readings", 7, "ab12cd34", file_format, batches, SCHEMA)
    relpath = f"meter_readings/meter_readings-c000007-ab12cd34.{file_format.extension}"
    final = f"{ROOT}/{relpath}"
    size = len(files_api.files[final])
    assert record == FileRecord("meter_readings", 7, relpath, rows=3, bytes=size)
    # No temp name, no second write, no rename: one PUT of the final name.
    puts = [(r.path, r.query) for r in files_api.requests("PUT")]
    assert puts == [(final, {"overwrite": "true"})]
    local = LocalLanding(tmp_path).write_file(
        "meter_readings", 7, "ab12cd34", file_format, [batch(1, 2), batch(3)], SCHEMA
    )
    assert files_api.files[final] == (tmp_path / local.path).read_bytes()


def test_a_file_bigger_than_the_spool_goes_via_disk_and_lands_whole(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi, tmp_path: Path
) -> None:
    landing = make_landing(spool_bytes=4096)
    batches = [batch(*range(start, start + 1000)) for start in range(0, 5000, 1000)]
    record = landing.write_file("t", 1, "id", get_format("json"), batches, SCHEMA)
    expected = LocalLanding(tmp_path).write_file("t", 1, "id", get_format("json"), batches, SCHEMA)
    data = files_api.files[f"{ROOT}/{record.path}"]
    assert record.bytes == len(data) > 4096
    assert data == (tmp_path / expected.path).read_bytes()
    assert files_api.requests("PUT")[0].headers["Content-Length"] == str(len(data))


def test_a_file_past_the_sdks_multipart_threshold_still_lands_in_one_put(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    # The SDK sends files of 50 MiB and more as multipart uploads when the workspace offers
    # them; this one (like some workspaces) does not, so the SDK falls back to one whole PUT.
    landing = make_landing(spool_bytes=1 << 20)
    big = pa.record_batch([pa.array(range(52), pa.int64()), ["x" * (1 << 20)] * 52], schema=SCHEMA)
    record = landing.write_file("t", 0, "id", get_format("json"), [big], SCHEMA)
    final = f"{ROOT}/{record.path}"
    assert record.bytes == len(files_api.files[final]) > 50 << 20
    calls = [(r.method, r.path, r.query.get("action")) for r in files_api.requests()]
    assert calls == [("POST", final, "initiate-upload"), ("PUT", final, None)]


def test_a_redone_cycle_replaces_the_file(landing: VolumeLanding, files_api: FakeFilesApi) -> None:
    parquet = get_format("parquet")
    landing.write_file("t", 1, "id", parquet, [batch(1, 2, 3)], SCHEMA)
    record = landing.write_file("t", 1, "id", parquet, [batch(9)], SCHEMA)
    data = files_api.files[f"{ROOT}/{record.path}"]
    assert pa.parquet.read_table(pa.BufferReader(data)).column("id").to_pylist() == [9]
    assert [p for p in files_api.files if p.startswith(f"{ROOT}/t/")] == [f"{ROOT}/{record.path}"]


def test_a_failed_build_uploads_nothing(landing: VolumeLanding, files_api: FakeFilesApi) -> None:
    def batches() -> Iterator[pa.RecordBatch]:
        yield batch(1)
        raise RuntimeError("generator failed")

    with pytest.raises(RuntimeError, match="generator failed"):
        landing.write_file("t", 2, "id", get_format("csv"), batches(), SCHEMA)
    assert files_api.requests("PUT") == []


def test_folders_are_created_once_each(landing: VolumeLanding, files_api: FakeFilesApi) -> None:
    for cycle in range(3):
        landing.write_file("t", cycle, "id", get_format("json"), [batch(cycle)], SCHEMA)
    created = [r.path for r in files_api.requests("PUT", api="directories")]
    assert created == [f"{ROOT}/t"]
    # The volume itself is checked once, before the first write.
    assert [r.method for r in files_api.requests(api="directories")] == ["HEAD", "PUT"]


def test_text_and_bytes_round_trip(landing: VolumeLanding, files_api: FakeFilesApi) -> None:
    landing.write_text_atomic(STATE_PATH, '{"cycle": 3, "city": "Zürich"}')
    landing.write_bytes_atomic("_streamforge/entities/customer-000001.parquet", b"\x00PAR1\xff")
    assert landing.read_text(STATE_PATH) == '{"cycle": 3, "city": "Zürich"}'
    assert files_api.files[STATE] == '{"cycle": 3, "city": "Zürich"}'.encode()
    assert landing.read_bytes("_streamforge/entities/customer-000001.parquet") == b"\x00PAR1\xff"
    landing.write_text_atomic(STATE_PATH, "{}")  # replaced whole, by one overwriting PUT
    assert landing.read_text(STATE_PATH) == "{}"
    landing.delete("_streamforge/entities/customer-000001.parquet")
    assert landing.read_bytes("_streamforge/entities/customer-000001.parquet") is None
    landing.delete("_streamforge/entities/never-written.parquet")  # a 404 is fine
    assert landing.read_text("_streamforge/missing.json") is None


@pytest.mark.parametrize("relpath", ["../escape.json", "/abs.json", "a//b", "a\\b", ""])
def test_paths_outside_the_landing_area_are_refused(landing: VolumeLanding, relpath: str) -> None:
    for call in (
        lambda: landing.write_text_atomic(relpath, "x"),
        lambda: landing.read_bytes(relpath),
        lambda: landing.delete(relpath),
    ):
        with pytest.raises(ValueError, match="not a relative path"):
            call()


def test_the_manifest_round_trips_and_survives_a_new_landing_object(
    landing: VolumeLanding, make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    assert landing.read_manifest() == []
    landing.append_manifest(entry("a", 0))
    landing.append_manifest({**entry("b", 0), "anomalies": {"kwh": 2}, "note": "Ünïcode"})
    landing.flush()
    expected = [entry("a", 0), {**entry("b", 0), "anomalies": {"kwh": 2}, "note": "Ünïcode"}]
    assert landing.read_manifest() == expected
    assert make_landing().read_manifest() == expected
    assert files_api.files[MANIFEST].decode().count("\n") == 2
    landing.rewrite_manifest([entry("b", 0)])
    assert make_landing().read_manifest() == [entry("b", 0)]


def test_an_empty_manifest_is_sent_with_a_length_not_chunked(
    landing: VolumeLanding, files_api: FakeFilesApi
) -> None:
    landing.rewrite_manifest([])
    put = files_api.requests("PUT")[-1]
    assert put.path == MANIFEST and files_api.files[MANIFEST] == b""
    assert put.headers.get("Content-Length") == "0" and "Transfer-Encoding" not in put.headers


def test_entries_wait_for_the_checkpoint_unless_their_table_is_new(
    landing: VolumeLanding, files_api: FakeFilesApi
) -> None:
    def manifest_puts() -> int:
        return sum(r.path == MANIFEST for r in files_api.requests("PUT"))

    landing.append_manifest(entry("a", 0))
    assert manifest_puts() == 1  # a new table: uploaded at once, so clear() can find its folder
    landing.append_manifest(entry("a", 1))
    landing.append_manifest(entry("a", 2))
    assert manifest_puts() == 1  # held back...
    assert [e["cycle"] for e in landing.read_manifest()] == [0, 1, 2]  # ...but visible
    landing.write_text_atomic(STATE_PATH, "{}")
    puts = [r.path for r in files_api.requests("PUT")]
    # The checkpoint never gets ahead of the manifest: the manifest goes first.
    assert puts[-2:] == [MANIFEST, STATE]
    assert files_api.files[MANIFEST].decode().count("\n") == 3


def test_without_batching_every_entry_is_uploaded(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    landing = make_landing(batch_manifest=False)
    for cycle in range(3):
        landing.append_manifest(entry("a", cycle))
    assert sum(r.path == MANIFEST for r in files_api.requests("PUT")) == 3


def test_a_torn_last_line_is_not_an_entry(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    files_api.make_directories(f"{ROOT}/_streamforge")
    files_api.files[MANIFEST] = (json.dumps(entry("a", 0)) + "\n" + '{"table": "a", "cy').encode()
    landing = make_landing()
    assert landing.read_manifest() == [entry("a", 0)]
    landing.append_manifest(entry("a", 1))
    landing.flush()
    assert files_api.files[MANIFEST].decode().splitlines() == [
        json.dumps(e, separators=(",", ":")) for e in (entry("a", 0), entry("a", 1))
    ]


def test_exists(landing: VolumeLanding, make_landing: Callable[..., VolumeLanding]) -> None:
    assert not landing.exists()
    landing.write_text_atomic(STATE_PATH, "{}")
    assert landing.exists() and make_landing().exists()


def test_clear_removes_the_manifests_tables_and_the_checkpoint_but_not_the_lock(
    landing: VolumeLanding, files_api: FakeFilesApi
) -> None:
    json_format = get_format("json")
    with landing.lock("test"):
        for table in ("a", "b"):
            for cycle in range(3):  # more entries than a listing page: pagination is walked
                record = landing.write_file(table, cycle, "id", json_format, [batch(cycle)], SCHEMA)
                landing.append_manifest(entry(table, cycle) | {"file": record.path})
        landing.write_bytes_atomic("_streamforge/entities/a-000001.parquet", b"x")
        landing.write_text_atomic(STATE_PATH, "{}")
        files_api.make_directories(f"{ROOT}/not_ours")
        files_api.files[f"{ROOT}/not_ours/keep.json"] = b"{}"
        landing.clear()
        left = sorted(p for p in [*files_api.files, *files_api.directories] if p.startswith(ROOT))
        assert left == [
            ROOT,
            f"{ROOT}/_streamforge",
            f"{ROOT}/_streamforge/lock.json",
            f"{ROOT}/not_ours",
            f"{ROOT}/not_ours/keep.json",
        ]
        assert not landing.exists() and landing.read_manifest() == []
        # Writing again after clear() recreates the folders it removed.
        landing.write_file("a", 0, "id", json_format, [batch(1)], SCHEMA)
        assert f"{ROOT}/a/a-c000000-id.json" in files_api.files


@pytest.mark.parametrize(
    "dest", ["dbfs:/Volumes/main/demo/landing/energy", "/Volumes/main/demo/landing/energy/"]
)
def test_both_path_forms_name_the_same_place(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi, dest: str
) -> None:
    landing = make_landing(dest)
    assert landing.root == ROOT and repr(landing) == f"VolumeLanding('{ROOT}')"
    landing.write_text_atomic(STATE_PATH, "{}")
    assert STATE in files_api.files


def test_a_landing_at_the_volume_root(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    landing = make_landing("/Volumes/main/demo/landing")
    landing.write_file("t", 0, "id", get_format("json"), [batch(1)], SCHEMA)
    assert "/Volumes/main/demo/landing/t/t-c000000-id.json" in files_api.files

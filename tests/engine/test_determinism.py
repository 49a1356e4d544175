"""Same seed, schemas and start give byte-identical files; a chunk is a function of its index."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from tests.times import at

from streamforge import api
from streamforge.engine import seeding
from streamforge.engine.rows import BatchRequest, iter_chunks, make_chunk

TABLES = {
    "store": {
        "type": "dimension",
        "num_rows": 40,
        "columns": {
            "store_id": "int",
            "city": "string",
            "opened": "date",
            "region": {"type": "string", "format": "N|S|E|W"},
        },
    },
    "store_changes": {
        "type": "change_feed",
        "num_rows": 8,
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
        "num_rows": 300,
        "columns": {
            "sale_id": "long",
            "store_id": "int",
            "sold_at": "datetime",
            "amount": {"type": "decimal(9,2)", "min": 1, "max": 500, "anomaly_rate": 0.05},
            "qty": {"type": "int", "min": 1, "max": 9, "distribution": "zipf"},
            "email": {"type": "string", "null_rate": 0.1},
            "tags": {"type": "array", "items": {"type": "string", "format": "T-##"}},
            "attrs": {"type": "map", "keys": "string", "values": "double"},
            "code": {"type": "string", "format": "S-??##", "unique": True},
        },
    },
}
START = at("2026-01-01T00:00:00Z")


def landing_bytes(root: Path) -> dict[str, bytes]:
    """Every data file by relative path (the manifest's wall-clock `written_at` is left out)."""
    files = {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "_streamforge" not in p.parts
    }
    manifest = (root / "_streamforge" / "manifest.jsonl").read_text().splitlines()
    entries = [
        {k: v for k, v in json.loads(line).items() if k != "written_at"} for line in manifest
    ]
    files["manifest"] = json.dumps(entries).encode()
    return files


def generate(schema_dir: Path, out: Path, fmt: str, seed: int = 11, workers: int = 2) -> dict:
    api.generate(
        "lab",
        out,
        schema_dir=schema_dir,
        fmt=fmt,
        seed=seed,
        cycles=3,
        start=START,
        workers=workers,
    )
    return landing_bytes(out)


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_same_seed_gives_byte_identical_files(lab_dir, new_dir, fmt) -> None:
    schema_dir = lab_dir(TABLES)
    first = generate(schema_dir, new_dir("a"), fmt)
    second = generate(schema_dir, new_dir("b"), fmt, workers=1)
    assert len(first) == 1 + 1 + 3 * 2  # manifest, the dimension, 3 cycles of 2 streams
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_different_seed_gives_different_data(lab_dir, new_dir) -> None:
    schema_dir = lab_dir(TABLES)
    one = generate(schema_dir, new_dir("a"), "json", seed=1)
    two = generate(schema_dir, new_dir("b"), "json", seed=2)
    data = lambda files: [v for k, v in sorted(files.items()) if k != "manifest"]  # noqa: E731
    assert all(a != b for a, b in zip(data(one), data(two), strict=True))


def test_file_names_depend_on_seed_and_cycle_only(lab_dir, new_dir) -> None:
    schema_dir = lab_dir(TABLES)
    names = sorted(generate(schema_dir, new_dir("a"), "json"))
    assert sorted(generate(schema_dir, new_dir("b"), "json")) == names
    sale = [n for n in names if n.startswith("sale/")]
    assert [n.split("-")[1] for n in sale] == ["c000000", "c000001", "c000002"]


def request(run, table: str, rows: int, cycle: int = 1) -> BatchRequest:
    plan = run.plan.table(table)
    return run.session._request(plan, cycle, rows, 1 + rows * cycle, run.config.window(cycle))


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(seeding, "CHUNK_ROWS", 257)
    return 257


def test_chunks_are_the_same_in_any_order_and_in_parallel(run_lab, small_chunks) -> None:
    run = run_lab(TABLES)
    req = request(run, "sale", 2000)
    assert req.chunk_count == 8  # the batch really is cut
    in_order = [make_chunk(req, i) for i in range(req.chunk_count)]
    reverse = [make_chunk(req, i) for i in reversed(range(req.chunk_count))][::-1]
    threaded = list(iter_chunks(req, workers=2))
    for a, b, c in zip(in_order, reverse, threaded, strict=True):
        assert a.batch.equals(b.batch) and a.batch.equals(c.batch)
        assert a.anomalies == b.anomalies == c.anomalies
    assert sum(c.batch.num_rows for c in in_order) == 2000
    keys = pa.concat_arrays([c.batch.column("sale_id") for c in in_order]).to_pylist()
    assert keys == list(range(req.first_key, req.first_key + 2000))


def test_a_chunk_depends_only_on_its_index(run_lab, small_chunks) -> None:
    run = run_lab(TABLES)
    req = request(run, "sale", 1000)
    chunks = [make_chunk(req, i) for i in range(req.chunk_count)]
    assert not chunks[0].batch.equals(chunks[1].batch.slice(0, chunks[0].batch.num_rows))
    assert make_chunk(req, 2).batch.equals(chunks[2].batch)
    other_cycle = request(run, "sale", 1000, cycle=2)
    assert not make_chunk(other_cycle, 2).batch.equals(chunks[2].batch)


def test_dimension_chunks_agree_with_the_session(run_lab, small_chunks) -> None:
    tables = {**TABLES, "store": {**TABLES["store"], "num_rows": 1000}}
    run = run_lab(tables, workers=2)
    plan = run.plan.table("store")
    req = run.session._request(plan, 0, 1000, 1, (0, 0))
    rebuilt = pa.Table.from_batches([make_chunk(req, i).batch for i in reversed(range(4))][::-1])
    assert rebuilt.equals(run.table("store"))


def test_threads_do_not_change_a_run(run_lab, small_chunks) -> None:
    one = run_lab(TABLES, cycles=2, workers=1)
    two = run_lab(TABLES, cycles=2, workers=2)
    assert one.outputs.keys() == two.outputs.keys()
    for key in one.outputs:
        assert one.outputs[key].data.equals(two.outputs[key].data), key


def test_parquet_joined_from_parts_encoded_in_parallel_is_byte_identical(
    lab_dir, new_dir, monkeypatch
) -> None:
    import pyarrow.parquet as pq

    from streamforge.sinks import fmt_parquet

    monkeypatch.setattr(seeding, "CHUNK_ROWS", 97)  # many chunks, made in parallel
    monkeypatch.setattr(fmt_parquet, "PART_ROWS", 40)  # each cut into parts, encoded in parallel
    schema_dir, out = lab_dir(TABLES), new_dir("a")
    first = generate(schema_dir, out, "parquet")
    second = generate(schema_dir, new_dir("b"), "parquet", workers=1)
    assert first == second
    sale = next(name for name in first if name.startswith("sale/"))
    assert pq.ParquetFile(out / sale).metadata.num_row_groups > 2

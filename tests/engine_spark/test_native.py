"""What executors run with the native writer, without Spark: each chunk number becomes one part
file written with the local engine's format code, so the parts of a cycle hold the local engine's
file content; only (chunk, rows, bytes, counts) go back to the driver. And the writer choice
refuses what it cannot do, with the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from tests.engine_spark.test_kernel import fact_request

from streamforge.cli import main
from streamforge.engine.rows import make_chunk
from streamforge.engine_spark.kernel import counts_of
from streamforge.engine_spark.native import (
    check_writer,
    chunks_per_part,
    cycle_folder,
    part_chunks,
    write_parts,
)
from streamforge.errors import StreamForgeError
from streamforge.landing_write import file_id
from streamforge.sinks.formats import get_format
from streamforge.sinks.landing import data_file_path
from streamforge.sinks.local import write_data_file

SCHEMA = Path(__file__).resolve().parents[2] / "schema"


@pytest.mark.parametrize("fmt_name", ["json", "csv", "parquet"])
def test_the_parts_hold_the_local_engines_file(tmp_path: Path, fmt_name: str) -> None:
    fmt = get_format(fmt_name)
    request = fact_request("Retail", "order_lines", rows=140_000)  # three chunks
    assert request.chunk_count == 3
    folder = tmp_path / "parts"
    numbers = pa.record_batch({"id": pa.array([1, 0], pa.int64())})  # parts, in any order
    back = pa.Table.from_batches(list(write_parts(request, folder, fmt, 2, [numbers])))
    chunks = [make_chunk(request, i) for i in range(3)]
    local = tmp_path / "local" / f"file.{fmt.extension}"  # as LocalLanding writes a cycle
    write_data_file(local, fmt, [c.batch for c in chunks], chunks[0].batch.schema)

    parts = sorted(folder.iterdir())  # two chunks per part: chunks 0-1, then chunk 2
    assert [p.name for p in parts] == [f"part-{i:06d}.{fmt.extension}" for i in (0, 2)]
    data = [p.read_bytes() for p in parts]
    if fmt_name == "json":  # JSON lines: the local file is the parts one after another
        assert b"".join(data) == local.read_bytes()
    elif fmt_name == "csv":  # one header per part
        header = data[0].split(b"\n", 1)[0] + b"\n"
        assert all(d.startswith(header) for d in data)
        assert header + b"".join(d[len(header) :] for d in data) == local.read_bytes()
    else:
        read = pa.concat_tables([pq.read_table(p) for p in parts])
        assert read.equals(pq.read_table(local))

    assert back.column("part").to_pylist() == [1, 0]
    by_part = {row["part"]: row for row in back.to_pylist()}
    for part, held in ((0, chunks[:2]), (1, chunks[2:])):
        row = by_part[part]
        assert row["chunks"] == len(held)
        assert row["rows"] == sum(c.batch.num_rows for c in held)
        assert row["bytes"] == parts[part].stat().st_size
        assert json.loads(row["counts"]) == [counts_of(c) for c in held]
    assert not [p for p in folder.iterdir() if p.name.startswith((".", "_"))]


@pytest.mark.parametrize(
    ("count", "cores", "per"),
    [(153, 2, 4), (2, 2, 1), (7, 2, 1), (8, 2, 2), (1, 64, 1), (10_000, 64, 4)],
)
def test_a_part_holds_up_to_four_chunks_leaving_two_parts_per_core(count, cores, per) -> None:
    assert chunks_per_part(count, cores) == per
    parts = [part_chunks(p, per, count) for p in range(-(-count // per))]
    assert [n for r in parts for n in r] == list(range(count))  # every chunk once, in order
    assert len(parts) >= min(count, 2 * cores) or per == 1


def test_a_cycle_folder_is_the_local_file_name_without_its_extension() -> None:
    local = data_file_path("orders", 7, file_id(3, 7), "json")
    assert cycle_folder("orders", 7, 3) + ".json" == local


@pytest.mark.parametrize(
    ("root", "fmt", "writer", "fix"),
    [
        ("/tmp/x", "delta", "native", "generate_spark_tables(...)"),
        ("s3://bucket/landing", "json", "native", "Write to a Unity Catalog Volume"),
        ("abfss://c@a.dfs.core.windows.net/x", "csv", "native", "a abfss: URI is no file system"),
        ("/tmp/x", "csv", "spark", "--engine spark writes json or parquet, not csv"),
        ("/tmp/x", "json", "arrow", "must be one of native, spark, not 'arrow'"),
    ],
)
def test_the_writer_refuses_what_it_cannot_write(root: str, fmt: str, writer: str, fix: str):
    with pytest.raises(StreamForgeError) as caught:
        check_writer(root, get_format(fmt), writer)
    assert fix in str(caught.value)


def test_the_cli_refuses_a_format_before_spark_starts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["generate", "Retail", "--schema-dir", str(SCHEMA), "--out", str(out)]
    env = {"COLUMNS": "200", "NO_COLOR": "1"}
    for extra, message in [
        (["--format", "csv", "--spark-writer", "spark"], "writes json or parquet, not csv"),
        (["--format", "delta"], "generate_spark_tables(...)"),
    ]:
        result = CliRunner().invoke(main, [*args, "--engine", "spark", *extra], env=env)
        assert result.exit_code != 0
        assert message in " ".join(result.output.split())
        assert "Traceback" not in result.output
        assert not out.exists()
    result = CliRunner().invoke(main, [*args, "--spark-writer", "jvm"], env=env)
    assert result.exit_code == 2
    assert "'jvm' is not one of 'native', 'spark'" in result.output

"""The Spark engine on local pyspark writes the local engine's rows: every shipped sector, json
and parquet with both writers (the executors' native one, csv too; Spark's), three cycles, table
by table and file by file, read back with one reader; the manifest counts match; `verify` accepts
the Spark-written landing; the table variant holds the same rows; `run --engine spark` continues
a run like the local engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner
from tests.times import at

from streamforge import api
from streamforge.cli import main
from streamforge.pipelines.local_spark import spark_available
from streamforge.readback import read_landing
from streamforge.sectors import sector_names

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available(), reason="needs pyspark and Java"),
]

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
SECTORS = sector_names(SCHEMA)  # every shipped sector, a new one included
assert len(SECTORS) >= 5, SECTORS
START = at("2026-01-01T00:00:00Z")
COUNTS = ("table", "kind", "cycle", "rows", "anomalies", "anomalous_rows", "faults", "format")


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    from streamforge.engine_spark.start import local_session

    session = local_session("local[2]", tmp_path_factory.mktemp("spark"))
    yield session
    session.stop()


def local_and_spark(spark, tmp: Path, sector: str, fmt: str, cycles: int = 3, writer="native"):
    from streamforge.engine_spark import generate_spark

    args = dict(seed=11, cycles=cycles, start=START, interval=30.0)
    api.generate(sector, tmp / "local", schema_dir=SCHEMA, fmt=fmt, **args)
    generate_spark(spark, SCHEMA, sector, out=str(tmp / "spark"), fmt=fmt, writer=writer, **args)
    return tmp / "local", tmp / "spark"


# The executors' writer (the default) in every file format; Spark's writers in theirs.
WRITES = [
    ("native", "json"),
    ("native", "parquet"),
    ("native", "csv"),
    ("spark", "json"),
    ("spark", "parquet"),
]


@pytest.mark.parametrize(("writer", "fmt"), WRITES)
@pytest.mark.parametrize("sector", SECTORS)
def test_spark_writes_the_local_engines_rows(spark, tmp_path, sector: str, writer: str, fmt: str):
    local, remote = local_and_spark(spark, tmp_path, sector, fmt, writer=writer)
    plan = api.load_plan(sector, SCHEMA)
    mine, theirs = read_landing(local, plan), read_landing(remote, plan)
    assert sum(len(files) for files in mine.values()) == len(plan.dimensions) + 3 * len(
        plan.streams
    )
    for table in plan.tables:
        assert [f.cycle for f in theirs[table.name]] == [f.cycle for f in mine[table.name]]
        for ours, spark_file in zip(mine[table.name], theirs[table.name], strict=True):
            assert spark_file.path.is_dir()  # a folder of part files per table and cycle
            # No _SUCCESS, no .crc, no temporary file left: only data files.
            assert all(p.name.startswith("part-") for p in spark_file.path.iterdir())
            where = f"{table.name} cycle {ours.cycle}"
            assert spark_file.data.num_rows == ours.data.num_rows, where
            assert _sorted(spark_file.data).equals(_sorted(ours.data)), where
            # Spark keeps the chunks' order too: parts in name order are the chunks in order.
            assert spark_file.data.equals(ours.data), where
            assert {k: spark_file.manifest[k] for k in COUNTS} == {
                k: ours.manifest[k] for k in COUNTS
            }, where
            assert spark_file.manifest["bytes"] > 0
    report = api.verify(sector, remote, SCHEMA)
    assert report.ok, report
    # its manifest lets verify draw the hidden inputs again (Energy's kWh, Finance's merchants)
    assert not report.unjudged.get("expressions"), report.notes
    assert not report.unjudged.get("checks"), report.notes


def _sorted(table: pa.Table) -> pa.Table:
    keys = [(n, "ascending") for n, t in zip(table.column_names, table.schema.types, strict=True)
            if not pa.types.is_nested(t)]  # fmt: skip
    return table.sort_by(keys)


@pytest.mark.parametrize("writer", ["native", "spark"])
def test_spark_reads_what_it_wrote_as_auto_loader_does(spark, tmp_path: Path, writer: str) -> None:
    """A table folder holds one folder per cycle; Auto Loader lists recursively, Spark's plain
    file source with `recursiveFileLookup`."""
    _, remote = local_and_spark(spark, tmp_path, "Retail", "json", cycles=2, writer=writer)
    entries = [json.loads(line) for line in (remote / "_streamforge/manifest.jsonl").open()]
    rows = sum(e["rows"] for e in entries if e["table"] == "orders")
    frame = spark.read.option("recursiveFileLookup", "true").json(str(remote / "orders"))
    assert frame.count() == rows == 3000


def test_the_table_variant_holds_the_same_rows(spark, tmp_path: Path) -> None:
    from streamforge.engine_spark import generate_spark_tables

    args = dict(seed=11, cycles=2, start=START)
    local = tmp_path / "local"
    api.generate("Retail", local, schema_dir=SCHEMA, fmt="parquet", **args)
    spark.sql("CREATE DATABASE IF NOT EXISTS sf_tables")
    result = generate_spark_tables(
        spark, SCHEMA, "Retail", database="sf_tables", table_format="parquet", **args
    )
    plan = api.load_plan("Retail", SCHEMA)
    mine = read_landing(local, plan)
    assert {f.path for f in result.files} == {f"sf_tables.{t.name}" for t in plan.tables}
    for table in plan.tables:
        ours = pa.concat_tables([f.data for f in mine[table.name]])
        theirs = spark.table(f"sf_tables.{table.name}").toArrow()
        assert _sorted(theirs.cast(ours.schema)).equals(_sorted(ours)), table.name
        assert sum(f.rows for f in result.files if f.table == table.name) == ours.num_rows


@pytest.mark.parametrize("writer", ["native", "spark"])
def test_run_with_the_spark_engine_continues_and_verifies(spark, tmp_path: Path, writer: str):
    out = tmp_path / "run"
    base = ["run", "Retail", "--schema-dir", str(SCHEMA), "--out", str(out), "--interval", "0.05"]
    base += ["--engine", "spark", "--spark-writer", writer]
    for _ in range(2):  # the second invocation resumes from the checkpoint
        result = CliRunner().invoke(main, [*base, "--cycles", "2"])
        assert result.exit_code == 0, result.output
    assert "resumed" in result.output
    entries = [json.loads(line) for line in (out / "_streamforge/manifest.jsonl").open()]
    assert sorted({e["cycle"] for e in entries if e["kind"] != "dimension"}) == [0, 1, 2, 3]
    assert all((out / e["file"]).is_dir() for e in entries)
    assert api.verify("Retail", out, SCHEMA).ok

"""Spark reads the Parquet files StreamForge joins from separately encoded row groups."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from tests.times import at

from streamforge import api
from streamforge.pipelines.local_spark import spark_available
from streamforge.sinks import fmt_parquet

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available(), reason="needs pyspark and Java"),
]


def test_spark_reads_every_row_group_of_a_joined_parquet_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # scale 50: a 150,000-row customer dimension (3 row groups of 65,536 rows at most) and a
    # change feed with lists.
    monkeypatch.setattr(fmt_parquet, "PART_ROWS", 1 << 16)
    api.generate("Energy", tmp_path, schema_dir=ROOT / "schema", fmt="parquet", scale=50)
    files = {t: next((tmp_path / t).glob("*.parquet")) for t in ("customer", "customer_changes")}
    assert pq.ParquetFile(files["customer"]).metadata.num_row_groups >= 3

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        for table, path in files.items():
            expected = pq.read_table(path)
            key = expected.column_names[0]
            frame = spark.read.parquet(str(path))
            assert frame.columns == expected.column_names
            summary = frame.selectExpr(
                "count(*)", f"count(distinct {key})", f"sum({key})", "count(email)"
            ).first()
            assert list(summary) == [
                expected.num_rows,
                len(pc.unique(expected.column(key))),
                pc.sum(expected.column(key)).as_py(),
                expected.num_rows - expected.column("email").null_count,
            ], table
            last = frame.orderBy(key, ascending=False).first().asDict()
            row = expected.take(pa.array([pc.index(expected.column(key), last[key]).as_py()]))
            assert last["email"] == row.column("email")[0].as_py(), table
    finally:
        spark.stop()


def test_spark_reads_delta_encoded_columns_as_the_same_values(tmp_path: Path) -> None:
    """Keys, event times and dates are DELTA_BINARY_PACKED (fmt_parquet._delta_encoded): Spark's
    vectorized reader must give back every value pyarrow does."""
    api.generate(
        "Energy", tmp_path, schema_dir=ROOT / "schema", fmt="parquet", scale=20, cycles=2,
        start=at("2026-01-01T00:00:00Z"),
    )  # fmt: skip
    files = sorted(tmp_path.glob("[!_]*/*.parquet"))
    delta = 0
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        for path in files:
            metadata = pq.ParquetFile(path).metadata
            group = metadata.row_group(0)
            delta += sum(
                "DELTA_BINARY_PACKED" in group.column(i).encodings for i in range(group.num_columns)
            )
            expected = pq.read_table(path)
            flat = [
                f.name
                for f in expected.schema
                if not pa.types.is_nested(f.type) and not pa.types.is_decimal(f.type)
            ]
            got = spark.read.parquet(str(path)).select(*flat).toArrow()
            want = expected.select(flat)
            key = flat[0]
            got, want = got.sort_by(key), want.sort_by(key)
            for name in flat:
                a, b = got.column(name), want.column(name)
                if pa.types.is_timestamp(b.type):  # Spark gives timestamps back in UTC
                    a, b = a.cast(pa.int64()), b.cast(pa.int64())
                assert a.cast(b.type).to_pylist() == b.to_pylist(), (path.name, name)
    finally:
        spark.stop()
    assert delta >= len(files)  # every table has at least one key, time or date delta-encoded

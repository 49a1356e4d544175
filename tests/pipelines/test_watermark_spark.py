"""The Databricks Python silver de-duplicates the same rows as the SQL silver, on a real Spark.

Auto Loader and the pipeline runtime exist only on Databricks, so the generated Python module is
run here with what it needs from them replaced: `dp` records what each decorator says, and
`spark.readStream.table("bronze_...")` is a JSON file stream over the landing folder, fed one
cycle's file per micro-batch (the worst case for a watermark). Everything else, the silver and
`late_*` functions and their expectations, is the generated code, run by Structured Streaming.
The SQL silver is the generated SQL query, run on the same rows.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from streamforge import api
from streamforge.pipelines.local_spark import spark_available

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"
FACT = "meter_readings"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available(), reason="needs pyspark and Java"),
]


class Pipelines:
    """Stands in for `pyspark.pipelines`: every decorator notes its call on the function."""

    def __getattr__(self, api_name: str):
        def call(*args, **kwargs):
            def decorate(function):
                function.__dict__.setdefault("dp", []).append((api_name, args, kwargs))
                return function

            return decorate

        return call


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    api.generate("Energy", root, schema_dir=SCHEMA, cycles=5, interval=120, scale=0.3)
    return root


def generated(landing: Path, language: str, interval: float | None) -> str:
    files = api.pipeline(
        "Energy",
        None,
        schema_dir=SCHEMA,
        language=language,
        landing=str(landing),
        interval=interval,
    ).files
    return files[f"transformations/streamforge_energy.{'py' if language == 'python' else 'sql'}"]


def python_silver(spark, landing: Path, tmp: Path, code: str) -> tuple[set, set]:
    """Run the generated silver stream cycle by cycle; then its late_* view. Returns the keys of
    silver and of late_*."""
    from pyspark.sql import functions as F

    plan = api.load_plan("Energy", SCHEMA)
    key, event = plan.table(FACT).primary_key, plan.table(FACT).event_time
    ddl = _bronze_schema(code, FACT)
    feed = tmp / "feed"
    feed.mkdir()

    def bronze_stream():
        return (
            spark.readStream.schema(ddl)
            .option("maxFilesPerTrigger", 1)
            .json(str(feed))
            .select("*", F.lit(None).cast("string").alias("_rescued_data"))  # as Auto Loader
            .select("*", F.col("_metadata.file_path").alias("_source_file"))
            .select("*", F.current_timestamp().alias("_ingested_at"))
        )

    tables = {}
    shim = SimpleNamespace(
        conf=SimpleNamespace(get=lambda name: str(landing)),
        readStream=SimpleNamespace(table=lambda name: bronze_stream()),
        read=SimpleNamespace(table=lambda name: tables[name]),
        sql=spark.sql,
    )
    module = {"spark": shim, "dp": Pipelines(), "__name__": "generated"}
    exec(compile(code.replace("from pyspark import pipelines as dp\n", ""), "gen", "exec"), module)
    silver = module[f"silver_{FACT}"]
    drop = [
        cond
        for api_name, args, _ in silver.__dict__["dp"]
        if api_name == "expect_all_or_drop"
        for cond in args[0].values()
    ]
    stream = silver()
    for condition in drop:  # what the runtime does with expect_all_or_drop
        stream = stream.where(f"coalesce({condition}, false)")
    query = stream.writeStream.format("memory").queryName("silver_stream").start()
    try:
        for path in sorted((landing / FACT).glob("*.json")):  # one cycle per micro-batch
            shutil.copy(path, feed / path.name)
            query.processAllAvailable()
    finally:
        query.stop()
    tables[f"silver_{FACT}"] = spark.table("silver_stream")
    tables[f"bronze_{FACT}"] = (
        spark.read.schema(ddl)
        .json(str(landing / FACT))
        .selectExpr("*", "CAST(NULL AS STRING) AS _rescued_data")
    )
    late = module[f"late_{FACT}"]()
    keys = {r[key] for r in tables[f"silver_{FACT}"].select(key).collect()}
    assert event in tables[f"silver_{FACT}"].columns
    return keys, {r[key] for r in late.select(key).collect()}


def sql_silver(spark, landing: Path, code: str) -> set:
    """The generated SQL silver: its query over the same rows, then its drop constraints."""
    statement = next(s for s in code.split(";\n") if f" silver_{FACT} (" in s)
    query = statement[statement.index("\nAS SELECT") + 4 :]
    drop = re.findall(r"CONSTRAINT \w+ EXPECT \((.+)\) ON VIOLATION DROP ROW", statement)
    ddl = _bronze_schema(generated(landing, "python", None), FACT)
    spark.read.schema(ddl).json(str(landing / FACT)).selectExpr(
        "*",
        "CAST(NULL AS STRING) AS _rescued_data",  # what Auto Loader's rescuedDataColumn adds
        "_metadata.file_path AS _source_file",
        "current_timestamp() AS _ingested_at",
    ).createOrReplaceTempView(f"bronze_{FACT}")
    rows = spark.sql(query)
    for condition in drop:
        rows = rows.where(f"coalesce({condition}, false)")
    key = api.load_plan("Energy", SCHEMA).table(FACT).primary_key
    return {r[key] for r in rows.select(key).collect()}


def _bronze_schema(code: str, table: str) -> str:
    block = code[code.index(f"def bronze_{table}():") :]
    return re.search(r'"cloudFiles.schemaHints", (\'[^\']*\')', block)[1].strip("'")


def test_python_and_sql_silver_keep_the_same_rows(spark, landing, tmp_path):
    sql_keys = sql_silver(spark, landing, generated(landing, "sql", None))
    silver, late = python_silver(spark, landing, tmp_path, generated(landing, "python", None))
    assert silver == sql_keys  # the watermark read from the landing (120 s) drops nothing
    assert late == set()


def test_rows_behind_a_short_watermark_are_kept_in_late(spark, landing, tmp_path):
    # A pipeline told the run was 10 s apart waits 60 s: a 120-s run's late rows fall behind.
    sql_keys = sql_silver(spark, landing, generated(landing, "sql", None))
    silver, late = python_silver(spark, landing, tmp_path, generated(landing, "python", 10))
    assert late and silver < sql_keys  # the stream dropped rows ...
    assert silver | late == sql_keys and not silver & late  # ... and none of them is lost

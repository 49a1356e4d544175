"""The local Spark Declarative Pipelines harness runs a real pipeline, twice, and reads it back.

The project below is the smallest one with every dataset kind the `spark` target generates: a
streaming table fed by JSON files (explicit schema), Python and SQL materialized views (one with
a window function), a streaming table built from `create_streaming_table` + `append_flow`, a SQL
streaming table over `STREAM(...)`, and the landing path handed over through the spec's
`configuration:` (`spark.conf.get` in Python, `${...}` in SQL).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from streamforge.pipelines.local_spark import (
    PipelineRunError,
    read_table,
    row_counts,
    run_pipeline,
    spark_available,
    stop_server,
    table_path,
)

needs_spark = pytest.mark.skipif(not spark_available(), reason="needs pyspark[pipelines] and Java")

LANDING_KEY = "streamforge.landing"

ORDERS_PY = """\
from pyspark import pipelines as dp
from pyspark.sql import Window
from pyspark.sql import functions as F

LANDING = spark.conf.get("streamforge.landing")  # the spec's `configuration:`
ORDER_SCHEMA = "order_id BIGINT, customer_id STRING, amount DOUBLE, ts TIMESTAMP"


@dp.table(comment="bronze: every landed JSON record, once")
def orders_bronze():
    return (
        spark.readStream.format("json")
        .schema(ORDER_SCHEMA)
        .load(f"{LANDING}/orders")
        .select("*", F.col("_metadata.file_name").alias("source_file"))
    )


@dp.materialized_view
def orders_by_customer():
    return (
        spark.read.table("orders_bronze")
        .groupBy("customer_id")
        .agg(F.count("*").alias("orders"), F.sum("amount").alias("total"))
    )


@dp.materialized_view
def latest_order():
    # select(), not withColumn(): withColumn/withColumns/withColumnRenamed on a pipeline dataset
    # lose the dependency once the table exists, and the view then reads last run's data
    newest_first = Window.partitionBy("customer_id").orderBy(F.desc("ts"), F.desc("order_id"))
    return (
        spark.read.table("orders_bronze")
        .select("order_id", "customer_id", "ts", F.row_number().over(newest_first).alias("rn"))
        .where("rn = 1")
        .select("customer_id", "order_id", "ts")
    )


dp.create_streaming_table("orders_all")


@dp.append_flow(target="orders_all")
def orders_all_from_bronze():
    return spark.readStream.table("orders_bronze").select("order_id", "customer_id", "amount")
"""

GOLD_SQL = """\
CREATE MATERIALIZED VIEW customer_totals_sql AS
SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total
FROM orders_bronze
GROUP BY customer_id;

CREATE STREAMING TABLE big_orders_sql AS
SELECT order_id, customer_id, amount FROM STREAM(orders_bronze) WHERE amount >= 50;

CREATE MATERIALIZED VIEW landing_echo_sql AS
SELECT '${streamforge.landing}' AS landing;
"""

DATASETS = [
    "orders_bronze",
    "orders_by_customer",
    "latest_order",
    "orders_all",
    "customer_totals_sql",
    "big_orders_sql",
    "landing_echo_sql",
]


def write_project(root: Path) -> Path:
    project = root / "project"
    (project / "transformations").mkdir(parents=True)
    (root / "landing" / "orders").mkdir(parents=True)
    # JSON strings are YAML scalars: paths need no escaping
    spec = f"""\
name: streamforge_smoke
storage: {json.dumps((root / "storage").as_uri())}
configuration:
  {LANDING_KEY}: {json.dumps(str(root / "landing"))}
libraries:
  - glob:
      include: transformations/**
"""
    (project / "spark-pipeline.yml").write_text(spec, encoding="utf-8")
    (project / "transformations" / "orders.py").write_text(ORDERS_PY, encoding="utf-8")
    (project / "transformations" / "gold.sql").write_text(GOLD_SQL, encoding="utf-8")
    return project


def land_orders(root: Path, batch: int, first: int, count: int) -> None:
    """Orders first..first+count-1 for customers c0..c2, each a second newer than the last."""
    rows = [
        {
            "order_id": i,
            "customer_id": f"c{i % 3}",
            "amount": float(i * 10),
            "ts": f"2024-01-01T00:00:{i:02d}Z",
        }
        for i in range(first, first + count)
    ]
    path = root / "landing" / "orders" / f"batch-{batch:03d}.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def expected(order_ids: range) -> dict[str, object]:
    totals: dict[str, tuple[int, float]] = {}
    latest: dict[str, int] = {}
    for i in order_ids:
        key = f"c{i % 3}"
        n, total = totals.get(key, (0, 0.0))
        totals[key] = (n + 1, total + i * 10)
        latest[key] = max(latest.get(key, 0), i)
    return {
        "totals": sorted((k, n, t) for k, (n, t) in totals.items()),
        "latest": sorted(latest.items()),
        "big": sorted(i for i in order_ids if i * 10 >= 50),
    }


def check_results(work: Path, root: Path, order_ids: range) -> None:
    want = expected(order_ids)
    bronze = read_table(work, "orders_bronze")
    assert sorted(bronze.column("order_id").to_pylist()) == list(order_ids)  # each row once
    for name in ("orders_by_customer", "customer_totals_sql"):
        got = read_table(work, name).to_pylist()
        assert sorted((r["customer_id"], r["orders"], r["total"]) for r in got) == want["totals"]
    latest = read_table(work, "latest_order").to_pylist()
    assert sorted((r["customer_id"], r["order_id"]) for r in latest) == want["latest"]
    assert sorted(read_table(work, "orders_all").column("order_id").to_pylist()) == list(order_ids)
    assert sorted(read_table(work, "big_orders_sql").column("order_id").to_pylist()) == want["big"]
    assert read_table(work, "landing_echo_sql").to_pylist() == [{"landing": str(root / "landing")}]


@pytest.mark.slow
@needs_spark
@pytest.mark.parametrize("reuse_server", [False, True], ids=["fresh-jvm", "reused-server"])
def test_pipeline_runs_incrementally_and_reads_back(tmp_path: Path, reuse_server: bool) -> None:
    project, work = write_project(tmp_path), tmp_path / "work"
    land_orders(tmp_path, 1, first=1, count=4)
    land_orders(tmp_path, 2, first=5, count=2)
    try:
        dry = run_pipeline(project, work, dry_run=True, reuse_server=reuse_server)
        assert not (work / "warehouse" / "orders_bronze").exists(), "a dry run writes nothing"

        first = run_pipeline(project, work, reuse_server=reuse_server)
        assert set(first.flows.values()) == {"COMPLETED"}, first.flows
        assert len(first.flows) == len(DATASETS)  # one flow per dataset, orders_all's is named
        check_results(work, tmp_path, range(1, 7))

        land_orders(tmp_path, 3, first=7, count=3)
        second = run_pipeline(project, work, reuse_server=reuse_server)
        check_results(work, tmp_path, range(1, 10))  # streaming tables gained only batch 3
        bronze = read_table(work, "orders_bronze").to_pylist()
        assert {r["source_file"] for r in bronze if r["order_id"] >= 7} == {"batch-003.json"}

        refreshed = run_pipeline(project, work, full_refresh=True, reuse_server=reuse_server)
        check_results(work, tmp_path, range(1, 10))  # recomputed from scratch, no duplicates
        assert row_counts(work, DATASETS)["orders_bronze"] == 9
    finally:
        stop_server(work)
    print(
        f"\n{'reused' if reuse_server else 'fresh'}: dry-run {dry.seconds:.1f}s, "
        f"run 1 {first.seconds:.1f}s, run 2 {second.seconds:.1f}s, "
        f"full refresh {refreshed.seconds:.1f}s"
    )


@pytest.mark.slow
@needs_spark
def test_broken_definitions_fail_with_the_meaningful_lines(tmp_path: Path) -> None:
    project, work = write_project(tmp_path), tmp_path / "work"
    land_orders(tmp_path, 1, first=1, count=3)
    broken = project / "transformations" / "broken.sql"
    try:
        run_pipeline(project, work, dry_run=True, reuse_server=True)  # the project is sound

        broken.write_text(
            "CREATE MATERIALIZED VIEW broken_mv AS\nSELECT no_such_column FROM orders_bronze;\n"
        )
        with pytest.raises(PipelineRunError) as failed:
            run_pipeline(project, work, dry_run=True, reuse_server=True)
        message = str(failed.value)
        assert message.startswith("pipeline dry run failed")
        assert "broken_mv" in message and "no_such_column" in message
        assert "UNRESOLVED_COLUMN" in message
        assert "\tat " not in message and len(message.splitlines()) <= 16
        assert "\tat org.apache.spark" in failed.value.run.output  # everything is still there

        broken.unlink()
        bad_python = project / "transformations" / "bad.py"
        bad_python.write_text("from pyspark import pipelines as dp\n\ndef oops(:\n    pass\n")
        with pytest.raises(PipelineRunError) as failed:
            run_pipeline(project, work, dry_run=True, reuse_server=True)
        assert f"while loading {bad_python}" in str(failed.value)
        assert "SyntaxError" in str(failed.value)
        bad_python.unlink()

        run_pipeline(project, work, dry_run=True, reuse_server=True)  # sound again
        assert not (work / "warehouse" / "orders_bronze").exists()
    finally:
        stop_server(work)


def test_table_path_follows_the_warehouse_layout(tmp_path: Path) -> None:
    warehouse = tmp_path.resolve() / "warehouse"
    assert table_path(tmp_path, "orders") == warehouse / "orders"
    assert table_path(tmp_path, "default.Orders") == warehouse / "orders"
    assert table_path(tmp_path, "spark_catalog.sales.orders") == warehouse / "sales.db" / "orders"
    assert table_path(tmp_path, "`sales`.`orders`") == warehouse / "sales.db" / "orders"


def test_read_table_honours_the_streaming_sink_log(tmp_path: Path) -> None:
    """Only files the `_spark_metadata` log commits are rows: a file a failed micro-batch left
    behind is not, and neither are `_SUCCESS` or hidden files."""
    table = table_path(tmp_path, "events")
    (table / "_spark_metadata").mkdir(parents=True)
    for name, ids in [("part-0.parquet", [1, 2]), ("part-1.parquet", [3]), ("orphan.parquet", [9])]:
        pq.write_table(pa.table({"id": ids}), table / name)
    (table / "_SUCCESS").touch()
    for batch, name in enumerate(["part-0.parquet", "part-1.parquet"]):
        entry = {"path": (table / name).as_uri(), "size": 1, "isDir": False, "action": "add"}
        (table / "_spark_metadata" / str(batch)).write_text("v1\n" + json.dumps(entry))
    assert sorted(read_table(tmp_path, "events").column("id").to_pylist()) == [1, 2, 3]

    plain = table_path(tmp_path, "view")  # a materialized view: every visible parquet file
    plain.mkdir()
    pq.write_table(pa.table({"id": [1]}), plain / "part-0.parquet")
    (plain / "_SUCCESS").touch()
    assert row_counts(tmp_path, ["view", "events"]) == {"view": 1, "events": 3}
    with pytest.raises(FileNotFoundError, match="the warehouse has"):
        read_table(tmp_path, "missing")


def test_run_labels_every_dataset_with_its_layer() -> None:
    # `pipeline --run` prints each dataset's layer: the metrics view and the SCD2 history are not
    # dimensions of their own, and a dimension named like a layer stays a dimension.
    from streamforge.cli import dataset_layer

    dimensions = {"customer", "plant", "gold_tier"}
    expected = {
        "bronze_customer": "bronze",
        "silver_meter_readings": "silver",
        "quarantine_customer_changes": "quarantine",
        "gold_meter_readings_hourly": "gold",
        "customer": "dimension",
        "customer_history": "dimension",
        "gold_tier": "dimension",
        "expectations": "metrics",
    }
    assert {name: dataset_layer(name, dimensions) for name in expected} == expected

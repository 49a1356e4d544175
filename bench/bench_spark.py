"""Rows/s of the Spark engine on local[2], beside the local engine and dbldatagen, on the same
fact (electricity_production, Parquet) and the 100k-row customer dimension (smart fields).

The Spark engine runs twice: with its native writer (executors write the part files with
StreamForge's format code, the default) and with Spark's Parquet writer (`--spark-writer spark`).

Run by hand (not collected by pytest); see bench/README.md ("Spark engine"):

    python bench/bench_spark.py                              # 10M fact, 100k customer
    python bench/bench_spark.py --fact-rows 100000000 --dimension-rows 0   # the 100M fact
    python bench/bench_spark.py --dbldatagen-python /path/venv/bin/python
    python bench/bench_spark.py --engines spark-native dbldatagen          # a subset

Each run is a fresh process. Spark start-up (JVM, SparkContext) is timed apart from the table;
a warm-up of up to 1M rows in the same session starts the Python workers, compiles the JVM's hot
paths and builds the value pools before the clock starts (the local engine: 100k rows).
Dimensions the fact needs are written first, untimed. dbldatagen is never a StreamForge
dependency: give the Python of a venv that has it (made with `--system-site-packages`, so it
sees the same pyspark) or it is left out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_generate import (  # the bench folder is no package
    BENCH_SECTOR,
    DIMENSION,
    FACT,
    SEED,
    START,
    bench_sector,
    streamforge_run,
)
from scratch import scratch_dir

MASTER = "local[2]"
ENGINES = ("local", "spark-native", "spark-spark", "dbldatagen")
# Warm-up before the clock: the JVM compiles its hot paths over the first million rows or so
# (a 100k-row warm-up left the first timed 1M rows 3-5x slower); Python workers start and import.
WARMUP_ROWS = 1_000_000


def spark_engine_run(table: str, rows: int, work: Path, writer: str) -> dict[str, Any]:
    """One table through the Spark engine's writer, as `generate --engine spark --spark-writer
    <writer>` runs it: mapInArrow over the chunk kernel, then the executors write the parts
    (native) or Spark's Parquet writer does (spark)."""
    from streamforge import api
    from streamforge.engine.session import Session
    from streamforge.engine.settings import RunSettings
    from streamforge.engine_spark.native import landing_writer
    from streamforge.engine_spark.start import local_session
    from streamforge.plan.times import start_micros
    from streamforge.sinks.formats import get_format
    from streamforge.sinks.local import LocalLanding

    began = time.perf_counter()
    spark = local_session(MASTER, work / "spark")
    startup = time.perf_counter() - began
    fmt = get_format("parquet")

    def once(rows: int, folder: Path) -> float:
        plan = api.load_plan(BENCH_SECTOR, bench_sector(folder / "_schema", table, rows))
        settings = RunSettings(seed=SEED, start_us=start_micros(START))
        session = Session(plan, settings)
        landing = LocalLanding(folder / "landing")
        write = landing_writer(spark, str(folder / "landing"), fmt, writer)
        opening = (settings.start(),) * 2
        for output in session.dimensions():
            if output.table.name == table:
                window = opening
                break
            write(landing, output, fmt, SEED, opening)
        else:
            output = next(o for o in session.cycle(0) if o.table.name == table)
            window = settings.window(0)
        began = time.perf_counter()
        written = write(landing, output, fmt, SEED, window)
        seconds = time.perf_counter() - began
        assert written.rows == rows, (written.rows, rows)
        return seconds

    once(min(rows, WARMUP_ROWS), work / "warmup")
    seconds = once(rows, work / "run")
    spark.stop()
    return {"rows": rows, "seconds": seconds, "startup": startup}


def dbldatagen_run(table: str, rows: int, work: Path) -> dict[str, Any]:
    """The same columns with dbldatagen, written with Spark's Parquet writer; the customer's
    smart fields through dbldatagen's Faker text (a Python UDF: there is no vectorised one)."""
    import dbldatagen as dg
    from dbldatagen import fakerText

    from streamforge.engine_spark.start import local_session

    began = time.perf_counter()
    spark = local_session(MASTER, work / "spark")
    startup = time.perf_counter() - began
    partitions = max(2, -(-rows // 65_536))  # as many as the Spark engine's chunks

    def spec(rows: int) -> Any:
        gen = dg.DataGenerator(spark, rows=rows, partitions=partitions, randomSeed=SEED)
        if table == FACT:
            return (
                gen.withColumn("production_id", "long", expr="id + 1")
                .withColumn("plant_id", "long", minValue=1, maxValue=20, random=True)
                .withColumn("equipment_id", "long", minValue=1, maxValue=500, random=True)
                .withColumn(
                    "timestamp",
                    "timestamp",
                    begin="2026-01-01 00:00:00",
                    end="2026-01-01 00:00:30",
                    interval="1 millisecond",
                    random=True,
                )
                .withColumn("generation_mwh", "double", expr="round(rand() * 1000, 2)")
                .withColumn(
                    "weather_conditions",
                    "string",
                    values=["CLEAR", "CLOUDY", "RAINY", "STORMY", "SNOWY"],
                    random=True,
                )
            )
        gen = gen.withColumn("customer_id", "long", expr="id + 1")
        for name, provider in (("name", "name"), ("email", "email"), ("phone", "phone_number"),
                               ("address", "street_address"), ("city", "city"),
                               ("state", "state"), ("zip", "postcode")):  # fmt: skip
            gen = gen.withColumn(name, "string", text=fakerText(provider))
        return (
            gen.withColumn("customer_segment", "string", values=["RES", "COM", "IND"], random=True)
            .withColumn("meter_number", "string", template=r"MTR-dddd-dddd", random=True)
            .withColumn(
                "service_start_date",
                "date",
                data_range=dg.DateRange("2005-01-01 00:00:00", "2025-06-30 00:00:00", "days=1"),
                random=True,
            )
            .withColumn("billing_cycle_day", "int", minValue=1, maxValue=28, random=True)
            .withColumn(
                "paperless_billing",
                "boolean",
                values=[True, False],
                weights=[0.62, 0.38],
                random=True,
            )
            .withColumn(
                "payment_plan",
                "string",
                values=["STANDARD", "BUDGET_BILLING", "PREPAID", "TIME_OF_USE"],
                weights=[0.6, 0.2, 0.05, 0.15],
                random=True,
            )
        )

    def once(rows: int, folder: Path) -> float:
        frame = spec(rows).build()
        began = time.perf_counter()
        frame.write.mode("overwrite").parquet(str(folder / table))
        return time.perf_counter() - began

    once(min(rows, WARMUP_ROWS), work / "warmup")
    seconds = once(rows, work / "run")
    spark.stop()
    return {"rows": rows, "seconds": seconds, "startup": startup}


def child(kind: str, table: str, rows: int, work: Path) -> None:
    if kind == "local":
        result = streamforge_run(table, rows, "parquet", 2, work)
    elif kind.startswith("spark-"):
        result = spark_engine_run(table, rows, work, kind.removeprefix("spark-"))
    else:
        result = dbldatagen_run(table, rows, work)
    print(json.dumps(result))


def spawn(kind: str, table: str, rows: int, root: Path, python: str) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=root))
    command = [python, __file__, "--child", kind, "--table", table, "--rows", str(rows)]
    try:
        done = subprocess.run([*command, "--work", str(work)], capture_output=True, text=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} {table} {rows} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load"] = os.getloadavg()[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fact-rows", type=int, nargs="+", default=[10_000_000])
    parser.add_argument("--dimension-rows", type=int, default=100_000)
    parser.add_argument("--dbldatagen-python", help="python of a venv with dbldatagen")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--tmp", type=Path, default=None)
    parser.add_argument("--child")
    parser.add_argument("--table")
    parser.add_argument("--rows", type=int)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.table, args.rows, args.work)
        return
    root = scratch_dir(parser, args.tmp, "bench-spark-")
    python = {"dbldatagen": args.dbldatagen_python}
    engines = [(k, python.get(k, sys.executable)) for k in args.engines]
    engines = [(kind, exe) for kind, exe in engines if exe]  # dbldatagen only with its venv
    cases = [(FACT, rows) for rows in args.fact_rows if rows]
    cases += [(DIMENSION, args.dimension_rows)] if args.dimension_rows else []
    print(f"{os.cpu_count()} CPUs, master {MASTER}, load before: {os.getloadavg()[0]:.1f}")
    print("| table | rows | engine | rows/s | table s | Spark start s | load (1 min) |")
    print("|---|---|---|---|---|---|---|")
    try:
        for table, rows in cases:
            for kind, python in engines:
                r = spawn(kind, table, rows, root, python)
                start = f"{r['startup']:.1f}" if "startup" in r else "-"
                print(
                    f"| {table} | {rows:,} | {kind} | {rows / r['seconds']:,.0f} | "
                    f"{r['seconds']:.2f} | {start} | {r['load']:.1f} |",
                    flush=True,
                )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

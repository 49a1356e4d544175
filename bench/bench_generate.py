"""End-to-end throughput and peak memory of StreamForge, beside a naive Faker row-by-row loop.

Run by hand (not collected by pytest); see bench/README.md:

    python bench/bench_generate.py            # every case, 3 runs each, median
    python bench/bench_generate.py --quick    # skip the 10M and 50M-row cases

Every measured run is a fresh Python process, so each reports its own RSS high-water mark
(`resource.getrusage`) and no run inherits another's memory or caches. Timing covers the path
`streamforge.api.generate` takes for one table: Session -> write_output -> LocalLanding, i.e.
generation, encoding, writing and fsync of the file, plus its manifest line. Dimensions that a
fact needs are generated and written before the clock starts; pools are built by a warm-up run.

The machine is assumed noisy: compare the speed-ups (StreamForge / baseline, both measured in
the same invocation) rather than absolute rows/s across machines.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from scratch import scratch_dir  # the bench folder is no package

SECTOR = "Energy"
FACT = "electricity_production"
DIMENSION = "customer"
BENCH_SECTOR = "Bench"
START = datetime(2026, 1, 1, tzinfo=UTC)
SEED = 42
MEMORY_LIMIT = 1 << 30  # the 50M-row case must stay under 1 GiB of RSS


# ----------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    table: str  # FACT or DIMENSION
    rows: int
    fmt: str
    baseline_rows: int
    memory_check: bool = False  # the streaming case whose peak RSS must stay under the limit

    @property
    def label(self) -> str:
        if self.table == FACT:
            return f"{FACT} fact"
        return f"{DIMENSION} dimension (smart fields)"


def cases(quick: bool, fact_baseline: int, dim_baseline: int) -> list[Case]:
    out: list[Case] = []
    for rows in (1_000_000, 10_000_000):
        if quick and rows > 1_000_000:
            continue
        for fmt in ("parquet", "json", "csv"):
            out.append(Case(FACT, rows, fmt, fact_baseline))
    for fmt in ("parquet", "json"):
        out.append(Case(DIMENSION, 100_000, fmt, dim_baseline))
    if not quick:
        out.append(Case(FACT, 50_000_000, "parquet", fact_baseline, memory_check=True))
    return out


# ----------------------------------------------------------------------------- sector setup


def energy_dir() -> Path:
    here = Path(__file__).resolve().parents[1] / "schema" / SECTOR
    if here.is_dir():
        return here
    from streamforge import sectors

    return sectors.default_schema_dir() / SECTOR


def needed_tables(table: str) -> list[str]:
    """`table` and every dimension its foreign keys need, parents first."""
    from streamforge import api

    plan = api.load_plan(SECTOR, energy_dir().parent)
    wanted: list[str] = []

    def visit(name: str) -> None:
        for fk in plan.table(name).foreign_keys.values():
            parent = plan.entities[fk.entity].source
            if parent != name:
                visit(parent)
        if name not in wanted:
            wanted.append(name)

    visit(table)
    return wanted


def bench_sector(root: Path, table: str, rows: int) -> Path:
    """A sector folder with only `table` (its num_rows set to `rows`) and the dimensions it
    needs; returns the schema folder that holds it."""
    folder = root / "schema" / BENCH_SECTOR
    folder.mkdir(parents=True, exist_ok=True)
    for name in needed_tables(table):
        text = (energy_dir() / f"{name}.yml").read_text()
        if name == table:
            text, count = re.subn(r"(?m)^num_rows:.*$", f"num_rows: {rows}", text)
            assert count == 1, f"{name}.yml has no top-level num_rows line"
        (folder / f"{name}.yml").write_text(text)
    return folder.parent


# ----------------------------------------------------------------------------- StreamForge runs


def streamforge_run(table: str, rows: int, fmt: str, workers: int, work: Path) -> dict[str, Any]:
    """Time one table's batch through Session -> write_output -> LocalLanding."""
    from streamforge import api
    from streamforge.engine.session import Session
    from streamforge.engine.settings import RunSettings
    from streamforge.landing_write import write_output
    from streamforge.plan.times import start_micros
    from streamforge.sinks.formats import get_format
    from streamforge.sinks.local import LocalLanding

    file_format = get_format(fmt)

    def once(rows: int, landing_dir: Path) -> dict[str, Any]:
        schema_dir = bench_sector(landing_dir / "_schema", table, rows)
        plan = api.load_plan(BENCH_SECTOR, schema_dir)
        config = RunSettings(seed=SEED, start_us=start_micros(START), workers=workers)
        session = Session(plan, config)
        landing = LocalLanding(landing_dir / "landing")
        dimensions = session.dimensions()
        if plan.table(table).kind == "dimension":
            # Parents first (untimed), then the measured table.
            for output in dimensions:
                if output.table.name == table:
                    break
                write_output(landing, output, file_format, SEED, (config.start_us,) * 2)
            else:
                raise AssertionError(f"{table} is not a dimension of the bench sector")
            window = (config.start_us,) * 2
        else:
            for output in dimensions:  # every dimension first, untimed, as a run does
                write_output(landing, output, file_format, SEED, (config.start_us,) * 2)
            output = next(o for o in session.cycle(0) if o.table.name == table)
            window = config.window(0)
        settle_disk()
        cpu = _cpu_seconds()
        began = time.perf_counter()
        written = write_output(landing, output, file_format, SEED, window)
        seconds = time.perf_counter() - began
        cpu = _cpu_seconds() - cpu
        assert written.rows == rows, (written.rows, rows)
        return {"rows": rows, "seconds": seconds, "cpu_seconds": cpu}

    # Warm-up: builds value pools, starts thread pools, imports lazily loaded modules.
    once(min(rows, 100_000), work / "warmup")
    result = once(rows, work / "run")
    shutil.rmtree(work / "warmup")  # after the clock: deleting is not part of the run
    shutil.rmtree(work / "run")
    return result


def settle_disk() -> None:
    """Flush what earlier runs left to the kernel before the clock starts.

    Deleting a landing area makes the file system discard its blocks at the next journal
    commit (`/` is mounted with `discard` here), and a run timed during that commit saw its own
    writes slowed 2-6x: 20 MB of JSON took 50-100 ms to write instead of 8-17 ms. Every
    measurement (StreamForge and baseline) starts after `sync`.
    """
    os.sync()


def _cpu_seconds() -> float:
    """CPU time of this process, every thread, user and system (a noise-resistant second view)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ----------------------------------------------------------------------------- naive baselines

WEATHER = ("CLEAR", "CLOUDY", "RAINY", "STORMY", "SNOWY")
SEGMENTS = ("RES", "COM", "IND")
PAYMENT_PLANS = OrderedDict(
    [("STANDARD", 0.6), ("BUDGET_BILLING", 0.2), ("PREPAID", 0.05), ("TIME_OF_USE", 0.15)]
)


def fact_rows(fake: Any, rows: int, plants: int, equipment: int) -> Iterator[dict[str, Any]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(seconds=30)
    for index in range(rows):
        yield {
            "production_id": index + 1,
            "plant_id": fake.random_int(1, plants),
            "equipment_id": fake.random_int(1, equipment),
            "timestamp": fake.date_time_between_dates(start, end, tzinfo=UTC),
            "generation_mwh": round(fake.pyfloat(min_value=0, max_value=1000), 2),
            "weather_conditions": fake.random_element(WEATHER),
        }


def customer_rows(fake: Any, rows: int) -> Iterator[dict[str, Any]]:
    first_day, last_day = date(2005, 1, 1), date(2025, 6, 30)
    for index in range(rows):
        yield {
            "customer_id": index + 1,
            "name": fake.name(),
            "email": fake.email(),
            "phone": fake.phone_number(),
            "address": fake.address().replace("\n", ", "),
            "city": fake.city(),
            "state": fake.state(),
            "zip": fake.zipcode(),
            "customer_segment": fake.random_element(SEGMENTS),
            "meter_number": fake.bothify("MTR-####-####"),
            "service_start_date": fake.date_between_dates(first_day, last_day),
            "billing_cycle_day": fake.random_int(1, 28),
            "paperless_billing": fake.pybool(),
            "payment_plan": fake.random_element(PAYMENT_PLANS),
        }


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def baseline_write(rows: Iterator[dict[str, Any]], fmt: str, path: Path) -> int:
    """Write dict rows the way a hand-written generator would; returns the row count."""
    count = 0
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        records = list(rows)
        pq.write_table(pa.Table.from_pylist(records), path, compression="snappy")
        return len(records)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        if fmt == "json":
            for row in rows:
                stream.write(json.dumps({k: _text(v) for k, v in row.items()}) + "\n")
                count += 1
        elif fmt == "csv":
            writer = csv.writer(stream)
            for row in rows:
                if count == 0:
                    writer.writerow(row.keys())
                writer.writerow([_text(v) for v in row.values()])
                count += 1
        else:
            raise ValueError(fmt)
        stream.flush()
        os.fsync(stream.fileno())
    return count


def baseline_run(table: str, rows: int, fmt: str, work: Path) -> dict[str, Any]:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(SEED)
    if table == FACT:
        from streamforge import api

        plan = api.load_plan(SECTOR, energy_dir().parent)
        sizes = [plan.table(name).spec.num_rows for name in ("plant", "equipment")]

        def make(n: int) -> Iterator[dict[str, Any]]:
            return fact_rows(fake, n, *sizes)

    else:

        def make(n: int) -> Iterator[dict[str, Any]]:
            return customer_rows(fake, n)

    work.mkdir(parents=True, exist_ok=True)
    baseline_write(make(1000), fmt, work / f"warmup.{fmt}")
    settle_disk()
    cpu = _cpu_seconds()
    began = time.perf_counter()
    written = baseline_write(make(rows), fmt, work / f"run.{fmt}")
    seconds = time.perf_counter() - began
    cpu = _cpu_seconds() - cpu
    shutil.rmtree(work)
    return {"rows": written, "seconds": seconds, "cpu_seconds": cpu}


# ----------------------------------------------------------------------------- child process


def child(args: argparse.Namespace) -> None:
    work = Path(args.work)
    if args.child == "streamforge":
        result = streamforge_run(args.table, args.rows, args.fmt, args.workers, work)
    else:
        result = baseline_run(args.table, args.rows, args.fmt, work)
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    print(json.dumps(result))


def spawn(kind: str, table: str, rows: int, fmt: str, workers: int, root: Path) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=root))
    command = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--table",
        table,
        "--rows",
        str(rows),
        "--fmt",
        fmt,
        "--workers",
        str(workers),
        "--work",
        str(work),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} {table} {rows} {fmt} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- reporting


@dataclass
class Result:
    case: Case
    streamforge: list[dict[str, Any]] = field(default_factory=list)
    baseline: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def rate(runs: list[dict[str, Any]]) -> float:
        return statistics.median(r["rows"] / r["seconds"] for r in runs)

    @property
    def peak_rss(self) -> int:
        return max(r["peak_rss"] for r in self.streamforge)


def human_rate(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:.2f} M"
    if value >= 1e3:
        return f"{value / 1e3:.1f} k"
    return f"{value:.0f}"


def human_rows(value: int) -> str:
    return f"{value // 1_000_000}M" if value % 1_000_000 == 0 else f"{value // 1000}k"


def table_markdown(results: list[Result]) -> str:
    lines = [
        "| case | rows | format | StreamForge rows/s | baseline rows/s (rows) | speed-up "
        "| peak RSS |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for result in results:
        case = result.case
        ours, theirs = Result.rate(result.streamforge), Result.rate(result.baseline)
        rss = f"{result.peak_rss / 2**20:.0f} MiB"
        if case.memory_check:
            rss += " ✅ < 1 GiB" if result.peak_rss < MEMORY_LIMIT else " ❌ ≥ 1 GiB"
        lines.append(
            f"| {case.label} | {human_rows(case.rows)} | {case.fmt} | {human_rate(ours)} "
            f"| {human_rate(theirs)} ({human_rows(case.baseline_rows)}) | ×{ours / theirs:.0f} "
            f"| {rss} |"
        )
    return "\n".join(lines)


def environment(args: argparse.Namespace) -> str:
    import numpy
    import pyarrow

    return (
        f"{platform.python_implementation()} {platform.python_version()}, numpy {numpy.__version__}"
        f", pyarrow {pyarrow.__version__}, {os.cpu_count()} CPUs, workers={args.workers}, "
        f"median of {args.repeat} runs, each in a fresh process"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10M and 50M-row cases")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median reported)")
    parser.add_argument("--workers", type=int, default=2, help="engine worker threads")
    parser.add_argument("--fact-baseline-rows", type=int, default=50_000)
    parser.add_argument("--dim-baseline-rows", type=int, default=20_000)
    parser.add_argument(
        "--only", default="", help="run only cases whose 'table/rows/format' contains this text"
    )
    parser.add_argument("--tmp", default=None, help="folder for the landing files (default: TMP)")
    parser.add_argument("--json", default=None, help="also save every raw run to this file")
    # Internal: one measured run in a child process.
    parser.add_argument("--child", choices=("streamforge", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--table", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fmt", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    selected = [
        c
        for c in cases(args.quick, args.fact_baseline_rows, args.dim_baseline_rows)
        if args.only in f"{c.table}/{c.rows}/{c.fmt}"
    ]
    root = scratch_dir(parser, args.tmp, "streamforge-bench-")
    baselines: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    results: list[Result] = []
    log: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    try:
        for case in selected:
            result = Result(case)
            for attempt in range(args.repeat):
                run = spawn("streamforge", case.table, case.rows, case.fmt, args.workers, root)
                result.streamforge.append(run)
                log(
                    f"{case.table:<24} {human_rows(case.rows):>4} {case.fmt:<8} run {attempt + 1}:"
                    f" {human_rate(run['rows'] / run['seconds'])} rows/s "
                    f"({human_rate(run['rows'] / run['cpu_seconds'])} rows per CPU-second), "
                    f"peak RSS {run['peak_rss'] / 2**20:.0f} MiB"
                )
            key = (case.table, case.fmt, case.baseline_rows)
            if key not in baselines:
                baselines[key] = []
                for attempt in range(args.repeat):
                    run = spawn("baseline", case.table, case.baseline_rows, case.fmt, 1, root)
                    baselines[key].append(run)
                    log(
                        f"{'  baseline (Faker loop)':<24} {human_rows(case.baseline_rows):>4} "
                        f"{case.fmt:<8} run {attempt + 1}: "
                        f"{human_rate(run['rows'] / run['seconds'])} rows/s"
                    )
            result.baseline = baselines[key]
            results.append(result)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"\n{environment(args)}\n")
    print(table_markdown(results))
    if args.json:
        raw = [
            {"case": vars(r.case), "streamforge": r.streamforge, "baseline": r.baseline}
            for r in results
        ]
        Path(args.json).write_text(json.dumps(raw, indent=2))
    if any(r.case.memory_check and r.peak_rss >= MEMORY_LIMIT for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()

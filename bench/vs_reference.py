"""StreamForge against the hand-written numpy + pyarrow reference, whole process against whole
process, on the 10M-row Energy fact (issue 14.1).

Run by hand (not collected by pytest); see bench/README.md:

    python bench/vs_reference.py                          # 10M rows, 5 pairs, parquet json csv
    python bench/vs_reference.py --rows 1000000 --pairs 3 --formats parquet

The two commands run in turn, A B A B ..., each under `/usr/bin/time -v` (user and system CPU
seconds of the process and all its threads, peak RSS); the wall time is taken around the child.
On a shared machine only paired figures are stable, so the summary gives the median of the
per-pair ratios: speed = reference wall / StreamForge wall (above 1: StreamForge faster) and
CPU = StreamForge CPU / reference CPU (below 1: StreamForge cheaper). The load average is
printed beside them.

StreamForge runs `python -m streamforge generate` on a sector holding the fact (its num_rows set
to --rows) and the two dimensions its foreign keys need (plant: 120 rows, equipment: 500), so it
also writes those, their manifest lines and fsyncs every file: the reference writes the fact
only. Both outputs are deleted, and `sync` called, before every run, outside the clock. The
reference needs polars for ndjson and csv (`pip install polars`, or --reference-python with an
interpreter that has it).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scratch import scratch_dir  # the bench folder is no package

ROOT = Path(__file__).resolve().parents[1]
FACT = "electricity_production"
DIMENSIONS = ("plant", "equipment")
SECTOR = "Bench"
REFERENCE_FORMAT = {"parquet": "parquet", "json": "ndjson", "csv": "csv"}
TIME = "/usr/bin/time"


@dataclass(frozen=True)
class Run:
    wall: float  # seconds, around the child process
    cpu: float  # user + system seconds, all threads
    peak_mib: float  # maximum resident set size


def default_reference() -> Path | None:
    """`../shared/reference/sol_bench.py` beside the checkout (or beside its parent folder)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        candidate = base / "shared" / "reference" / "sol_bench.py"
        if candidate.is_file():
            return candidate
    return None


def bench_sector(folder: Path, rows: int) -> Path:
    """A schema folder with the sector `Bench`: the Energy fact at `rows` rows and its parents."""
    sector = folder / SECTOR
    sector.mkdir(parents=True, exist_ok=True)
    energy = ROOT / "schema" / "Energy"
    for name in DIMENSIONS:
        shutil.copy(energy / f"{name}.yml", sector / f"{name}.yml")
    text, count = re.subn(
        r"(?m)^num_rows:.*$", f"num_rows: {rows}", (energy / f"{FACT}.yml").read_text()
    )
    if count != 1:
        raise SystemExit(f"{energy / FACT}.yml has no top-level num_rows line")
    (sector / f"{FACT}.yml").write_text(text)
    return folder


def timed(command: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Run `command` under /usr/bin/time -v; exit status must be 0."""
    began = time.perf_counter()
    done = subprocess.run(
        [TIME, "-v", *command], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - began
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-4000:])
        raise SystemExit(f"command failed ({done.returncode}): {' '.join(command)}")

    def number(label: str) -> float:
        found = re.search(rf"^\s*{re.escape(label)}: ([0-9.]+)$", done.stderr, re.MULTILINE)
        if found is None:
            raise SystemExit(f"/usr/bin/time -v printed no '{label}'")
        return float(found.group(1))

    cpu = number("User time (seconds)") + number("System time (seconds)")
    return Run(wall, cpu, number("Maximum resident set size (kbytes)") / 1024)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--pairs", type=int, default=5, help="counted A B pairs per format")
    parser.add_argument("--formats", default="parquet,json,csv")
    parser.add_argument("--reference", type=Path, default=default_reference())
    parser.add_argument(
        "--reference-python", default=sys.executable, help="interpreter with polars installed"
    )
    parser.add_argument("--tmp", type=Path, default=None, help="where both write (~1.5 GB)")
    args = parser.parse_args()
    if args.reference is None or not args.reference.is_file():
        parser.error("sol_bench.py not found: pass --reference PATH")
    if not Path(TIME).exists():
        parser.error(f"{TIME} is needed (apt-get install time)")
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    for fmt in formats:
        if fmt not in REFERENCE_FORMAT:
            parser.error(f"unknown format {fmt!r} (parquet, json, csv)")

    work = scratch_dir(parser, args.tmp, "sf-vs-ref-")
    try:
        return _compare(args, formats, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _compare(args: argparse.Namespace, formats: list[str], work: Path) -> int:
    schema = bench_sector(work / "schema", args.rows)
    ours_out, ref_out = work / "streamforge", work / "reference"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    ref_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def ours(fmt: str) -> list[str]:
        return [
            sys.executable, "-m", "streamforge", "generate", SECTOR,
            "--schema-dir", str(schema), "--out", str(ours_out), "--format", fmt,
        ]  # fmt: skip

    def reference(fmt: str) -> list[str]:
        return [
            args.reference_python, str(args.reference), "--table", "fact",
            "--rows", str(args.rows), "--format", REFERENCE_FORMAT.get(fmt, fmt),
            "--out", str(ref_out),
        ]  # fmt: skip

    def fresh() -> None:
        shutil.rmtree(ours_out, ignore_errors=True)
        shutil.rmtree(ref_out, ignore_errors=True)
        os.sync()  # deleting frees blocks at the next journal commit: not inside a timed run

    started = datetime.now(UTC)
    print(f"# StreamForge vs reference, {args.rows:,} rows, {args.pairs} pairs per format")
    print(f"started {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load {load()}")
    print(f"A: PYTHONPATH=src {' '.join(ours('FORMAT'))}")
    print(f"B: {' '.join(reference('FORMAT'))}")
    print()
    results: dict[str, tuple[list[Run], list[Run]]] = {}
    for fmt in formats:
        runs: tuple[list[Run], list[Run]] = ([], [])
        for pair in range(args.pairs + 1):  # the first pair warms the caches, uncounted
            fresh()
            a = timed(ours(fmt), env, ROOT)
            fresh()
            b = timed(reference(fmt), ref_env, ROOT)
            tag = "warm-up" if pair == 0 else f"pair {pair}"
            print(
                f"{fmt:8s} {tag:8s} StreamForge {a.wall:6.2f} s {a.cpu:6.2f} cpu-s "
                f"{a.peak_mib:5.0f} MiB | reference {b.wall:6.2f} s {b.cpu:6.2f} cpu-s "
                f"{b.peak_mib:5.0f} MiB | load {load()}",
                file=sys.stderr,
                flush=True,
            )
            if pair:
                runs[0].append(a)
                runs[1].append(b)
        results[fmt] = runs
        fresh()

    print("| format | StreamForge wall s | reference wall s | speed (ref/ours wall) "
          "| StreamForge CPU s | reference CPU s | CPU (ours/ref) "
          "| StreamForge peak MiB | reference peak MiB |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for fmt, (a_runs, b_runs) in results.items():
        speed = median([b.wall / a.wall for a, b in zip(a_runs, b_runs, strict=True)])
        cpu = median([a.cpu / b.cpu for a, b in zip(a_runs, b_runs, strict=True)])
        print(
            f"| {fmt} | {median([r.wall for r in a_runs]):.2f} "
            f"| {median([r.wall for r in b_runs]):.2f} | {speed:.2f}x "
            f"| {median([r.cpu for r in a_runs]):.2f} | {median([r.cpu for r in b_runs]):.2f} "
            f"| {cpu:.2f} | {max(r.peak_mib for r in a_runs):.0f} "
            f"| {max(r.peak_mib for r in b_runs):.0f} |"
        )
    print()
    print(
        f"medians over {args.pairs} pairs; ratios are medians of per-pair ratios; peak = highest; "
        f"load average (1, 5, 15 min) at the end {load()}, "
        f"{(datetime.now(UTC) - started).total_seconds():.0f} s in all"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

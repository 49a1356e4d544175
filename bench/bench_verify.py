"""Throughput and peak memory of `streamforge verify` on a larger landing.

Run by hand (not collected by pytest):

    python bench/bench_verify.py                       # Energy, scale 10, 10 cycles, json
    python bench/bench_verify.py --scale 20 --cycles 20 --format parquet

The landing is generated first (not timed); verify then runs in a fresh Python process, so its
RSS high-water mark (`resource.getrusage`) is its own. The same process first imports everything
and reports the RSS before verify starts, so the difference is what verify itself holds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from streamforge import api

START = datetime(2026, 1, 1, tzinfo=UTC)
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from streamforge import api
from streamforge.verify import verify_landing
import pyarrow as pa
plan = api.load_plan(sys.argv[1], None)
pa.array([0])  # pyarrow's lazy pandas import (~0.8 s, once a process) is not verify's work
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
report = verify_landing(Path(sys.argv[2]), plan)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "rows": sum(report.rows.values()),
                  "findings": len(report.findings),
                  "rss_before_kib": before, "rss_peak_kib": peak}))
"""


def landing_bytes(root: Path) -> int:
    return sum(
        p.stat().st_size for p in root.rglob("*") if p.is_file() and "_streamforge" not in p.parts
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sector", default="Energy")
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--format", default="json", choices=["json", "csv", "parquet"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sf-bench-verify-") as tmp:
        out = Path(tmp) / "landing"
        api.generate(
            args.sector, out, fmt=args.format, cycles=args.cycles, scale=args.scale, start=START
        )
        size = landing_bytes(out)
        child = subprocess.run(
            [sys.executable, "-c", CHILD, args.sector, str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
    rows, seconds = result["rows"], result["seconds"]
    peak, before = result["rss_peak_kib"] / 1024, result["rss_before_kib"] / 1024
    print(
        f"{args.sector} scale {args.scale} x {args.cycles} cycles, {args.format}: "
        f"{rows:,} rows, {size / 2**20:.0f} MiB landed"
    )
    print(
        f"verify: {seconds:.1f} s, {rows / seconds:,.0f} rows/s, peak RSS {peak:.0f} MiB "
        f"({peak - before:.0f} MiB above the imports), {result['findings']} findings"
    )


if __name__ == "__main__":
    main()

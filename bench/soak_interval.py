"""A long `streamforge run --interval 1`: memory, cycle times and CPU over time.

    python bench/soak_interval.py                  # 10 minutes
    python bench/soak_interval.py --minutes 2

Samples the runner's RSS and CPU time every second from /proc, reads each cycle's time from its
log line, stops it with SIGTERM, runs `verify`, and prints a markdown summary. A leak shows as
RSS growth between the second and the last minute; CPU share is CPU seconds / wall seconds of
one core (100% = one core busy all the time).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from soak_common import cpu_seconds, environment, rss_mib, run_args, verify

CYCLE = re.compile(r"cycle (\d+): ([\d,]+) rows in (\d+) files \(([\d.]+)s\)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--interval", default="1")
    parser.add_argument("--format", default="json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="soak-interval-") as folder:
        out = Path(folder) / "landing"
        extra = ("--interval", args.interval, "--format", args.format)
        process = subprocess.Popen(
            run_args(out, *extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env=environment(),
        )  # fmt: skip
        cycles: list[tuple[int, int, float]] = []
        reader = threading.Thread(target=_read_cycles, args=(process, cycles), daemon=True)
        reader.start()
        samples: list[tuple[float, float, float]] = []  # (elapsed s, RSS MiB, CPU s)
        loads: list[float] = []  # the machine's 1-minute load average, every second
        began = time.monotonic()
        while time.monotonic() - began < args.minutes * 60 and process.poll() is None:
            rss, cpu = rss_mib(process.pid), cpu_seconds(process.pid)
            if rss is not None and cpu is not None:
                samples.append((time.monotonic() - began, rss, cpu))
                loads.append(os.getloadavg()[0])
            time.sleep(1.0)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=120)
        reader.join(timeout=10)
        clean, said = verify(out)
        _report(args, samples, cycles, code, clean, said, loads)


def _read_cycles(process: subprocess.Popen, cycles: list[tuple[int, int, float]]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        found = CYCLE.search(line)
        if found:
            rows = int(found.group(2).replace(",", ""))
            cycles.append((int(found.group(1)), rows, float(found.group(4))))


def _report(args, samples, cycles, code, clean, said, loads) -> None:
    print(f"## soak_interval: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"`python bench/soak_interval.py --minutes {args.minutes:g} --interval {args.interval}`")
    print()
    print("| measure | value |")
    print("|---|---|")
    for measure, value in summary(samples, cycles, float(args.interval), loads):
        print(f"| {measure} | {value} |")
    print(f"| exit code after SIGTERM | {code} |")
    print(f"| verify | {'clean' if clean else 'FAILED'}: {said} |")


SETTLED = 30.0  # seconds: start-up is over by then


def summary(
    samples: list[tuple[float, float, float]],
    cycles: list[tuple[int, int, float]],
    interval: float,
    loads: list[float],
) -> list[tuple[str, str]]:
    """(measure, value) rows of the report. `samples` are (elapsed s, RSS MiB, CPU s), one a
    second; `cycles` (cycle, rows, seconds). A measure the run was too short for reads "n/a"
    with the reason, never a number from a sample that was not taken."""
    if not samples:
        return [("samples", "n/a (the run ended before the first reading)")]
    wall = samples[-1][0] - samples[0][0]
    rss = [s[1] for s in samples]
    rows = [("wall time sampled", f"{wall:.0f} s")]
    seconds = [c[2] for c in cycles]
    rows.append(("cycles", f"{len(cycles)} ({sum(c[1] for c in cycles):,} rows)"))
    if len(seconds) >= 2:
        p95 = statistics.quantiles(seconds, n=100)[94]
        times = f"{statistics.median(seconds):.3f} / {p95:.3f} / {max(seconds):.3f} s"
    else:
        times = f"n/a ({len(seconds)} cycle timed; a percentile needs 2)"
    rows.append(("cycle time p50 / p95 / max", times))
    rows.append(("cycles longer than the interval", str(sum(s > interval for s in seconds))))
    settled = next((s[1] for s in samples if s[0] >= SETTLED), None)
    at_30 = (
        f"{settled:.0f}"
        if settled is not None
        else f"n/a (the run ended at {samples[-1][0]:.0f} s, before 30 s)"
    )
    rows.append(
        (
            "RSS at 30 s / median / max / last",
            f"{at_30} / {statistics.median(rss):.0f} / {max(rss):.0f} / {rss[-1]:.0f} MiB",
        )
    )
    rows.append(("RSS growth, minute 2 → last minute", _growth(samples)))
    if wall > 0:
        rows.append(
            ("CPU, share of one core (average)", f"{(samples[-1][2] - samples[0][2]) / wall:.1%}")
        )
    per_minute = [
        (samples[i + 60][2] - samples[i][2]) / (samples[i + 60][0] - samples[i][0])
        for i in range(0, len(samples) - 60, 60)
    ]
    if per_minute:
        rows.append(("CPU per minute, min / max", f"{min(per_minute):.1%} / {max(per_minute):.1%}"))
    if loads:
        load = f"{min(loads):.1f} / {statistics.median(loads):.1f} / {max(loads):.1f}"
        rows.append(("load average (1 min), min / median / max", f"{load} ({os.cpu_count()} CPUs)"))
    return rows


def _growth(samples: list[tuple[float, float, float]]) -> str:
    """Mean RSS of the last minute minus that of minute 2 (start-up over), minutes counted from
    the launch: only when both were sampled and do not overlap, i.e. after 3 minutes."""
    end = samples[-1][0]
    second = [s[1] for s in samples if 60 <= s[0] < 120]
    last = [s[1] for s in samples if s[0] >= end - 60]
    if end < 180 or not second:
        return f"n/a (needs 3 minutes sampled, had {end:.0f} s)"
    return f"{statistics.mean(last) - statistics.mean(second):+.1f} MiB"


if __name__ == "__main__":
    main()

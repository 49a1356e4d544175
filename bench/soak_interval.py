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
    seconds = [c[2] for c in cycles]
    rss = [s[1] for s in samples]
    wall = samples[-1][0] - samples[0][0]
    cpu_share = (samples[-1][2] - samples[0][2]) / wall
    minute = lambda lo, hi: [s[1] for s in samples if lo <= s[0] < hi]  # noqa: E731
    second, last = minute(60, 120), minute(wall - 60, wall + 1)
    per_minute = [
        (samples[i + 60][2] - samples[i][2]) / (samples[i + 60][0] - samples[i][0])
        for i in range(0, len(samples) - 60, 60)
    ]
    quantile = lambda q: statistics.quantiles(seconds, n=100)[q - 1]  # noqa: E731
    print(f"## soak_interval: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"`python bench/soak_interval.py --minutes {args.minutes:g} --interval {args.interval}`")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| wall time sampled | {wall:.0f} s |")
    print(f"| cycles | {len(cycles)} ({sum(c[1] for c in cycles):,} rows) |")
    print(
        f"| cycle time p50 / p95 / max | {statistics.median(seconds):.3f} / {quantile(95):.3f} "
        f"/ {max(seconds):.3f} s |"
    )
    print(f"| cycles longer than the interval | {sum(s > float(args.interval) for s in seconds)} |")
    settled = next((s[1] for s in samples if s[0] >= 30), rss[0])  # start-up done
    print(f"| RSS at 30 s / median / max / last | {settled:.0f} / {statistics.median(rss):.0f} / "
          f"{max(rss):.0f} / {rss[-1]:.0f} MiB |")  # fmt: skip
    if second and last:
        growth = statistics.mean(last) - statistics.mean(second)
        print(f"| RSS growth, minute 2 → last minute | {growth:+.1f} MiB |")
    print(f"| CPU, share of one core (average) | {cpu_share:.1%} |")
    if per_minute:
        print(f"| CPU per minute, min / max | {min(per_minute):.1%} / {max(per_minute):.1%} |")
    load = f"{min(loads):.1f} / {statistics.median(loads):.1f} / {max(loads):.1f}"
    print(f"| load average (1 min), min / median / max | {load} ({os.cpu_count()} CPUs) |")
    print(f"| exit code after SIGTERM | {code} |")
    print(f"| verify | {'clean' if clean else 'FAILED'}: {said} |")


if __name__ == "__main__":
    main()

"""Start-up time of the `streamforge` command, as whole processes (issue 14, "fast start").

Run by hand (not collected by pytest); see bench/README.md:

    python bench/bench_start.py                       # every shipped sector, 9 runs per command
    python bench/bench_start.py --before main~3       # also an older revision, run alternately
    python bench/bench_start.py --sector Retail --runs 5 --only validate

Each command runs as a fresh `python -m streamforge ...` process: one warm-up run, then `--runs`
timed runs; the table shows the median wall time and the median CPU time (user + system of the
process and its threads). `--version` and `--help` run once; `validate <schema>/<Sector>`,
`generate <Sector>` (its default size, to a fresh folder) and the same with a cold pool cache run
for every shipped sector (or `--sector`). With `--before REV` the revision's `src/` and `schema/`
are exported to a temp folder and every timed run of it alternates with a run of this checkout,
so both see the same load: on a shared machine compare their ratio, not absolute seconds. The
load average is printed with the table.

The caches (cache_dir.py: the Faker pool file, the provider names, the checked sectors of
check_cache.py) live in a temp folder per build: the warm-up fills them, so `validate` and
`generate` are warm starts (a user's every run while the schema files stay as they are);
`..., cold check cache` forgets the checked sectors before every run (the first run after
editing a table file, or after upgrading StreamForge or a package); `generate, cold pool cache`
gives every run an empty cache folder (what a first run after installing pays). `python -c pass`
is the interpreter's own start on this machine, which every row includes.

The child processes may write .pyc files (PYTHONDONTWRITEBYTECODE is dropped for them), as an
installed package has them.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = "2026-01-31T08:00:00Z"  # a fixed event time: every run writes the same rows


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    args: Callable[[Build, Path], list[str]]  # (build, scratch folder) -> the command's arguments
    target_s: float | None  # the goal of issue 14, wall time on a quiet machine
    cold_cache: bool = False  # an empty cache folder: no Faker pools, names or checks
    cold_checks: bool = False  # only the checked sectors forgotten (check_cache.py)


@dataclass
class Build:
    """A copy of the package to time: this checkout, or an exported revision."""

    label: str
    src: Path
    cache: Path  # its own pool cache: the two copies may build different pools

    @property
    def schema(self) -> Path:
        return self.src.parent / "schema"


def shipped_sectors() -> list[str]:
    return sorted(p.name for p in (ROOT / "schema").iterdir() if any(p.glob("*.yml")))


def start_cases() -> list[Case]:
    return [
        Case("python -c pass (no streamforge)", lambda b, s: [], None),
        Case("--version", lambda b, s: ["--version"], 0.15),
        Case("--help", lambda b, s: ["--help"], 0.15),
    ]


def sector_cases(sector: str) -> list[Case]:
    def validate(build: Build, scratch: Path) -> list[str]:
        return ["validate", str(build.schema / sector)]

    def generate(build: Build, scratch: Path) -> list[str]:
        out = scratch / "landing"
        return ["generate", sector, "--out", str(out), "--fresh", "--start", START]

    return [
        Case(f"validate schema/{sector}", validate, 0.3),
        Case(f"validate schema/{sector}, cold check cache", validate, None, cold_checks=True),
        Case(f"generate {sector}", generate, 0.5),
        Case(f"generate {sector}, cold check cache", generate, None, cold_checks=True),
        Case(f"generate {sector}, cold pool cache", generate, None, cold_cache=True),
    ]


def run_once(build: Build, case: Case, scratch: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one `python -m streamforge` process."""
    cache = build.cache
    if case.cold_cache:
        cache = Path(tempfile.mkdtemp(dir=scratch, prefix="cold-cache-"))
    elif case.cold_checks:
        shutil.rmtree(cache / "checks", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(build.src), "STREAMFORGE_CACHE_DIR": str(cache)}
    # An installed package has its .pyc files (pip compiles them); a shell that forbids writing
    # them would time compiling every module on every run instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    args = case.args(build, scratch)
    command = ["-m", "streamforge", *args] if args else ["-c", "pass"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, *command],
        env=env,
        cwd=scratch,  # no ./schema here: the shipped sector library is used
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if case.cold_cache:
        shutil.rmtree(cache, ignore_errors=True)
    return wall, cpu


def export(revision: str, into: Path) -> Path:
    """`src/` and `schema/` of a git revision, unpacked into `into`; its `src`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src", "schema"],
        check=True,
        capture_output=True,
    ).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per command (median)")
    parser.add_argument("--sector", help="only this shipped sector (default: every one)")
    parser.add_argument("--before", metavar="REV", help="also time this git revision, alternately")
    parser.add_argument("--only", default="", help="only commands whose name contains this")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        scratch = Path(tmp)
        builds = [Build("now", ROOT / "src", scratch / "cache-now")]
        sectors = [options.sector] if options.sector else shipped_sectors()
        if options.before:
            old = export(options.before, scratch / "before")
            builds.insert(0, Build(options.before, old, scratch / "cache-before"))
        every = start_cases() + [c for sector in sectors for c in sector_cases(sector)]
        chosen = [c for c in every if options.only in c.name]
        load_before = os.getloadavg()
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for case in chosen:
            for build in builds:
                run_once(build, case, scratch)  # warm-up: page cache, .pyc files, pool cache
            for _ in range(options.runs):
                for build in builds:  # alternate, so both copies see the same load
                    results.setdefault((case.name, build.label), []).append(
                        run_once(build, case, scratch)
                    )
            print(f"  done: {case.name}", file=sys.stderr)
        load_after = os.getloadavg()

    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {options.runs} runs per "
        f"command, load average {load_before[0]:.1f} before / {load_after[0]:.1f} after\n"
    )
    head = "| command | goal | " + " | ".join(f"{b.label} wall s | {b.label} CPU s" for b in builds)
    if len(builds) == 2:
        head += " | wall now/before | CPU now/before"
    print(head + " |")
    print("|" + "---|" * (2 + 2 * len(builds) + (2 if len(builds) == 2 else 0)))
    for case in chosen:
        medians = []
        for build in builds:
            runs = results[(case.name, build.label)]
            medians.append(
                (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
            )
        goal = f"< {case.target_s:g} s" if case.target_s else ""
        cells = [f"{w:.3f} | {c:.3f}" for w, c in medians]
        if len(builds) == 2:
            (w0, c0), (w1, c1) = medians
            cells.append(f"{w1 / w0:.2f} | {c1 / c0:.2f}")
        print(f"| `{case.name}` | {goal} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

"""kill -9 at random moments of `streamforge run`, many times over, then `verify`.

    python bench/soak_kill9.py                 # 25 kills
    python bench/soak_kill9.py --kills 50 --seed 3
    STREAMFORGE_SOAK_SECTOR=Finance python bench/soak_kill9.py   # chained balances, verified

Each round starts the same command on the same landing area and kills it with SIGKILL at a
random moment: during start-up (a random delay), or a random delay after the round's first landed
file or its first checkpointed cycle, so that kills land in start-up, dimensions, mid-cycle and
between cycles on a fast machine and on a loaded one alike (the checkpoint tells where each one
landed).
Every restart must continue (never refuse, never fail); at the end a clean run finishes a cycle
and `verify` reads everything back: unique keys, live foreign keys, change feeds that replay onto
the checkpointed dimensions, anomaly counts that match the manifest.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from soak_common import environment, run_args, verify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=1.5, help="seconds after the moment")
    parser.add_argument("--scale", default="5")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    phases: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="soak-kill9-") as folder:
        out = Path(folder) / "landing"
        command = run_args(out, "--interval", "0.3", "--scale", args.scale)
        for _ in range(args.kills):
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                env=environment(),
            )  # fmt: skip
            before = _snapshot(out)
            _wait_for_moment(out, process, rng.choice(MOMENTS))
            time.sleep(rng.uniform(0.0, args.max_delay))
            process.kill()
            _, err = process.communicate()
            if process.returncode != -9:  # it ended by itself: only an error would do that
                failures.append(f"exit {process.returncode}: {err.strip()[-300:]}")
            phases["start-up" if _snapshot(out) == before else _phase(out)] += 1
        final = subprocess.run(
            [*command, "--cycles", "2"], capture_output=True, text=True, env=environment()
        )
        if final.returncode != 0:
            failures.append(f"final run exit {final.returncode}: {final.stderr.strip()[-300:]}")
        clean, said = verify(out)
        state = json.loads((out / "_streamforge" / "state.json").read_text())
    wall = time.monotonic() - began
    print(f"## soak_kill9: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"`python bench/soak_kill9.py --kills {args.kills} --seed {args.seed} "
          f"--max-delay {args.max_delay:g} --scale {args.scale}`")  # fmt: skip
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| kills (SIGKILL) | {args.kills}, over {wall:.0f} s |")
    print(f"| where they landed | {', '.join(f'{k} {v}' for k, v in sorted(phases.items()))} |")
    print(f"| restarts that failed or refused | {len(failures)} |")
    print(f"| cycles in the landing area at the end | {state['next_cycle']} |")
    print(f"| verify | {'clean' if clean else 'FAILED'}: {said} |")
    for failure in failures:
        print(f"\n    {failure}")


MOMENTS = ["start", "file", "cycle", "cycle", "cycle"]


def _wait_for_moment(out: Path, process: subprocess.Popen, moment: str) -> None:
    """Until the run has started ("start"), landed a file, or checkpointed a cycle since now."""
    cycle, files = _cycle(out), _files(out)
    while process.poll() is None and moment != "start":
        if (moment == "file" and _files(out) > files) or _cycle(out) > cycle:
            return
        time.sleep(0.02)


def _snapshot(out: Path) -> tuple[bytes, int]:
    """The checkpoint and the count of landed files: unchanged when a kill came in start-up."""
    state = out / "_streamforge" / "state.json"
    return (state.read_bytes() if state.exists() else b"", _files(out))


def _cycle(out: Path) -> int:
    try:
        return json.loads((out / "_streamforge" / "state.json").read_text())["next_cycle"]
    except (FileNotFoundError, ValueError):
        return -1


def _files(out: Path) -> int:
    return sum(1 for _ in out.glob("*/*-c*"))


def _phase(out: Path) -> str:
    """Where the last kill landed, as the checkpoint left it."""
    try:
        state = json.loads((out / "_streamforge" / "state.json").read_text())
    except FileNotFoundError:
        return "start-up"
    if not state["dimensions_written"]:
        return "dimensions"
    return "mid-cycle" if state["meta"]["pending_cycle"] is not None else "between cycles"


if __name__ == "__main__":
    main()

"""`streamforge run` into a Unity Catalog Volume whose Files API fails often, then `verify`.

    python bench/soak_flaky_volume.py                     # 20 cycles, 12% of requests fail
    python bench/soak_flaky_volume.py --fault-rate 0.2 --cycles 40

The Volume is the local stand-in of the Files API (tests/volume/files_api_server.py), spoken to
by the real databricks-sdk in a real `streamforge run` process. A share of requests, at random,
get a 503, a 500, a 429 with Retry-After, or a lost reply (served, then the connection drops
unanswered). The run must finish; then the Volume's files are copied to a local folder and
`verify` reads them back.
"""

from __future__ import annotations

import argparse
import collections
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from soak_common import ROOT, environment, run_args, verify

sys.path.insert(0, str(ROOT / "tests" / "volume"))
from files_api_server import TOKEN, Failure, FakeFilesApi, FilesApiServer

DEST = "/Volumes/main/demo/landing/soak"
FAULTS = [
    Failure(503, None, None, "/"),
    Failure(500, None, None, "/", error_code="INTERNAL_ERROR"),
    Failure(429, None, None, "/", retry_after=1, error_code="TOO_MANY_REQUESTS"),
    Failure(0, None, None, "/", lost_reply=True),
]


class FlakyFilesApi(FakeFilesApi):
    """Fails `rate` of the Files API requests at random, with one of FAULTS."""

    def __init__(self, rate: float, seed: int) -> None:
        super().__init__()
        self.rate, self.rng = rate, random.Random(seed)
        self.injected: collections.Counter[str] = collections.Counter()
        self.served = 0
        self.guard = threading.Lock()

    def failure_for(self, method: str, path: str) -> Failure | None:
        with self.guard:
            self.served += 1
            if self.rng.random() >= self.rate:
                return None
            fault = self.rng.choice(FAULTS)
            self.injected["lost reply" if fault.lost_reply else str(fault.status)] += 1
            return fault


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fault-rate", type=float, default=0.12)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    state = FlakyFilesApi(args.fault_rate, args.seed)
    server = FilesApiServer(state)
    server.start()
    began = time.monotonic()
    try:
        env = environment(DATABRICKS_HOST=state.url, DATABRICKS_TOKEN=TOKEN)
        for key in ("DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CLIENT_ID"):
            env.pop(key, None)
        command = run_args(DEST, "--interval", "0.5", "--cycles", str(args.cycles))
        done = subprocess.run(command, capture_output=True, text=True, env=env)
    finally:
        server.stop()
    wall = time.monotonic() - began
    with tempfile.TemporaryDirectory(prefix="soak-volume-") as folder:
        local = Path(folder) / "landing"
        for path, data in list(state.files.items()):
            if path.startswith(DEST + "/"):
                target = local / path[len(DEST) + 1 :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        clean, said = verify(local)
    injected = sum(state.injected.values())
    print(f"## soak_flaky_volume: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"`python bench/soak_flaky_volume.py --fault-rate {args.fault_rate:g} "
          f"--cycles {args.cycles} --seed {args.seed}`")  # fmt: skip
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| Files API requests | {state.served} |")
    print(f"| faults injected | {injected} ({injected / max(state.served, 1):.1%}): "
          f"{', '.join(f'{k} {v}' for k, v in sorted(state.injected.items()))} |")  # fmt: skip
    print(f"| run | exit {done.returncode} after {wall:.0f} s |")
    verdict = "clean" if clean else "FAILED"
    print(f"| verify (Volume copied to a local folder) | {verdict}: {said} |")
    if done.returncode != 0:
        print(f"\n    {done.stderr.strip()[-600:]}")


if __name__ == "__main__":
    main()

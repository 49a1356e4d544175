"""What the soak scripts share: the `streamforge` command of this checkout, `verify`, and /proc
readings of a running process. Not collected by pytest; see bench/README.md."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schema"
SECTOR = os.environ.get("STREAMFORGE_SOAK_SECTOR", "Energy")  # e.g. Finance: chained balances
TICKS = os.sysconf("SC_CLK_TCK")


def command(*args: str) -> list[str]:
    """`streamforge ARGS` run from this checkout's sources, on the repository's schema folder."""
    return [sys.executable, "-m", "streamforge", *args]


def environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1", **extra}
    env.pop("FORCE_COLOR", None)
    return env


def run_args(out: Path | str, *extra: str) -> list[str]:
    return command("run", SECTOR, "--out", str(out), "--schema-dir", str(SCHEMA), *extra)


def verify(out: Path) -> tuple[bool, str]:
    """`streamforge verify` on a local landing area: (clean, its last line)."""
    done = subprocess.run(
        command("verify", SECTOR, "--out", str(out), "--schema-dir", str(SCHEMA)),
        capture_output=True,
        text=True,
        env=environment(),
    )
    lines = (done.stdout + done.stderr).strip().splitlines()
    return done.returncode == 0, lines[-1] if lines else ""


def rss_mib(pid: int) -> float | None:
    """Resident set size of a running process, MiB; None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a running process (all its threads), seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS

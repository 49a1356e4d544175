"""Real processes: SIGTERM stops with exit 0; kill -9 mid-cycle loses and repeats nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from streamforge import api

from .conftest import SCHEMA


def _start(dest: Path, *extra: str) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "streamforge",
        "run",
        "Energy",
        "--out",
        str(dest),
        "--schema-dir",
        str(SCHEMA),
        *extra,
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def _state(dest: Path) -> dict:
    return json.loads((dest / "_streamforge" / "state.json").read_text())


def test_sigterm_checkpoints_and_exits_zero(tmp_path):
    process = _start(tmp_path, "--interval", "0.5")
    _wait_for(
        lambda: (
            (tmp_path / "_streamforge" / "state.json").exists()
            and _state(tmp_path)["next_cycle"] >= 2
        )
    )
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    stopped_at = _state(tmp_path)["next_cycle"]
    summary = api.run("Energy", tmp_path, schema_dir=SCHEMA, interval=0.05, cycles=1)
    assert summary.resumed and summary.cycles[0].cycle == stopped_at
    assert api.verify("Energy", tmp_path, SCHEMA).ok


def test_kill_9_mid_cycle_is_redone_with_the_same_files(tmp_path):
    # A large scale makes a cycle last long enough to be killed in the middle of it.
    process = _start(tmp_path, "--interval", "0.1", "--scale", "60", "--format", "csv")
    first_of_cycle_1 = lambda: list(tmp_path.glob("customer_changes/*-c000001-*.csv"))  # noqa: E731
    _wait_for(first_of_cycle_1)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    state = _state(tmp_path)
    assert state["meta"]["pending_cycle"] == 1, "the kill should land inside cycle 1"
    assert state["next_cycle"] == 1
    written = {p: p.read_bytes() for p in tmp_path.glob("*/*-c000001-*.csv")}
    assert written, "some files of cycle 1 were complete before the kill"
    leftovers = list(tmp_path.glob("*/.*.tmp"))
    summary = api.run(
        "Energy", tmp_path, schema_dir=SCHEMA, fmt="csv", interval=0.1, scale=60, cycles=1
    )
    assert [c.cycle for c in summary.cycles] == [1]
    for path, data in written.items():
        assert path.read_bytes() == data, f"{path.name} changed when cycle 1 was redone"
    assert len(list(tmp_path.glob("*/*-c000001-*.csv"))) == 4
    report = api.verify("Energy", tmp_path, SCHEMA)
    assert report.ok, [str(f) for f in report.findings[:5]]
    # A temp file of the killed write was hidden (starts with '.'), and the restart removed it.
    assert all(p.name.startswith(".") for p in leftovers)
    assert not list(tmp_path.glob("*/.*.tmp"))


def _catches_sigterm(pid: int) -> bool:
    """The process has its SIGTERM handler in place (bit 15 of SigCgt in /proc/<pid>/status):
    from then on StreamForge's own code is running, so a signal is its to handle."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    caught = int(
        next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16
    )
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def _continues_cleanly(dest: Path, scale: str) -> None:
    """A restart continues from whatever the stop left, and the landing area verifies clean."""
    summary = api.run(
        "Energy", dest, schema_dir=SCHEMA, interval=0.05, scale=float(scale), cycles=1
    )
    assert len(summary.cycles) == 1
    report = api.verify("Energy", dest, SCHEMA)
    assert report.ok, [str(f) for f in report.findings[:5]]
    assert not list(dest.glob("*/.*.tmp"))


def _has_state(dest: Path, cycles: int) -> bool:
    try:
        return _state(dest)["next_cycle"] >= cycles
    except (FileNotFoundError, ValueError):
        return False


# Moments of a start, each told by what the process has done so far (not by a delay, which a
# loaded machine stretches): importing the CLI and the engine, planning and taking the lock,
# writing the dimensions (scale 20 makes them take a while), and the cycle loop.
MOMENTS = {
    "imports": lambda dest: True,
    "lock": lambda dest: (dest / "_streamforge" / "lock").exists(),
    "dimensions": lambda dest: any((dest / "customer").glob("*.json")),
    "cycles": lambda dest: _has_state(dest, 2),
}


def _start_and_wait_for(dest: Path, moment: str) -> subprocess.Popen:
    process = _start(dest, "--interval", "0.3", "--scale", "20")
    _wait_for(lambda: _catches_sigterm(process.pid) or process.poll() is not None)
    _wait_for(lambda: MOMENTS[moment](dest) or process.poll() is not None)
    assert process.poll() is None, "the run ended before the moment to stop it"
    return process


@pytest.mark.parametrize("moment", MOMENTS)
def test_sigterm_at_any_moment_exits_zero_and_the_landing_continues(tmp_path, moment):
    process = _start_and_wait_for(tmp_path, moment)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err + out and "stopped" in out
    _continues_cleanly(tmp_path, "20")


@pytest.mark.parametrize(("moment", "gap"), [("imports", 0.05), ("lock", 0.01),
                                             ("dimensions", 0.1), ("cycles", 0.3)])  # fmt: skip
def test_a_second_sigterm_during_shutdown_exits_zero_and_the_landing_continues(
    tmp_path, moment, gap
):
    process = _start_and_wait_for(tmp_path, moment)
    process.send_signal(signal.SIGTERM)
    time.sleep(gap)
    process.send_signal(signal.SIGTERM)  # ignored by Popen if the process has exited already
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err + out
    _continues_cleanly(tmp_path, "20")


def test_other_commands_keep_the_usual_signals(tmp_path):
    """Only `run` stops cleanly on signals: Ctrl-C still interrupts `generate` at once."""
    command = [sys.executable, "-m", "streamforge", "generate", "Energy", "--out", str(tmp_path),
               "--schema-dir", str(SCHEMA), "--scale", "200", "--cycles", "50"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: (tmp_path / "customer").exists())
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode != 0 and "Aborted" in err

"""Real processes: SIGTERM stops with exit 0; kill -9 mid-cycle loses and repeats nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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

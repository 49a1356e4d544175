"""The real command on a machine that refuses: one line naming the path and the fix, exit 1, no
traceback and no "internal error"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
# The disk fills up at the 6th fsync: the dimensions are landing by then.
FULL_DISK = """
import errno, os, sys
real, calls = os.fsync, []
def fsync(fd):
    calls.append(fd)
    if len(calls) >= 6:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    real(fd)
os.fsync = fsync
sys.argv[0] = "streamforge"
from streamforge.cli import main
main()
"""


def streamforge(*args: str, code: str | None = None) -> subprocess.CompletedProcess:
    head = ["-c", code] if code else ["-m", "streamforge"]
    command = [sys.executable, *head, *args, "--schema-dir", str(SCHEMA)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def assert_said_in_one_line(done: subprocess.CompletedProcess, path: Path, what: str) -> None:
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and str(path) in lines[0] and what in lines[0]
    for noise in ("Traceback", "internal error", "--debug"):
        assert noise not in done.stderr + done.stdout


@pytest.mark.parametrize("command", ["run", "generate"])
def test_an_output_path_that_is_a_file(tmp_path, command):
    blocker = tmp_path / "landing"
    blocker.write_text("")
    extra = ["--cycles", "1"] if command == "run" else []
    done = streamforge(command, "Energy", "--out", str(blocker / "energy"), *extra)
    assert_said_in_one_line(done, blocker, "a file is in the way")


def test_a_name_too_long(tmp_path):
    out = tmp_path / ("n" * 300)
    done = streamforge("run", "Energy", "--out", str(out), "--cycles", "1")
    assert_said_in_one_line(done, out, "too long")


def test_a_full_disk_then_the_same_command_continues(tmp_path):
    args = ("run", "Energy", "--out", str(tmp_path), "--cycles", "2", "--interval", "0.05")
    done = streamforge(*args, code=FULL_DISK)
    assert_said_in_one_line(done, tmp_path, "the disk is full")
    assert "run the same command again to continue" in done.stderr
    again = streamforge(*args)
    assert again.returncode == 0, again.stderr
    assert "resumed" in again.stdout
    checked = streamforge("verify", "Energy", "--out", str(tmp_path))
    assert checked.returncode == 0, checked.stdout + checked.stderr

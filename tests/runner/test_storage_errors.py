"""Environment errors (a full disk, a file in the way, a refused name) are said as such, and leave
a landing area that the same command continues exactly, as if nothing had happened."""

from __future__ import annotations

import errno
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streamforge import api
from streamforge.errors import StorageError, storage_error
from streamforge.sinks import local

from .conftest import FakeClock

CYCLES = 3
ENVIRONMENT = [
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOTDIR,
    errno.EEXIST,
    errno.EISDIR,
    errno.ENAMETOOLONG,
    errno.EINVAL,
]


def landed(dest: Path) -> dict[str, bytes]:
    """Every data file (control files aside) by its path in the landing area."""
    return {
        str(p.relative_to(dest)): p.read_bytes()
        for p in dest.rglob("*")
        if p.is_file() and "_streamforge" not in p.parts and not p.name.startswith(".")
    }


def manifest(dest: Path) -> list[dict]:
    """The manifest's entries but their wall-clock `written_at`, in landing order."""
    lines = (dest / "_streamforge" / "manifest.jsonl").read_text().splitlines()
    entries = [{k: v for k, v in json.loads(line).items() if k != "written_at"} for line in lines]
    return sorted(entries, key=lambda e: (e["cycle"], e["table"]))


@pytest.fixture(scope="module")
def clean(tmp_path_factory, request) -> dict[str, tuple[dict[str, bytes], list[dict], int]]:
    """Uninterrupted runs, one per format: the files, the manifest, and the bytes written."""
    schema = Path(__file__).resolve().parents[2] / "schema"
    runs = {}
    for fmt in ("json", "csv", "parquet"):
        dest = tmp_path_factory.mktemp(f"clean-{fmt}")
        api.run("Energy", dest, schema_dir=schema, fmt=fmt, cycles=CYCLES, clock=FakeClock())
        size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
        runs[fmt] = (landed(dest), manifest(dest), size)
    return runs


class FillingDisk:
    """Files opened by the local sink take `budget` bytes in all, then fail with ENOSPC, as a disk
    that fills up would (in the middle of a write, whatever the format)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.real_fdopen = os.fdopen
        self.failures = 0

    def fdopen(self, fd: int, mode: str = "r", *args, **kwargs):
        disk = self

        class Filling(io.BufferedWriter):
            def write(self, data) -> int:
                if len(data) > disk.budget:
                    disk.budget, disk.failures = 0, disk.failures + 1
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                disk.budget -= len(data)
                return super().write(data)

        assert mode == "wb", mode
        return Filling(io.FileIO(fd, "wb"))


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
@pytest.mark.parametrize("share", [0.05, 0.4, 0.8, 0.97])
def test_a_full_disk_stops_the_run_and_the_same_command_continues_it_exactly(
    tmp_path, schema_dir, monkeypatch, clean, fmt, share
):
    files, entries, size = clean[fmt]
    disk = FillingDisk(int(size * share))
    clock = FakeClock()
    monkeypatch.setattr(local.os, "fdopen", disk.fdopen)
    with pytest.raises(StorageError) as caught:
        api.run("Energy", tmp_path, schema_dir=schema_dir, fmt=fmt, cycles=CYCLES, clock=clock)
    message = str(caught.value)
    assert disk.failures == 1
    assert "the disk is full" in message and str(tmp_path) in message and "\n" not in message
    assert "run the same command again" in message
    assert not list(tmp_path.rglob(".*.tmp")), "a half-written temp file was left behind"
    monkeypatch.undo()  # space was freed

    state = tmp_path / "_streamforge" / "state.json"
    done = json.loads(state.read_text())["next_cycle"] if state.exists() else 0  # whole cycles
    api.run("Energy", tmp_path, schema_dir=schema_dir, fmt=fmt, cycles=CYCLES - done, clock=clock)
    assert landed(tmp_path) == files, "the resumed run wrote other files than an unbroken one"
    assert manifest(tmp_path) == entries
    report = api.verify("Energy", tmp_path, schema_dir)
    assert report.ok, [str(f) for f in report.findings[:5]]


def test_a_full_disk_on_the_manifest_or_a_checkpoint_is_said_the_same_way(
    tmp_path, schema_dir, monkeypatch
):
    calls = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 9:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(local.os, "fsync", fsync)
    with pytest.raises(StorageError, match="the disk is full"):
        api.run("Energy", tmp_path, schema_dir=schema_dir, cycles=2, clock=FakeClock())
    monkeypatch.undo()
    api.run("Energy", tmp_path, schema_dir=schema_dir, cycles=2, clock=FakeClock())
    assert api.verify("Energy", tmp_path, schema_dir).ok


@pytest.mark.parametrize("command", ["run", "generate"])
def test_an_output_path_that_is_a_file_is_named(tmp_path, schema_dir, command):
    blocker = tmp_path / "landing"
    blocker.write_text("not a folder")
    for out, number in ((blocker, "Not a directory"), (blocker / "sub", "Not a directory")):
        with pytest.raises(StorageError) as caught:
            if command == "run":
                api.run("Energy", out, schema_dir=schema_dir, cycles=1, clock=FakeClock())
            else:
                api.generate("Energy", out, schema_dir=schema_dir)
        assert str(blocker) in str(caught.value) and number in str(caught.value)
        assert "a file is in the way" in str(caught.value)
    assert blocker.read_text() == "not a folder"


def test_a_control_folder_that_is_a_file_is_named(tmp_path, schema_dir):
    (tmp_path / "_streamforge").write_text("")
    with pytest.raises(StorageError, match="a file is in the way") as caught:
        api.run("Energy", tmp_path, schema_dir=schema_dir, cycles=1, clock=FakeClock())
    assert str(tmp_path / "_streamforge") in str(caught.value)


def test_a_name_too_long_for_the_file_system_is_named(tmp_path, schema_dir):
    out = tmp_path / ("x" * 300)
    with pytest.raises(StorageError, match="too long") as caught:
        api.run("Energy", out, schema_dir=schema_dir, cycles=1, clock=FakeClock())
    assert str(out) in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_a_read_only_folder_is_named(tmp_path, schema_dir):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(StorageError, match="permission denied"):
            api.run("Energy", tmp_path / "out", schema_dir=schema_dir, cycles=1)
    finally:
        tmp_path.chmod(0o700)


@given(
    number=st.sampled_from(ENVIRONMENT),
    path=st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=80),
    named=st.booleans(),
)
def test_every_environment_errno_becomes_one_line_naming_the_path(number, path, named):
    error = OSError(number, os.strerror(number), path) if named else OSError(number, "x")
    problem = storage_error(error, None if named else path)
    assert isinstance(problem, StorageError) and problem.exit_code == 1
    text = str(problem)
    shown = str(Path(path))  # as a path: "0/" is the folder "0", "a//b" is "a/b"
    assert shown in text and os.strerror(number) in text
    assert "\n" not in text.replace(shown, "")
    # Rust libraries (deltalake) report the same condition inside their own error type.
    rust = RuntimeError(f"Generic LocalFileSystem error: {os.strerror(number)} (os error {number})")
    assert str(storage_error(rust, path)) == str(storage_error(OSError(number, "x"), path))


@pytest.mark.parametrize("error", [OSError(errno.EBADF, "Bad file"), ValueError("x"), OSError()])
def test_errors_that_only_a_bug_explains_are_not_disguised(error):
    assert storage_error(error, "/some/path") is None

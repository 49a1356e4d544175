"""The heartbeat lock: one runner per Volume landing area, stale locks taken over, loss noticed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from streamforge import api
from streamforge.engine.settings import RunSettings
from streamforge.errors import StreamForgeError
from streamforge.run_events import LockTakenOver, RunEvent
from streamforge.runner import Runner
from streamforge.sinks import volume_holder
from streamforge.sinks.formats import get_format
from streamforge.sinks.landing import STATE_PATH, LandingLocked
from streamforge.sinks.volume import VolumeLanding
from streamforge.sinks.volume_holder import this_process

from .conftest import DEST, ROOT
from .files_api_server import TOKEN, FakeFilesApi

SCHEMA = Path(__file__).resolve().parents[2] / "schema"

LOCK = f"{ROOT}/_streamforge/lock.json"
NOW = 1_800_000_000.0


def lock_file(files_api: FakeFilesApi) -> dict:
    return json.loads(files_api.files[LOCK])


def plant_lock(files_api: FakeFilesApi, owner: str, heartbeat: float) -> None:
    files_api.make_directories(f"{ROOT}/_streamforge")
    document = {"owner": owner, "token": "theirs", "heartbeat": heartbeat}
    files_api.files[LOCK] = json.dumps(document).encode()


def eventually(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_the_lock_file_is_written_while_held_and_removed_after(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    landing = make_landing(wall_clock=lambda: NOW)
    with landing.lock("pid 7 on host-a"):
        held = lock_file(files_api)
        assert held["owner"] == "pid 7 on host-a" and held["heartbeat"] == NOW
        assert held["heartbeat_at"] == "2027-01-15T08:00:00+00:00"
        # Taken with a create-if-absent PUT: a server-side check, not read-then-write.
        assert files_api.requests("PUT")[0].query == {"overwrite": "false"}
    assert LOCK not in files_api.files


def test_a_second_runner_is_refused_while_the_heartbeat_is_fresh(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    plant_lock(files_api, "pid 1 on host-b", heartbeat=NOW - 74)
    landing = make_landing(wall_clock=lambda: NOW)  # stale after 75s by default
    refused = pytest.raises(LandingLocked, match="in use by pid 1 on host-b")
    with refused as caught, landing.lock("pid 7 on host-a"):
        pytest.fail("must not get here")
    message = str(caught.value)
    assert "heartbeat 74s ago" in message and LOCK in message
    assert "taken over 75s after its last heartbeat" in message and "--break-lock" in message
    assert lock_file(files_api)["token"] == "theirs"  # untouched


def test_two_landing_objects_in_one_process_exclude_each_other(
    make_landing: Callable[..., VolumeLanding],
) -> None:
    first, second = make_landing(), make_landing()
    refused = pytest.raises(LandingLocked, match="in use by same owner")
    with first.lock("same owner"), refused, second.lock("same owner"):
        pytest.fail("must not get here")


@pytest.mark.parametrize("stale", [b'{"owner": "x", "token": "t", "heartbeat": 1}', b"garbage"])
def test_a_stale_or_unreadable_lock_is_taken_over(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi, stale: bytes
) -> None:
    files_api.make_directories(f"{ROOT}/_streamforge")
    files_api.files[LOCK] = stale
    landing = make_landing(wall_clock=lambda: NOW)
    with landing.lock("pid 7 on host-a") as taken_over:
        assert lock_file(files_api)["owner"] == "pid 7 on host-a"
    assert LOCK not in files_api.files
    expected = "its heartbeat stopped" if stale.startswith(b"{") else "the lock file is unreadable"
    assert taken_over is not None and expected in taken_over


def test_the_lock_timeout_is_a_parameter(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    plant_lock(files_api, "pid 1 on host-b", heartbeat=NOW - 61)
    landing = make_landing(wall_clock=lambda: NOW, lock_timeout=60.0, heartbeat_every=5.0)
    with landing.lock("pid 7 on host-a"):
        assert lock_file(files_api)["owner"] == "pid 7 on host-a"
    with pytest.raises(ValueError, match="more often"):
        make_landing(lock_timeout=60.0, heartbeat_every=60.0)


def test_the_heartbeat_is_refreshed_while_held(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    ticks = iter(range(10**6))
    landing = make_landing(wall_clock=lambda: NOW + next(ticks), heartbeat_every=0.01)
    with landing.lock("pid 7 on host-a"):
        first = lock_file(files_api)["heartbeat"]
        eventually(lambda: lock_file(files_api)["heartbeat"] >= first + 3)
        assert lock_file(files_api)["owner"] == "pid 7 on host-a"


def test_a_lost_lock_stops_further_writes_and_is_not_removed(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    landing = make_landing(heartbeat_every=0.01)
    with landing.lock("pid 7 on host-a"):
        landing.write_text_atomic(STATE_PATH, "{}")
        # Another runner took over, as it may once our heartbeat looked stale to it.
        plant_lock(files_api, "pid 9 on host-c", heartbeat=time.time())

        def refused() -> bool:
            try:
                landing.write_text_atomic(STATE_PATH, "{}")
            except StreamForgeError as exc:
                assert "lost the lock" in str(exc) and "pid 9 on host-c" in str(exc)
                return True
            return False

        eventually(refused)
    assert lock_file(files_api)["owner"] == "pid 9 on host-c"


def test_the_lock_is_released_when_the_run_fails(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    landing = make_landing()
    with pytest.raises(RuntimeError, match="boom"), landing.lock("pid 7 on host-a"):
        raise RuntimeError("boom")
    assert LOCK not in files_api.files
    assert not [t for t in threading.enumerate() if t.name == "streamforge-lock"]


def test_a_lost_reply_on_the_create_does_not_make_a_run_refuse_itself(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    # The server stores lock.json, then the connection drops: the retry finds the file there.
    files_api.lose_reply(LOCK, method="PUT")
    landing = make_landing()
    with landing.lock("pid 7 on host-a") as taken_over:
        assert taken_over is None, "a lock of our own is not a takeover"
        assert lock_file(files_api)["pid"] == os.getpid()
        creates = [r for r in files_api.requests("PUT") if r.path == LOCK]
        assert [r.query for r in creates] == [{"overwrite": "false"}] * 2, "the create was retried"
    assert LOCK not in files_api.files


def test_each_acquisition_has_its_own_token(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    tokens = set()
    for _ in range(3):
        with make_landing().lock("same owner"):
            tokens.add(lock_file(files_api)["token"])
    assert len(tokens) == 3 and all(len(t) >= 32 for t in tokens)


def _mine(files_api: FakeFilesApi, heartbeat: float, **changes: object) -> None:
    """A lock as this machine would have written it, with some fields changed."""
    files_api.make_directories(f"{ROOT}/_streamforge")
    document = {"owner": "a killed run", "token": "old", "heartbeat": heartbeat, **this_process()}
    files_api.files[LOCK] = json.dumps({**document, **changes}).encode()


def test_a_lock_of_a_process_of_this_machine_that_exited_is_taken_over_at_once(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait()
    _mine(files_api, heartbeat=NOW, pid=exited.pid, started=None)  # fresh heartbeat
    with make_landing(wall_clock=lambda: NOW).lock("pid 7") as taken_over:
        assert lock_file(files_api)["owner"] == "pid 7"
    assert taken_over == (
        f"took over the lock on {ROOT} from a killed run: its process (pid {exited.pid} on "
        f"{socket.gethostname()}) is gone"
    )


def test_a_pid_reused_by_another_program_does_not_keep_a_lock(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    _mine(files_api, heartbeat=NOW, pid=os.getppid(), started="1")
    with make_landing(wall_clock=lambda: NOW).lock("pid 7") as taken_over:
        assert taken_over is not None and "now belongs to another program" in taken_over


def test_a_live_process_of_this_machine_keeps_its_lock(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        eventually(lambda: volume_holder._start_time(alive.pid) is not None)
        started = volume_holder._start_time(alive.pid)
        _mine(files_api, heartbeat=NOW, pid=alive.pid, started=started)
        refused = pytest.raises(LandingLocked, match="in use by a killed run")
        with refused, make_landing(wall_clock=lambda: NOW).lock("pid 7"):
            pytest.fail("must not get here")
    finally:
        alive.kill()
        alive.wait()


@pytest.mark.parametrize("mark", ["host", "boot_id", "pid_ns"])
def test_a_dead_pid_on_another_machine_or_container_proves_nothing(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi, mark: str
) -> None:
    # That pid is free here, but the holder ran elsewhere: only its heartbeat can tell.
    _mine(files_api, heartbeat=NOW - 10, pid=2**22 + 1, **{mark: "elsewhere"})
    refused = pytest.raises(LandingLocked, match="heartbeat 10s ago")
    with refused, make_landing(wall_clock=lambda: NOW).lock("pid 7"):
        pytest.fail("must not get here")


def test_break_lock_takes_over_a_live_holder_and_says_so(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    plant_lock(files_api, "pid 1 on host-b", heartbeat=NOW - 1)
    with make_landing(wall_clock=lambda: NOW).lock("pid 7", break_lock=True) as taken_over:
        assert lock_file(files_api)["owner"] == "pid 7"
    assert (
        taken_over == f"took over the lock on {ROOT} from pid 1 on host-b: --break-lock was given"
    )


def test_a_lock_left_after_a_403_is_taken_over_by_the_next_run_of_the_same_process(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    with make_landing().lock("pid 7"):
        files_api.deny(LOCK, method="DELETE")  # the grant went away: the release fails
    assert LOCK in files_api.files
    files_api.failures.clear()
    with make_landing().lock("pid 7") as taken_over:
        assert taken_over is not None and "an earlier run of this process" in taken_over
    assert LOCK not in files_api.files


def test_a_run_killed_with_sigkill_is_taken_over_by_the_next_start_at_once(
    files_api: FakeFilesApi, client
) -> None:
    """A real `streamforge run` into the Volume, killed with -9; the restart takes over at once
    (same machine, dead pid), continues, and the change feed replays onto the dimension."""
    env = {**os.environ, "DATABRICKS_HOST": files_api.url, "DATABRICKS_TOKEN": TOKEN}
    command = [sys.executable, "-m", "streamforge", "run", "Energy", "--out", DEST]
    process = subprocess.Popen(
        [*command, "--schema-dir", str(SCHEMA), "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    state = f"{ROOT}/_streamforge/state.json"
    eventually(
        lambda: state in files_api.files and json.loads(files_api.files[state])["next_cycle"] >= 2,
        seconds=60,
    )
    process.kill()
    process.wait()
    assert lock_file(files_api)["pid"] == process.pid  # left behind, heartbeat still fresh
    events: list[RunEvent] = []
    landing = VolumeLanding.from_path(DEST, client=client)
    plan = api.load_plan("Energy", SCHEMA)
    runner = Runner(
        plan, landing, get_format("json"), RunSettings(seed=api.DEFAULT_SEED, cycles=1),
        listener=events.append,
    )  # fmt: skip
    summary = runner.run()
    assert summary.resumed and len(summary.cycles) == 1
    assert events[0] == LockTakenOver(
        f"took over the lock on {ROOT} from pid {process.pid} on {socket.gethostname()}: its "
        f"process (pid {process.pid} on {socket.gethostname()}) is gone",
    )
    assert LOCK not in files_api.files

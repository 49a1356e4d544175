"""The heartbeat lock: one runner per Volume landing area, stale locks taken over, loss noticed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest

from streamforge.errors import StreamForgeError
from streamforge.sinks.landing import STATE_PATH, LandingLocked
from streamforge.sinks.volume import VolumeLanding

from .conftest import ROOT
from .files_api_server import FakeFilesApi

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
    plant_lock(files_api, "pid 1 on host-b", heartbeat=NOW - 599)
    landing = make_landing(wall_clock=lambda: NOW)
    refused = pytest.raises(LandingLocked, match="in use by pid 1 on host-b")
    with refused as caught, landing.lock("pid 7 on host-a"):
        pytest.fail("must not get here")
    assert "heartbeat 599s ago" in str(caught.value) and LOCK in str(caught.value)
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
    with landing.lock("pid 7 on host-a"):
        assert lock_file(files_api)["owner"] == "pid 7 on host-a"
    assert LOCK not in files_api.files


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

"""A stop signal during a Files API outage stops the run at once, not after minutes of backoff;
a local temp folder that refuses is named as such."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from streamforge import stopping
from streamforge.errors import StorageError
from streamforge.sinks import get_format
from streamforge.sinks.landing import STATE_PATH
from streamforge.sinks.volume import RetryPolicy, VolumeLanding

from .conftest import ROOT
from .files_api_server import FakeFilesApi


def test_a_stop_signal_ends_the_backoff_at_once(
    make_landing: Callable[..., VolumeLanding], files_api: FakeFilesApi
) -> None:
    files_api.fail(500, times=None, method="PUT", prefix=f"{ROOT}/{STATE_PATH}",
                   error_code="INTERNAL_ERROR")  # fmt: skip
    landing = make_landing(retry=RetryPolicy())  # real waits: 1, 2, 4, 8, 16 s ceilings
    notes: list[str] = []
    with stopping.requests(lambda: notes.append("stopping")):
        sigterm = threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM))
        sigterm.start()
        began = time.monotonic()
        with pytest.raises(stopping.StopNow):
            landing.write_text_atomic(STATE_PATH, "{}")
        waited = time.monotonic() - began
        sigterm.join()
    assert notes == ["stopping"] and waited < 5, waited
    assert not stopping.requested(), "the handlers and the request are gone after the block"


def test_without_a_stop_the_backoff_sleeps_as_before() -> None:
    began = time.monotonic()
    stopping.pause(0.2)
    assert time.monotonic() - began >= 0.2


def test_a_full_or_missing_local_temp_folder_is_named_with_the_fix(
    make_landing: Callable[..., VolumeLanding],
    files_api: FakeFilesApi,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file past `spool_bytes` is built in the local temp folder before its upload: when that
    folder refuses (here: a file in its place), the message names it and says TMPDIR."""
    blocker = tmp_path / "tmp"
    blocker.write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))
    schema = pa.schema([("id", pa.int64())])
    batches = [pa.record_batch([pa.array(range(5000), pa.int64())], schema=schema)]
    with pytest.raises(StorageError) as caught:
        make_landing(spool_bytes=1024).write_file("t", 1, "id", get_format("json"), batches, schema)
    message = str(caught.value)
    assert str(blocker) in message and "a file is in the way" in message and "TMPDIR" in message
    assert "t/t-c000001-id.json" in message
    assert not [p for p in files_api.files if "/t/" in p], "nothing was uploaded"

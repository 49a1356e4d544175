"""A stop asked while a large file is being written is honoured within a chunk, not after it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from streamforge import api
from streamforge.readback import read_manifest

# customer: 240k rows in 4 chunks; plant's unique plant_code (10,000 values) still fits 9,600 rows.
SCALE = 80


def test_stop_in_the_middle_of_a_large_dimension(tmp_path: Path) -> None:
    out = tmp_path / "landing"
    api.preview("Energy", "customer", 10)  # value pools are built once per process: not timed
    stop = threading.Event()
    result: dict = {}

    def run() -> None:
        result["summary"] = api.run("Energy", out, scale=SCALE, interval=30, stop=stop)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 60
    while not any((out / "customer").glob(".*")):  # the hidden temp file of the first dimension
        assert time.monotonic() < deadline and thread.is_alive()
        time.sleep(0.005)
    stop.set()
    asked = time.monotonic()
    thread.join(30)
    assert not thread.is_alive()
    assert time.monotonic() - asked < 1.0
    assert result["summary"].stopped
    # Nothing half-written is visible and the manifest names no dimension file.
    assert list((out / "customer").iterdir()) == []
    assert read_manifest(out) == []

    # The next start writes the dimensions whole and continues.
    api.run("Energy", out, scale=SCALE, interval=30, cycles=1)
    customers = [e for e in read_manifest(out) if e["table"] == "customer"]
    assert [e["rows"] for e in customers] == [3000 * SCALE]

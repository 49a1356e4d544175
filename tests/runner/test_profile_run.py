"""A live run with a `profile:`: each cycle's rows follow the real clock's window (the runner's
windows are the intervals that just passed), and a stop and restart changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from tests.times import micros

from streamforge import api
from streamforge.engine.load_profile import cycle_rows
from streamforge.readback import read_manifest

from .conftest import FakeClock

HOURLY = [0, 0, 0, 0, 0, 0, 1, 2, 4, 6, 8, 8, 8, 8, 8, 8, 8, 10, 12, 10, 6, 3, 1, 0]
MIDNIGHT_US = micros("2026-03-02T00:00:00Z")


def _schema(root: Path) -> Path:
    table = {
        "table": "clicks",
        "type": "fact",
        "num_rows": 50,
        "profile": {"hourly": HOURLY, "bursts": {"probability": 0.2, "multiplier": 3}},
        "columns": {"click_id": "long", "clicked_at": "datetime"},
    }
    (root / "web").mkdir(parents=True)
    (root / "web" / "clicks.yml").write_text(yaml.safe_dump(table, sort_keys=False))
    return root


def _rows(out: Path) -> dict[int, tuple[int, str]]:
    return {e["cycle"]: (e["rows"], e["window_start"]) for e in read_manifest(out)}


def test_live_cycles_follow_the_clock_and_survive_a_restart(tmp_path: Path) -> None:
    schema = _schema(tmp_path / "schema")
    whole, split = tmp_path / "whole", tmp_path / "split"
    options = {"schema_dir": schema, "interval": 3600, "seed": 3}
    api.run("web", whole, cycles=24, clock=FakeClock(MIDNIGHT_US), **options)
    clock = FakeClock(MIDNIGHT_US)
    api.run("web", split, cycles=10, clock=clock, **options)
    api.run("web", split, cycles=14, clock=clock, **options)  # resumes at cycle 10
    assert _rows(whole) == _rows(split)

    meta = json.loads((whole / "_streamforge" / "state.json").read_text())["meta"]
    profile = api.load_plan("web", schema).table("clicks").spec.profile
    for entry in read_manifest(whole):
        window = (micros(entry["window_start"]), micros(entry["window_end"]))
        rule = (profile, 50, 1.0, 3, "clicks", entry["cycle"], window, meta["start_us"])
        assert entry["rows"] == cycle_rows(*rule)
        hour = (window[0] // 3_600_000_000) % 24
        if HOURLY[hour] == 0:  # a window inside an hour of weight 0 has no rows
            assert entry["rows"] == 0
    assert sum(e["rows"] for e in read_manifest(whole)) > 0
    report = api.verify("web", whole, schema)
    assert report.ok, [str(f) for f in report.findings[:3]]

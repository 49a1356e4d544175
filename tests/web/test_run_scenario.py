"""Scenario controls through the app: changed for the next cycles of a live run, recorded."""

from __future__ import annotations

import json
import time
from pathlib import Path

from fastapi.testclient import TestClient
from tests.times import micros

from streamforge import api
from streamforge.engine.late_rows import LateOrigin
from streamforge.readback import read_manifest


def test_a_scenario_applies_to_the_next_cycles_and_lands_in_the_manifest(client: TestClient):
    body = {"sector": "Energy", "destination": "scn", "interval": 0.2, "seed": 5}
    run = client.post("/api/runs", json=body).json()
    controls = {"late_rate": 0.3, "duplicate_rate": 0.1, "burst": 2}
    answer = client.put(f"/api/runs/{run['id']}/scenario", json=controls)
    assert answer.status_code == 200
    assert answer.json()["scenario"]["burst"] == 2
    deadline = time.monotonic() + 30
    while True:
        entries = read_manifest(Path(run["destination"]))
        marked = [e for e in entries if e.get("scenario")]
        if len({e["cycle"] for e in marked}) >= 2:
            break
        assert time.monotonic() < deadline
        time.sleep(0.1)
    client.post(f"/api/runs/{run['id']}/stop")
    for entry in marked:
        assert entry["scenario"] == {"late_rate": 0.3, "duplicate_rate": 0.1, "burst": 2.0}
    facts = [e for e in marked if e["table"] == "meter_readings"]
    # The YAML's 2,000 rows doubled, shaped by its profile over each file's window; its late
    # rows (now 30%) follow the cycle they belong to (engine.late_rows).
    profile = api.load_plan("Energy").table("meter_readings").spec.profile
    assert profile is not None
    start = json.loads((Path(run["destination"]) / "_streamforge" / "state.json").read_text())
    origin = LateOrigin(profile, 2000, 2.0, 5, "meter_readings", start["meta"]["start_us"], 0.3)
    for e in facts:
        window = (micros(e["window_start"]), micros(e["window_end"]))
        assert e["rows"] == origin.share(e["cycle"], window).rows
    assert facts


def test_controls_out_of_range_are_422_naming_the_field(client: TestClient) -> None:
    run = client.post("/api/runs", json={"destination": "scn2", "interval": 30}).json()
    for field, value in (("late_rate", 0.9), ("burst", 0), ("anomaly_rate", -1)):
        answer = client.put(f"/api/runs/{run['id']}/scenario", json={field: value})
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"][-1] == field
    assert client.put("/api/runs/nope/scenario", json={}).status_code == 404
    client.post(f"/api/runs/{run['id']}/stop")

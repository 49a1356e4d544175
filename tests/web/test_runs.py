"""Live runs through the API: allowed destinations, one run per destination, start and stop."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from streamforge.web.runs import BadDestination, resolve_destination


@pytest.mark.parametrize("destination", ["../x", "a/../../x", "/etc", "/etc/streamforge", "/tmp"])
def test_destination_outside_the_roots_is_400(client: TestClient, destination: str) -> None:
    answer = client.post("/api/runs", json={"destination": destination, "interval": 1})
    assert answer.status_code == 400
    assert answer.json()["detail"]


def test_destination_rules(tmp_path: Path) -> None:
    assert resolve_destination("a/b", tmp_path) == str(tmp_path.resolve() / "a" / "b")
    assert resolve_destination(".", tmp_path) == str(tmp_path.resolve())
    assert (
        resolve_destination("/Volumes/main/sf/landing/x", tmp_path) == "/Volumes/main/sf/landing/x"
    )
    assert resolve_destination("dbfs:/Volumes/c/s/v", tmp_path) == "/Volumes/c/s/v"
    for bad in ("/Volumes/c/s", "/Volumes/c/s/v/../w", ""):
        with pytest.raises(BadDestination):
            resolve_destination(bad, tmp_path)


def test_unknown_sector_run_is_404(client: TestClient) -> None:
    assert client.post("/api/runs", json={"sector": "Atlantis"}).status_code == 404


def wait_for(client: TestClient, run_id: str, done, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/runs/{run_id}").json()
        if done(status):
            return status
        time.sleep(0.1)
    raise AssertionError(f"run never got there: {status}")


def test_run_reaches_cycle_2_then_stops_and_a_second_run_is_409(
    client: TestClient, landing_root: Path
) -> None:
    body = {"sector": "Energy", "destination": "energy", "interval": 0.2, "seed": 7}
    started = client.post("/api/runs", json=body)
    assert started.status_code == 201
    run = started.json()
    assert run["destination"] == str(landing_root.resolve() / "energy")
    again = client.post("/api/runs", json=body)
    assert again.status_code == 409 and "already writing" in again.json()["detail"]

    status = wait_for(client, run["id"], lambda s: s["cycle"] >= 2)
    assert status["state"] == "running" and not status["resumed"]
    assert status["tables"]["meter_readings"]["files"] >= 2
    assert len(status["history"]) >= 2 and status["last_error"] is None

    stopped = client.post(f"/api/runs/{run['id']}/stop").json()
    assert stopped["state"] in ("stopped", "stopping")
    wait_for(client, run["id"], lambda s: s["state"] == "stopped")
    assert (landing_root / "energy" / "_streamforge" / "state.json").exists()
    assert [r["id"] for r in client.get("/api/runs").json()] == [run["id"]]

    # The same destination again: allowed now, and it resumes from the checkpoint.
    resumed = client.post("/api/runs", json=body)
    assert resumed.status_code == 201
    status = wait_for(client, run["id"], lambda s: s["resumed"] and s["cycle"] > stopped["cycle"])
    client.post(f"/api/runs/{run['id']}/stop")


def test_an_unknown_format_is_refused_before_the_run_starts(client: TestClient) -> None:
    body = {"destination": "bad-format", "format": "xml", "interval": 0.2}
    answer = client.post("/api/runs", json=body)
    assert answer.status_code == 422 and "format" in answer.text
    assert client.get("/api/runs").json() == []

"""Runs started in the app survive an app restart: active ones resume, stopped ones stay listed."""

from __future__ import annotations

import json
import time
from pathlib import Path

from fastapi.testclient import TestClient

from streamforge import api
from streamforge.web import create_app
from streamforge.web.run_store import RELPATH

ENV = {"STREAMFORGE_MIN_INTERVAL": "0.1"}
BODY = {"sector": "Energy", "destination": "energy", "interval": 0.2, "seed": 11}


def wait_for(client: TestClient, run_id: str, done, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    status: dict = {}
    while time.monotonic() < deadline:
        status = client.get(f"/api/runs/{run_id}").json()
        if done(status):
            return status
        time.sleep(0.1)
    raise AssertionError(f"run never got there: {status}")


def test_an_active_run_resumes_after_a_restart_with_its_earlier_counts(landing_root: Path):
    dimensions = {t.name: t.spec.num_rows for t in api.load_plan("Energy").dimensions}
    with TestClient(create_app(landing_root=landing_root, env=ENV)) as client:
        run = client.post("/api/runs", json=BODY).json()
        before = wait_for(client, run["id"], lambda s: s["cycle"] >= 2)
    saved = json.loads((landing_root / RELPATH).read_text())
    assert [(s["destination"], s["state"]) for s in saved] == [(run["destination"], "running")]

    with TestClient(create_app(landing_root=landing_root, env=ENV)) as client:
        runs = client.get("/api/runs").json()
        assert [r["id"] for r in runs] == [run["id"]]
        after = wait_for(client, run["id"], lambda s: s["resumed"] and s["cycle"] > before["cycle"])
        assert after["state"] == "running"
        for name, rows in dimensions.items():  # written by the first server, counted by this one
            assert after["tables"][name]["rows"] == rows
        assert after["rows"] > before["rows"]
        client.post(f"/api/runs/{run['id']}/stop")
        wait_for(client, run["id"], lambda s: s["state"] == "stopped")

    # Stopped by the user: listed after a restart, not started again; then removed for good.
    with TestClient(create_app(landing_root=landing_root, env=ENV)) as client:
        (listed,) = client.get("/api/runs").json()
        assert listed["state"] == "stopped" and not listed["active"]
        assert listed["tables"]["customer"]["rows"] == dimensions["customer"]
        assert client.delete(f"/api/runs/{run['id']}").status_code == 204
    with TestClient(create_app(landing_root=landing_root, env=ENV)) as client:
        assert client.get("/api/runs").json() == []
    assert (landing_root / "energy" / "customer").is_dir()  # removing a run keeps its files


def test_an_active_run_cannot_be_removed_and_a_failed_one_can(client: TestClient) -> None:
    run = client.post("/api/runs", json=BODY).json()
    assert client.delete(f"/api/runs/{run['id']}").status_code == 409
    client.post(f"/api/runs/{run['id']}/stop")
    wait_for(client, run["id"], lambda s: not s["active"])
    assert client.delete(f"/api/runs/{run['id']}").status_code == 204
    assert client.delete(f"/api/runs/{run['id']}").status_code == 404


def test_a_damaged_store_is_ignored(landing_root: Path) -> None:
    (landing_root / RELPATH).parent.mkdir(parents=True)
    (landing_root / RELPATH).write_text("{not json")
    with TestClient(create_app(landing_root=landing_root, env=ENV)) as client:
        assert client.get("/api/runs").json() == []


def test_status_reports_a_countdown_and_rates(client: TestClient) -> None:
    run = client.post("/api/runs", json={**BODY, "interval": 0.5}).json()
    status = wait_for(client, run["id"], lambda s: s["cycle"] >= 3 and s["next_cycle_in"])
    assert 0 <= status["next_cycle_in"] <= 0.5
    assert status["next_cycle_at"] > time.time() - 1
    assert status["rows_per_s"] > 0 and status["mb_per_s"] > 0
    assert status["bytes"] == sum(t["bytes"] for t in status["tables"].values()) > 0
    client.post(f"/api/runs/{run['id']}/stop")

"""Deploying a generated pipeline from the app with the real databricks-sdk against a local
workspace: the project the page shows, shared with the user or created as them, and started."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from streamforge import deploy
from streamforge.web import create_app

from .workspace_api_server import APP_TOKEN, USER_TOKEN, FakeWorkspace

VOLUME = "/Volumes/main/demo/landing"


@pytest.fixture
def app_client(workspace: FakeWorkspace, tmp_path: Path) -> Iterator[TestClient]:
    env = {"DATABRICKS_HOST": workspace.url, "DATABRICKS_TOKEN": APP_TOKEN}
    with TestClient(create_app(landing_root=tmp_path / "landing", env=env)) as client:
        yield client


def test_deploy_creates_shares_and_starts_the_pipeline(workspace, app_client) -> None:
    assert "Deploy &amp; start" in app_client.get("/pipeline").text
    body = {"catalog": "dev", "landing": VOLUME, "format": "csv", "scd": 2}
    answer = app_client.post(
        "/api/pipeline/Energy/deploy", json=body, headers={"X-Forwarded-Email": "ana@example.com"}
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    ((ident, pipeline),) = workspace.pipelines.items()
    assert result["pipeline_id"] == ident and result["url"].endswith(f"/pipelines/{ident}")
    assert pipeline["name"] == "streamforge_energy" and pipeline["catalog"] == "dev"
    assert pipeline["schema"] == "streamforge_energy"  # one schema per sector: no collisions
    assert pipeline["configuration"]["streamforge.landing"] == VOLUME
    assert pipeline["owner_token"] == APP_TOKEN
    # The person who deployed through the app's identity can open and run it.
    assert workspace.grants[ident] == [
        {"user_name": "ana@example.com", "permission_level": "CAN_MANAGE"}
    ]
    assert workspace.updates == [ident] and result["update_id"] == "u-1"
    # The uploaded sources are those of the page's choice: csv landing, SCD type 2.
    page = app_client.get("/api/pipeline/Energy", params={"format": "csv", "scd": 2}).json()
    sources = {p for p in page["files"] if p.startswith("transformations/")}
    assert set(workspace.imported) == {f"{pipeline['root_path']}/{p}" for p in sources}


def test_a_second_deploy_updates_the_same_pipeline(workspace, app_client) -> None:
    for _ in range(2):
        answer = app_client.post("/api/pipeline/Energy/deploy", json={"landing": VOLUME})
        assert answer.status_code == 200, answer.text
    assert len(workspace.pipelines) == 1 and not answer.json()["created"]


def test_with_the_users_token_the_pipeline_is_theirs(workspace, app_client) -> None:
    headers = {"X-Forwarded-Access-Token": USER_TOKEN, "X-Forwarded-Email": "ana@example.com"}
    answer = app_client.post(
        "/api/pipeline/Energy/deploy", json={"landing": VOLUME}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    (pipeline,) = workspace.pipelines.values()
    assert pipeline["owner_token"] == USER_TOKEN and not workspace.grants
    assert {token for _, _, token in workspace.log} == {USER_TOKEN}


def test_a_deploy_from_a_run_uses_its_format_landing_and_interval(workspace, app_client) -> None:
    registry = app_client.app.state.registry
    from streamforge.web.run_record import RunRecord, RunRequest

    record = RunRecord(
        "r1", RunRequest("Energy", VOLUME, "parquet", 120.0), VOLUME, state="stopped"
    )
    registry._runs[VOLUME] = record
    answer = app_client.post("/api/pipeline/Energy/deploy", json={"run": "r1"})
    assert answer.status_code == 200, answer.text
    choice = answer.json()["choice"]
    assert (choice["fmt"], choice["landing"], choice["interval"]) == ("parquet", VOLUME, 120.0)
    page = app_client.get("/pipeline", params={"run": "r1"}).text
    assert VOLUME in page and "parquet landing" in page and "every 120.0 s" in page


def test_spark_and_local_landings_are_not_deployed(workspace, app_client) -> None:
    spark = app_client.post("/api/pipeline/Energy/deploy", json={"target": "spark"})
    assert spark.status_code == 400 and "target" in spark.json()["detail"]
    local = app_client.post("/api/pipeline/Energy/deploy", json={"landing": "/tmp/x"})
    assert local.status_code == 400 and "landing" in local.json()["detail"]
    assert not workspace.pipelines


def test_an_unreachable_workspace_answers_within_a_minute(tmp_path, monkeypatch) -> None:
    # A socket that accepts connections and never answers: the worst a dead proxy does.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    host = f"http://127.0.0.1:{silent.getsockname()[1]}"
    monkeypatch.setattr("streamforge.web.pipeline_routes.DEPLOY_TIMEOUT_S", 6)
    monkeypatch.setenv("DATABRICKS_HOST", host)
    monkeypatch.setenv("DATABRICKS_TOKEN", APP_TOKEN)
    env = {"DATABRICKS_HOST": host, "DATABRICKS_TOKEN": APP_TOKEN}
    try:
        with TestClient(create_app(landing_root=tmp_path, env=env)) as client:
            started = time.monotonic()
            answer = client.post("/api/pipeline/Energy/deploy", json={"landing": VOLUME})
            took = time.monotonic() - started
    finally:
        silent.close()
    assert answer.status_code == 502 and "could not be reached" in answer.json()["detail"]
    assert took < 60


def test_the_default_deploy_budget_is_under_a_minute() -> None:
    from streamforge.web.pipeline_routes import DEPLOY_TIMEOUT_S

    assert DEPLOY_TIMEOUT_S < 60


def test_deploy_without_credentials_is_refused(client: TestClient) -> None:
    assert client.post("/api/pipeline/Energy/deploy", json={}).status_code == 403


def test_credentials_present() -> None:
    assert not deploy.credentials_present({})
    assert not deploy.credentials_present({"DATABRICKS_HOST": "https://x"})
    assert deploy.credentials_present({"DATABRICKS_HOST": "https://x", "DATABRICKS_TOKEN": "t"})


def test_the_api_refuses_a_sector_or_format_that_contradicts_the_run(app_client) -> None:
    """A run fixes its sector and format: the JSON API answering for the run's instead of the
    asked one (Finance -> Energy, csv -> parquet) would hand over a project for other data."""
    from streamforge.web.run_record import RunRecord, RunRequest

    record = RunRecord("r1", RunRequest("Energy", VOLUME, "parquet", 30.0), VOLUME, state="stopped")
    app_client.app.state.registry._runs[VOLUME] = record
    assert app_client.get("/api/pipeline/Energy", params={"run": "r1"}).status_code == 200
    same = app_client.get("/api/pipeline/Energy", params={"run": "r1", "format": "parquet"})
    assert same.status_code == 200 and same.json()["fmt"] == "parquet"
    other_sector = app_client.get("/api/pipeline/Finance", params={"run": "r1"})
    assert other_sector.status_code == 409 and "Energy" in other_sector.json()["detail"]
    other_format = app_client.get("/api/pipeline/Energy/zip", params={"run": "r1", "format": "csv"})
    assert other_format.status_code == 409 and "parquet" in other_format.json()["detail"]
    deploy = app_client.post("/api/pipeline/Finance/deploy", json={"run": "r1"})
    assert deploy.status_code == 409
    # The page follows the run: switching its "From run" menu submits the sector shown before.
    page = app_client.get("/pipeline", params={"run": "r1", "sector": "Finance", "format": "csv"})
    assert page.status_code == 200 and "parquet landing" in page.text

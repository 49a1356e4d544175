"""Deploying a generated pipeline with databricks-sdk, against a fake workspace client."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi.testclient import TestClient

from streamforge import deploy
from streamforge.web import create_app


class FakePipelines:
    def __init__(self, existing: list) -> None:
        self.existing, self.created, self.updated = existing, [], []

    def list_pipelines(self, filter: str | None = None):
        return iter(self.existing)

    def create(self, **settings):
        self.created.append(settings)
        return SimpleNamespace(pipeline_id="p-new")

    def update(self, pipeline_id: str, **settings):
        self.updated.append((pipeline_id, settings))


class FakeWorkspace:
    def __init__(self) -> None:
        self.dirs, self.files = [], {}

    def mkdirs(self, path: str) -> None:
        self.dirs.append(path)

    def upload(self, path: str, content: bytes, format=None, overwrite: bool = False) -> None:
        self.files[path] = content


def fake_client(existing: list | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        config=SimpleNamespace(host="https://example.cloud.databricks.com/"),
        pipelines=FakePipelines(existing or []),
        workspace=FakeWorkspace(),
    )


FILES = {"transformations/sf.py": "print(1)\n", "databricks.yml": "bundle: {}\n"}


def test_creates_a_serverless_pipeline_reading_the_landing() -> None:
    client = fake_client()
    result = deploy.deploy_pipeline(
        client, name="sf", files=FILES, catalog="main", schema="demo", landing="/Volumes/a/b/c"
    )
    assert result == deploy.Deployment(
        "p-new", "https://example.cloud.databricks.com/pipelines/p-new", True
    )
    settings = client.pipelines.created[0]
    assert settings["serverless"] and settings["catalog"] == "main" and settings["schema"] == "demo"
    assert settings["configuration"] == {"streamforge.landing": "/Volumes/a/b/c"}
    assert [lib.file.path for lib in settings["libraries"]] == [
        "/Workspace/Shared/streamforge/sf/transformations/sf.py"
    ]
    assert list(client.workspace.files) == [
        "/Workspace/Shared/streamforge/sf/transformations/sf.py"
    ]


def test_updates_the_pipeline_of_the_same_name() -> None:
    client = fake_client([SimpleNamespace(name="sf", pipeline_id="p-1")])
    result = deploy.deploy_pipeline(
        client, name="sf", files=FILES, catalog="main", schema="demo", landing="/Volumes/a/b/c"
    )
    assert not result.created and result.pipeline_id == "p-1"
    assert client.pipelines.updated[0][0] == "p-1" and not client.pipelines.created


def test_credentials_present() -> None:
    assert not deploy.credentials_present({})
    assert not deploy.credentials_present({"DATABRICKS_HOST": "https://x"})
    assert deploy.credentials_present({"DATABRICKS_HOST": "https://x", "DATABRICKS_TOKEN": "t"})


def test_deploy_through_the_api(tmp_path) -> None:
    client = fake_client()
    app = create_app(landing_root=tmp_path, env={}, workspace_client=client)
    with TestClient(app) as http:
        assert "Deploy pipeline" in http.get("/pipeline").text
        answer = http.post("/api/pipeline/Energy/deploy", json={"catalog": "dev"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["url"].endswith("/pipelines/p-new")
    assert client.pipelines.created[0]["name"] == "streamforge_energy"
    assert client.pipelines.created[0]["catalog"] == "dev"


def test_deploy_without_credentials_is_refused(client: TestClient) -> None:
    assert client.post("/api/pipeline/Energy/deploy", json={}).status_code == 403

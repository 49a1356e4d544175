"""A schema folder in a workspace folder or a Volume (STREAMFORGE_SCHEMA_DIR=/Workspace/... or
/Volumes/...): sectors listed and loaded from it, saves written to it (only valid YAML), with the
real databricks-sdk against local fakes of the workspace and Files APIs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config
from fastapi.testclient import TestClient

from streamforge import schema_remote, sectors
from streamforge.errors import StreamForgeError
from streamforge.web import create_app
from volume.files_api_server import TOKEN, FilesApiServer  # tests/volume (rootdir on sys.path)

from .workspace_api_server import FakeWorkspace

LIBRARY = sectors.resolve_schema_dir(None)
FOLDER = "/Workspace/Users/someone@example.com/streamforge/schema"
VOLUME = "/Volumes/main/demo/schema"
PLANT = "/api/sectors/Energy/tables/plant"


@pytest.fixture
def workspace(workspace: FakeWorkspace) -> FakeWorkspace:
    """The local workspace holding a copy of the Energy sector in FOLDER."""
    workspace.folders.update({FOLDER, f"{FOLDER}/Energy"})
    for file in (LIBRARY / "Energy").glob("*.yml"):
        workspace.files[f"{FOLDER}/Energy/{file.name}"] = file.read_bytes()
    return workspace


@pytest.fixture
def app(workspace: FakeWorkspace, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(FOLDER, landing_root=tmp_path / "landing", env={})) as client:
        yield client


def test_sectors_load_from_the_workspace_folder(workspace, app) -> None:
    assert "Energy" in app.get("/sectors").text
    tables = {t["name"] for t in app.get("/api/sectors/Energy").json()["tables"]}
    assert tables == {p.stem for p in (LIBRARY / "Energy").glob("*.yml")}
    assert app.app.state.settings.schema_source == FOLDER


def test_save_writes_valid_yaml_to_the_workspace_and_refuses_invalid(workspace, app) -> None:
    remote = f"{FOLDER}/Energy/plant.yml"
    original = workspace.files[remote].decode()
    broken = original.replace("type: dimension", "type: dim")
    refused = app.put(PLANT, json={"text": broken})
    assert refused.status_code == 400 and "not saved" in refused.json()["detail"]
    assert workspace.files[remote].decode() == original  # nothing reached the workspace
    better = original.replace("num_rows: 120", "num_rows: 121")
    assert app.put(PLANT, json={"text": better}).status_code == 200
    assert workspace.files[remote].decode() == better  # byte for byte, final newline included
    tables = {t["name"]: t for t in app.get("/api/sectors/Energy").json()["tables"]}
    assert tables["plant"]["rows"] == 121


def test_new_tables_and_sectors_are_created_in_the_workspace(workspace, app) -> None:
    made = app.post("/api/sectors/Energy/tables", json={"name": "tariff", "kind": "fact"})
    assert made.status_code == 201 and f"{FOLDER}/Energy/tariff.yml" in workspace.files
    assert app.post("/api/sectors", json={"name": "Telecom"}).status_code == 201
    assert f"{FOLDER}/Telecom" in workspace.folders
    assert f"{FOLDER}/Telecom/telecom.yml" in workspace.files
    assert app.get("/api/sectors/Telecom").json()["errors"] == 0


def test_the_sector_list_follows_what_others_saved_in_the_workspace(workspace, app) -> None:
    workspace.folders.add(f"{FOLDER}/Retail")
    for file in (LIBRARY / "Retail").glob("*.yml"):
        workspace.files[f"{FOLDER}/Retail/{file.name}"] = file.read_bytes()
    assert "/sectors/Retail" in app.get("/sectors").text  # the Sectors page reloads the folder
    assert app.get("/api/sectors/Retail").json()["errors"] == 0


def test_an_unreadable_folder_is_a_clear_error(workspace, tmp_path) -> None:
    with pytest.raises(
        StreamForgeError, match=r"cannot read the schema folder /Workspace/Users/nobody"
    ):
        create_app("/Workspace/Users/nobody/schema", landing_root=tmp_path, env={})


def test_without_credentials_the_app_says_what_is_missing(monkeypatch, tmp_path) -> None:
    for key in list(os.environ):
        if key.startswith(("DATABRICKS_", "ARM_", "AZURE_", "GOOGLE_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(StreamForgeError, match=r"cannot authenticate.*set DATABRICKS_HOST"):
        create_app(FOLDER, landing_root=tmp_path, env={})


def test_a_volume_schema_folder_reads_and_saves_through_the_files_api(tmp_path: Path) -> None:
    server = FilesApiServer()
    files = server.start()
    try:
        files.volumes.add(VOLUME)
        files.directories.add(f"{VOLUME}/Energy")
        for file in (LIBRARY / "Energy").glob("*.yml"):
            files.files[f"{VOLUME}/Energy/{file.name}"] = file.read_bytes()
        client = WorkspaceClient(config=Config(host=files.url, token=TOKEN))
        app = create_app(f"dbfs:{VOLUME}", landing_root=tmp_path, env={}, workspace_client=client)
        with TestClient(app) as web:
            text = files.files[f"{VOLUME}/Energy/plant.yml"].decode()
            better = text.replace("num_rows: 120", "num_rows: 122")
            assert web.put(PLANT, json={"text": better}).status_code == 200
            assert files.files[f"{VOLUME}/Energy/plant.yml"].decode() == better
            assert web.put(PLANT, json={"text": "table: [\n"}).status_code == 400
            assert files.files[f"{VOLUME}/Energy/plant.yml"].decode() == better
    finally:
        server.stop()


def test_remote_folders_are_recognised() -> None:
    for remote in (FOLDER, VOLUME, f"dbfs:{VOLUME}"):
        assert schema_remote.is_remote(remote)
    for local in ("schema", "./Workspace/x", "/tmp/Volumes/x", None):
        assert not schema_remote.is_remote(local)

"""A TestClient over an app whose landing root is a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from streamforge.web import create_app

from .workspace_api_server import APP_TOKEN, FakeWorkspace, WorkspaceServer


@pytest.fixture
def landing_root(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root


@pytest.fixture
def client(landing_root: Path) -> Iterator[TestClient]:
    # Runs in tests cycle every 0.2 s; the app's default minimum interval is 1 s.
    env = {"STREAMFORGE_MIN_INTERVAL": "0.1"}
    with TestClient(create_app(landing_root=landing_root, env=env)) as test_client:
        yield test_client


@pytest.fixture
def workspace(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeWorkspace]:
    """A local workspace API, and the SDK's default chain (env) pointed at it, as on Apps."""
    for key in list(os.environ):
        if key.startswith(("DATABRICKS_", "ARM_", "AZURE_", "GOOGLE_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path))
    server = WorkspaceServer()
    state = server.start()
    monkeypatch.setenv("DATABRICKS_HOST", state.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", APP_TOKEN)
    yield state
    server.stop()

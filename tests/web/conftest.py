"""A TestClient over an app whose landing root is a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from streamforge.web import create_app


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

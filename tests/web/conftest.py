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
    with TestClient(create_app(landing_root=landing_root, env={})) as test_client:
        yield test_client

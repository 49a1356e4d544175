"""Fixtures: a fake Files API server, a real SDK client pointed at it, and landings on it.

The SDK retries 429/503 itself, sleeping on `Config.clock`; the landing retries through its
`RetryPolicy.sleep`. Both are replaced by recorders here, so no test ever really sleeps.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.clock import Clock
from databricks.sdk.config import Config

from streamforge.sinks.volume import RetryPolicy, VolumeLanding

from .files_api_server import TOKEN, FakeFilesApi, FilesApiServer

DEST = "/Volumes/main/demo/landing/energy"
ROOT = "/Volumes/main/demo/landing/energy"


class SdkClock(Clock):
    """The SDK's clock: sleeping only moves time on, and is recorded."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def databricks_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No credentials or profile from the machine running the tests may leak in."""
    for key in list(os.environ):
        if key.startswith(("DATABRICKS_", "ARM_", "AZURE_", "GOOGLE_")):
            monkeypatch.delenv(key)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(home / ".databrickscfg"))


@pytest.fixture
def files_api() -> Iterator[FakeFilesApi]:
    server = FilesApiServer()
    yield server.start()
    server.stop()


@pytest.fixture
def sdk_clock() -> SdkClock:
    return SdkClock()


@pytest.fixture
def client(files_api: FakeFilesApi, sdk_clock: SdkClock) -> WorkspaceClient:
    config = Config(host=files_api.url, token=TOKEN, clock=sdk_clock, retry_timeout_seconds=60)
    return WorkspaceClient(config=config)


@pytest.fixture
def sleeps() -> list[float]:
    """What the landing's own retries slept, in order."""
    return []


@pytest.fixture
def make_landing(client: WorkspaceClient, sleeps: list[float]) -> Callable[..., VolumeLanding]:
    def make(dest: str = DEST, **options: Any) -> VolumeLanding:
        # jitter 0.5 makes each wait 3/4 of its ceiling: exact numbers to assert on
        options.setdefault("retry", RetryPolicy(sleep=sleeps.append, jitter=lambda: 0.5))
        return VolumeLanding.from_path(dest, client=client, **options)

    return make


@pytest.fixture
def landing(make_landing: Callable[..., VolumeLanding]) -> VolumeLanding:
    return make_landing()

"""Suite-wide command-line options: pytest reads `pytest_addoption` only from the root conftest."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings

# Faker pools are cached on disk (streamforge.engine.pool_cache): the suite, and every command it
# starts as a subprocess, uses a folder of its own, never the real ~/.cache.
if "STREAMFORGE_CACHE_DIR" not in os.environ:
    os.environ["STREAMFORGE_CACHE_DIR"] = tempfile.mkdtemp(prefix="streamforge-cache-")
    atexit.register(shutil.rmtree, os.environ["STREAMFORGE_CACHE_DIR"], ignore_errors=True)

# The suite shares a 2-core machine with Spark, a browser and other jobs: a property test's speed
# says nothing about its correctness, so timing health checks and deadlines are off everywhere.
settings.register_profile(
    "streamforge",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("streamforge")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files (tests/golden/**/expected.txt) from the current output.",
    )
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="Also run tests marked slow (Spark, browser); always on when CI is set.",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests (a real Spark, a real browser) run in CI and on request, not on every save."""
    if config.getoption("--run-slow") or os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (CI=true runs them)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """`pytest --update-golden` rewrites golden files from the current output."""
    return bool(request.config.getoption("--update-golden", default=False))

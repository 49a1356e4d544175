"""Golden-file fixtures: `--update-golden` (declared in tests/conftest.py) rewrites them."""

from __future__ import annotations

import pytest


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden", default=False))

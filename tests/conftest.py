"""Suite-wide command-line options: pytest reads `pytest_addoption` only from the root conftest."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files (tests/golden/**/expected.txt) from the current output.",
    )

"""The code base stays ruff-clean (lint and format) and mypy-clean: CI runs this with the rest
of the suite."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_is_clean(args: list[str]) -> None:
    ruff = shutil.which("ruff")
    assert ruff is not None, "ruff is a dev dependency: pip install -e '.[dev]'"
    result = subprocess.run(
        [ruff, *args, "src", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # a cold mypy run takes most of a minute; CI runs the slow tests
def test_mypy_is_clean() -> None:
    mypy = shutil.which("mypy")
    assert mypy is not None, "mypy is a dev dependency: pip install -e '.[dev]'"
    result = subprocess.run([mypy, "src"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_declares_inline_types() -> None:
    """PEP 561: type checkers read our annotations only if the package ships a `py.typed` file."""
    from importlib.resources import files

    assert files("streamforge").joinpath("py.typed").is_file()

"""The facade is the top of the import graph (issue #12 points 2 and 5): the CLI and the web app
call `api.py`; nothing that `api.py` re-exports imports it back (api <-> api_pipelines was a
circle, hidden behind imports inside functions)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import streamforge

PACKAGE = Path(streamforge.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every streamforge module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("streamforge")}


def test_what_the_facade_reexports_does_not_import_the_facade() -> None:
    halves = sorted(PACKAGE.glob("api_*.py"))
    assert len(halves) >= 2
    for half in halves:
        assert "streamforge.api" not in imported_modules(half), half.name
    assert "streamforge.api_pipelines" in imported_modules(PACKAGE / "api.py")  # the check bites


def test_the_cli_and_web_app_do_not_reach_past_the_facade_for_deploy() -> None:
    """Deploying a pipeline goes through api.py like everything else the doors do."""
    doors = [*PACKAGE.glob("cli*.py"), *(PACKAGE / "web").glob("*.py")]
    for door in doors:
        assert "streamforge.deploy" not in imported_modules(door), door.name


def typed_names(path: Path) -> dict[str, str]:
    """Names `path` imports under `if TYPE_CHECKING:`, each with the module it comes from."""
    found: dict[str, str] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for child in node.body:
                if isinstance(child, ast.ImportFrom) and child.module:
                    found |= {alias.asname or alias.name: child.module for alias in child.names}
    return found


def test_every_facade_name_loads_from_the_module_mypy_sees() -> None:
    """api.py loads its names on first use (`_HOMES`) and tells mypy about them under
    TYPE_CHECKING: the two lists name the same things, and each name is there at run time."""
    from streamforge import api

    homes = {name: module for module, names in api._HOMES.items() for name in names}
    assert typed_names(PACKAGE / "api.py") == homes
    for name, module in homes.items():
        assert getattr(api, name) is getattr(importlib.import_module(module), name), name
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        api.nothing_here  # noqa: B018


def test_importing_the_facade_loads_none_of_its_halves() -> None:
    """`streamforge --version` imports api.py: it must not load the engine or the api_* modules."""
    code = (
        "import sys, streamforge.api; "
        "print(sorted(m for m in sys.modules if m.startswith(('streamforge.api_', "
        "'streamforge.engine', 'pyarrow'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"

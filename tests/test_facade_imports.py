"""The facade is the top of the import graph (issue #12 points 2 and 5): the CLI and the web app
call `api.py`; nothing that `api.py` re-exports imports it back (api <-> api_pipelines was a
circle, hidden behind imports inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

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
    imports = imported_modules(PACKAGE / "api_pipelines.py")
    assert "streamforge.api" not in imports
    assert "streamforge.api_pipelines" in imported_modules(PACKAGE / "api.py")  # the check bites


def test_the_cli_and_web_app_do_not_reach_past_the_facade_for_deploy() -> None:
    """Deploying a pipeline goes through api.py like everything else the doors do."""
    doors = [*PACKAGE.glob("cli*.py"), *(PACKAGE / "web").glob("*.py")]
    for door in doors:
        assert "streamforge.deploy" not in imported_modules(door), door.name

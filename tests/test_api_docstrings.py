"""Contracts on the public surface (issue #12 point 7): every public function of the facade
(the `api_*.py` modules that `api.py` re-exports) and of the Spark engine's
notebook entry points documents, Google style, each of its parameters under Args and what it
gives back under Returns."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import streamforge

PACKAGE = Path(streamforge.__file__).parent
FACADE = sorted(path.name for path in PACKAGE.glob("api_*.py"))
ENTRY_POINTS = ("engine_spark/generate.py",)


def public_functions(source: str) -> list[ast.FunctionDef]:
    """Module-level functions whose names do not start with `_`."""
    return [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]


def section(doc: str, title: str) -> str | None:
    """The text of a Google-style section (`Args:`), up to the next section; None if absent."""
    found = re.search(rf"^\s*{title}:\s*$(.*?)(?=^\s*[A-Z][a-z]+:\s*$|\Z)", doc, re.M | re.S)
    return found.group(1) if found else None


def contract_gaps(node: ast.FunctionDef) -> list[str]:
    """What the docstring of `node` lacks: a missing section, or a parameter not under Args."""
    doc = ast.get_docstring(node) or ""
    gaps = []
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
    args = section(doc, "Args")
    if params and args is None:
        gaps.append("Args")
    for name in params if args is not None else ():
        if not re.search(rf"(^|\s){name}:", args):
            gaps.append(f"Args: {name}")
    returns_none = node.returns is not None and ast.unparse(node.returns) == "None"
    if not returns_none and section(doc, "Returns") is None:
        gaps.append("Returns")
    return gaps


@pytest.mark.parametrize("module", FACADE)
def test_every_public_facade_function_documents_args_and_returns(module: str) -> None:
    functions = public_functions((PACKAGE / module).read_text(encoding="utf-8"))
    assert functions  # the walk found the module's functions
    gaps = {f.name: contract_gaps(f) for f in functions}
    assert {name: lacking for name, lacking in gaps.items() if lacking} == {}


def test_the_facade_walk_sees_the_whole_facade() -> None:
    found = [
        f.name
        for module in FACADE
        for f in public_functions((PACKAGE / module).read_text(encoding="utf-8"))
    ]
    assert {"generate", "run", "verify", "pipeline", "deploy_pipeline"} <= set(found)
    assert len(found) >= 30


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_every_engine_entry_point_documents_args_and_returns(module: str) -> None:
    functions = public_functions((PACKAGE / module).read_text(encoding="utf-8"))
    assert functions  # the walk found the entry points
    gaps = {f.name: contract_gaps(f) for f in functions}
    assert {name: lacking for name, lacking in gaps.items() if lacking} == {}


def test_the_contract_check_finds_what_is_missing() -> None:
    source = '''
def bare(sector, rows=20):
    """One line only."""

def half(sector: str, rows: int) -> int:
    """Half documented.

    Args:
        sector: a sector.

    Returns:
        A count.
    """

def quiet(path) -> None:
    """Nothing to return.

    Args:
        path: where.
    """

def _private(x):
    pass
'''
    found = {f.name: contract_gaps(f) for f in public_functions(source)}
    assert found == {"bare": ["Args", "Returns"], "half": ["Args: rows"], "quiet": []}

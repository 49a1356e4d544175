"""Layering (issue 12 point 2): spec -> plan -> engine -> sinks, with codegen (pipelines/) and the
oracle (verify/) beside the engine, never on top of it; and no import circles in the package.

Read from the source with `ast`, so an import inside a function or under TYPE_CHECKING counts for
the layering rule (a lazy import is still a dependency); the cycle check looks at the imports that
run when a module loads, the ones that can leave a module half-initialised."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "streamforge"
BELOW_THE_ENGINE = ("plan", "pipelines", "verify")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(path: Path, *, load_time_only: bool) -> set[str]:
    """Modules `path` imports (absolute names); with `load_time_only`, skip imports inside
    functions and under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if load_time_only and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if (
                load_time_only
                and isinstance(child, ast.If)
                and "TYPE_CHECKING" in ast.unparse(child.test)
            ):
                continue
            if isinstance(child, ast.Import):
                names.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                names.add(base)
                names.update(f"{base}.{a.name}" for a in child.names)
            visit(child)

    visit(tree)
    return names


@pytest.mark.parametrize("layer", BELOW_THE_ENGINE)
def test_layer_does_not_import_the_engine(layer: str) -> None:
    offenders = {
        name: sorted(
            i for i in imported(path, load_time_only=False) if i.startswith("streamforge.engine")
        )
        for name, path in modules().items()
        if name.startswith(f"streamforge.{layer}.") or name == f"streamforge.{layer}"
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert offenders, f"no module found under streamforge.{layer}"  # the walk saw the layer


# Layers that must not reach up (issue 12 point 4): the engines sit below the facade and its doors
# (engine_spark/generate.py imported `streamforge.api`); the spec below the plan and the engine
# (spec/columns.py imported the engine's pool cache, spec/column_limits.py its pools: the
# engine's answers are passed in instead).
DOORS = ("streamforge.api", "streamforge.cli", "streamforge.web")
ABOVE = {
    "engine": DOORS,
    "engine_spark": DOORS,
    "spec": ("streamforge.engine", "streamforge.plan", *DOORS),
}


def reaching_up(layer: str, above: tuple[str, ...]) -> dict[str, list[str]]:
    """Modules of `layer` that import a module under one of `above` (lazily or not)."""
    found = {
        name: sorted(
            i
            for i in imported(path, load_time_only=False)
            if any(i == top or i.startswith((f"{top}.", f"{top}_")) for top in above)
        )
        for name, path in modules().items()
        if name.startswith(f"streamforge.{layer}.") or name == f"streamforge.{layer}"
    }
    assert found, f"no module found under streamforge.{layer}"  # the walk saw the layer
    return {k: v for k, v in found.items() if v}


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_layer_does_not_import_the_facade_or_its_doors(layer: str) -> None:
    assert reaching_up(layer, ABOVE[layer]) == {}


def test_the_upward_check_sees_an_import_of_the_facade() -> None:
    """`api_pipelines` counts as the facade (`streamforge.api_...`); the CLI imports it."""
    assert "streamforge.api" in reaching_up("cli", ("streamforge.api",))["streamforge.cli"]
    assert reaching_up("cli_run", ("streamforge.web",)) == {}


def load_graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {i for i in imported(path, load_time_only=True) if i in known and i != name}
        for name, path in known.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_import_cycles() -> None:
    graph = load_graph()
    assert "streamforge.plan.columns" in graph["streamforge.engine.rows"]  # the graph was read
    assert cycles(graph) == []


def test_the_cycle_check_sees_a_cycle() -> None:
    """The check above can fail: a two-module circle is found, a chain is not."""
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_walk_sees_lazy_and_type_checking_imports() -> None:
    source = PACKAGE / "plan" / "checks.py"
    assert "streamforge.plan.model" in imported(source, load_time_only=False)  # TYPE_CHECKING
    assert "streamforge.plan.model" not in imported(source, load_time_only=True)

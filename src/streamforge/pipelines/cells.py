"""Cut a rendered pipeline source file into notebook cells.

One cell per dataset (a decorated function, a CREATE statement), an AUTO CDC target together with
the flow that feeds it, and the imports and constants first. Cutting only: every line of the file
lands in exactly one cell, in order and unchanged (blank lines between cells are dropped), so a
notebook runs exactly what the file runs. Works on any target's output: it reads the code, not the
templates.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Literal

Language = Literal["python", "sql"]

# Python calls that open a cell of their own (an AUTO CDC target, then its flow joins it)
_CELL_CALLS = {"create_streaming_table"}
# SQL: the dataset a statement creates, and statements that belong to the one before them
_CREATE = re.compile(
    r"^CREATE\s+(?:OR\s+REFRESH\s+)?(?:TEMPORARY\s+)?(?:STREAMING\s+|LIVE\s+|MATERIALIZED\s+)*"
    r"(?:TABLE|VIEW)\s+`?([\w.]+?)`?(?:\s|\(|$)",
    re.I,
)
_FLOW = re.compile(
    r"^(?:CREATE\s+FLOW\s+\w+\s+AS\s+)?(?:AUTO\s+CDC|APPLY\s+CHANGES)\s+INTO\s+", re.I
)
_FLOW_TARGET = re.compile(r"INTO\s+(?:LIVE\.)?`?(\w+)`?", re.I)


@dataclass(frozen=True, slots=True)
class Cell:
    """One code cell: its text, and the datasets (or helper functions) it defines."""

    code: str
    names: tuple[str, ...]


def split_cells(text: str, language: Language) -> list[Cell]:
    """The cells of a generated `.py` or `.sql` pipeline file. Raises SyntaxError for Python
    that does not parse (generated code always does)."""
    chunks = _python_chunks(text) if language == "python" else _sql_chunks(text)
    cells = []
    for lines, names in chunks:
        code = "\n".join(lines).strip("\n")
        if code.strip():
            cells.append(Cell(code, tuple(names)))
    return cells


def _python_chunks(text: str) -> list[tuple[list[str], list[str]]]:
    lines = text.splitlines()
    groups: list[list[ast.stmt]] = []
    for node in ast.parse(text).body:
        if not groups or _opens_cell(node):
            groups.append([])
        groups[-1].append(node)
    chunks = []
    start = 0
    for i, group in enumerate(groups):
        end = len(lines) if i == len(groups) - 1 else (group[-1].end_lineno or 0)
        chunks.append((lines[start:end], [n for node in group for n in _python_names(node)]))
        start = end
    return chunks


def _opens_cell(node: ast.stmt) -> bool:
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return True
    return _call_name(node) in _CELL_CALLS


def _call_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        return func.attr if isinstance(func, ast.Attribute) else None
    return None


def _python_names(node: ast.stmt) -> list[str]:
    """The dataset a statement defines: `name=` of its decorator, else the function's name; the
    table a create_streaming_table call creates."""
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call):
                for keyword in decorator.keywords:
                    if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                        return [str(keyword.value.value)]
        return [node.name]
    if _call_name(node) in _CELL_CALLS:
        call = node.value  # type: ignore[attr-defined]
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Constant):
            return [str(first.value)]
    return []


def _sql_chunks(text: str) -> list[tuple[list[str], list[str]]]:
    """Statements end with `;` at the end of a line that is not a comment."""
    chunks: list[tuple[list[str], list[str]]] = []
    current: list[str] = []
    for line in text.splitlines():
        current.append(line)
        if not line.lstrip().startswith("--") and line.rstrip().endswith(";"):
            _add_statement(chunks, current)
            current = []
    if current:
        if chunks:
            chunks[-1][0].extend(current)
        else:
            chunks.append((current, []))
    return chunks


def _add_statement(chunks: list[tuple[list[str], list[str]]], lines: list[str]) -> None:
    body = "\n".join(line for line in lines if not line.lstrip().startswith("--")).strip()
    if _FLOW.match(body) and chunks:  # a flow belongs with the table it feeds
        chunks[-1][0].extend(lines)
        return
    created = _CREATE.match(body)
    target = _FLOW_TARGET.search(body) if _FLOW.match(body) else None
    name = created.group(1) if created else target.group(1) if target else None
    chunks.append((list(lines), [name] if name else []))

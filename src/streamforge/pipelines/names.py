"""Names that reach generated code are identifiers, checked before anything is rendered.

A sector's name is its folder's name, and it becomes part of Python docstrings, SQL comments,
file names and bundle keys; table and column names become Python function names and SQL
identifiers. The YAML boundary already holds tables and columns to snake_case; the sector folder
is held here, and all three are checked again so no template ever sees anything else. Templates
quote what they render on top of this (backticks in SQL, repr() in Python).
"""

from __future__ import annotations

import keyword
import re

from streamforge.errors import StreamForgeError
from streamforge.plan import Plan

SECTOR_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
NAME = re.compile(r"[a-z_][a-z0-9_]*")


def check_names(plan: Plan) -> None:
    """Raise StreamForgeError naming every sector, table or column name that is not an
    identifier (fullmatch: a trailing line break is not allowed either)."""
    problems = []
    sector = plan.sector.name
    if not SECTOR_NAME.fullmatch(sector):
        suggestion = re.sub(r"[^A-Za-z0-9_]+", "_", sector).strip("_") or "MySector"
        if not suggestion[0].isalpha():
            suggestion = f"S{suggestion}"
        problems.append(
            f"{plan.sector.directory}: the sector name {sector!r} cannot name a pipeline; "
            f"rename the folder to letters, digits and _ starting with a letter "
            f"(e.g. {suggestion!r})"
        )
    for table in plan.tables:
        if not NAME.fullmatch(table.name):
            problems.append(f"table name {table.name!r} is not snake_case")
        for column in table.columns:
            if not NAME.fullmatch(column.name):
                problems.append(f"{table.name}: column name {column.name!r} is not snake_case")
    if problems:
        raise StreamForgeError("\n".join(problems))


def python_name(name: str) -> str:
    """A valid Python function name for a dataset (a table may be called `class` or `from`)."""
    return f"{name}_" if keyword.iskeyword(name) else name


def comment_text(text: str) -> str:
    """Text for a docstring or a `--` comment: one line, no quote run that could end it."""
    line = " ".join(text.split())
    return line.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')

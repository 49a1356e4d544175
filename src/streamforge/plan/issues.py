"""An Issue about a table of the sector, pointing at its YAML file and line."""

from __future__ import annotations

from streamforge.errors import Issue, Severity, display_path
from streamforge.spec.model import TableSpec


def table_issue(
    table: TableSpec,
    line: int,
    message: str,
    hint: str | None = None,
    severity: Severity = "error",
) -> Issue:
    return Issue(display_path(table.file), line, message, hint, severity)

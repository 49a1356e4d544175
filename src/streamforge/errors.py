"""Problems a user can act on: each names the file, the line, what is wrong and how to fix it."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a schema: `file:line: message; hint`."""

    file: str
    line: int
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        kind = "warning: " if self.severity == "warning" else ""
        tail = f"; {self.hint}" if self.hint else ""
        return f"{where}: {kind}{self.message}{tail}"


class StreamForgeError(Exception):
    """An error with a message meant for the user; the CLI prints it without a traceback."""

    exit_code = 1


class SchemaError(StreamForgeError):
    """One or more schema files are invalid; carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, issues: Sequence[Issue]):
        self.issues = tuple(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        super().__init__("\n".join(str(i) for i in errors) or "invalid schema")


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    path = Path(path)
    try:
        return os.path.relpath(path) if path.is_absolute() and _inside_cwd(path) else str(path)
    except ValueError:
        return str(path)


def _inside_cwd(path: Path) -> bool:
    try:
        path.resolve().relative_to(Path.cwd().resolve())
        return True
    except ValueError:
        return False


def did_you_mean(word: str, known: Iterable[str]) -> str | None:
    """A `did you mean 'x'?` hint for a misspelt name, or None when nothing is close."""
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None

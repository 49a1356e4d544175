"""Problems a user can act on: each names the file, the line, what is wrong and how to fix it."""

from __future__ import annotations

import difflib
import errno
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning", "note"]  # a note: what was not checked, and why


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
        kind = "" if self.severity == "error" else f"{self.severity}: "
        tail = f"; {self.hint}" if self.hint else ""
        return f"{where}: {kind}{self.message}{tail}"


def of_severity(issues: Iterable[Issue], severity: Severity) -> tuple[Issue, ...]:
    """The issues of one severity, in their order."""
    return tuple(i for i in issues if i.severity == severity)


class IssueViews:
    """Mixin for a record of checked issues (sectors.SectorCheck, check_cache.CheckSummary): its
    errors and its warnings. Empty `__slots__`, so a slotted dataclass built on it stays slotted;
    kept here, beside Issue, so the cache can use it without loading the planner."""

    __slots__ = ()
    issues: tuple[Issue, ...]

    @property
    def errors(self) -> tuple[Issue, ...]:
        return of_severity(self.issues, "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return of_severity(self.issues, "warning")


class StreamForgeError(Exception):
    """An error with a message meant for the user; the CLI prints it without a traceback."""

    exit_code = 1


class SchemaError(StreamForgeError):
    """One or more schema files are invalid; carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, issues: Sequence[Issue]):
        self.issues = tuple(issues)
        errors = of_severity(self.issues, "error")
        super().__init__("\n".join(str(i) for i in errors) or "invalid schema")


class StorageError(StreamForgeError):
    """The file system refused an operation for a reason outside StreamForge: a full disk, no
    permission, a file where a folder belongs, a name it does not accept. Not a bug: the message
    names the path and what to do, and no traceback is shown."""


# errno → (what happened, what to do). Only conditions of the machine or of the path the user
# chose: an errno that can only mean a bug (EBADF, ...) is left to surface as an internal error.
_FULL = "free space there (or choose another --out)"
_IN_THE_WAY = "choose another --out, or move that file out of the way"
_REFUSED_NAME = "choose a shorter --out path, or one of plain letters, digits, '-' and '_'"
_STORAGE: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", _FULL),
    errno.EDQUOT: ("the disk quota is used up", _FULL),
    errno.EACCES: ("permission denied", "choose a folder you may write to, or fix its permissions"),
    errno.EPERM: ("operation not permitted", "choose a folder you may write to, or fix its owner"),
    errno.EROFS: ("the file system is read-only", "choose a folder on a writable file system"),
    errno.ENOTDIR: ("a file is in the way where a folder is needed", _IN_THE_WAY),
    errno.EEXIST: ("a file is in the way where a folder is needed", _IN_THE_WAY),
    errno.EISDIR: ("a folder is in the way where a file is needed", _IN_THE_WAY),
    errno.ENAMETOOLONG: ("the file system refuses the name: it is too long", _REFUSED_NAME),
    errno.EINVAL: ("the file system refuses the name or the operation", _REFUSED_NAME),
    errno.EILSEQ: ("the file system refuses a character of the name", _REFUSED_NAME),
    errno.ELOOP: ("too many symbolic links on the way", "fix the links, or choose another --out"),
    errno.ENOENT: (
        "a folder on the way does not exist or was removed",
        "create it, or choose another --out",
    ),
    errno.EIO: ("the device reported an I/O error", "check the disk, or choose another --out"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n), then run again"),
    errno.ENFILE: ("too many open files on this machine", "close some programs, then run again"),
    errno.ENXIO: ("the device is not there", "choose another --out"),
    errno.ESTALE: ("the network file system lost the file", "run the same command again"),
}
_RUST_ERRNO = re.compile(r"\(os error (\d+)\)")  # how Rust libraries (deltalake) report errno


def errno_of(error: BaseException) -> int | None:
    """The OS error number behind `error`: an OSError's errno, or the `(os error N)` that Rust
    libraries such as deltalake put in their messages; None when there is none."""
    if isinstance(error, OSError) and error.errno is not None:
        return error.errno
    found = _RUST_ERRNO.search(str(error))
    return int(found.group(1)) if found else None


def storage_error(error: BaseException, path: Path | str | None = None) -> StorageError | None:
    """A one-line StorageError for an environment condition (full disk, permission, a file in the
    way, a refused name), naming the path (the error's own, else `path`) and the fix; None when
    `error` is not one of those, so that the caller re-raises it as a bug."""
    number = errno_of(error)
    if number not in _STORAGE:
        return None
    what, fix = _STORAGE[number]  # type: ignore[index]
    named = getattr(error, "filename", None) or path
    if isinstance(named, bytes):
        named = os.fsdecode(named)
    reason = os.strerror(number)  # type: ignore[arg-type]
    where = f"{display_path(named)}: " if named is not None else ""
    return StorageError(f"{where}{what} ({reason}); {fix}")


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    path = Path(path)
    try:
        return os.path.relpath(path) if path.is_absolute() and _inside_cwd(path) else str(path)
    except (ValueError, OSError):  # OSError: a name too long to resolve is shown as given
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

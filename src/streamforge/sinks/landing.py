"""The landing-area contract shared by every sink (local folder, Unity Catalog Volume, ...).

It fixes the layout (DESIGN §6) and what a sink must do; how bytes reach storage is the sink's
business. A sink without atomic rename (a Volume through the Files API) still satisfies it: file
names are deterministic per (table, cycle, file_id), so a redone cycle overwrites, never duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Protocol

import pyarrow as pa

from .formats import FileFormat

__all__ = [
    "CONTROL_DIR",
    "MANIFEST_PATH",
    "STATE_PATH",
    "FileRecord",
    "Landing",
    "LandingLocked",
    "check_relpath",
    "data_file_path",
]

# Auto Loader skips names starting with "_" or ".", so control files never look like table data.
CONTROL_DIR = "_streamforge"
MANIFEST_PATH = f"{CONTROL_DIR}/manifest.jsonl"
STATE_PATH = f"{CONTROL_DIR}/state.json"

_TABLE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_FILE_ID = re.compile(r"[A-Za-z0-9_-]+")


class LandingLocked(Exception):
    """Another runner holds the landing area."""


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One landed file: `path` is relative to the landing root, with `/` separators."""

    table: str
    cycle: int
    path: str
    rows: int
    bytes: int
    version: int | None = None  # table formats (Delta): the commit that holds this cycle


class Landing(Protocol):
    """Where generated files land, and where the runner keeps its manifest and checkpoint."""

    def write_file(
        self,
        table: str,
        cycle: int,
        file_id: str,
        fmt: FileFormat,
        batches: Iterable[pa.RecordBatch],
        schema: pa.Schema,
    ) -> FileRecord:
        """Write `batches` as `data_file_path(...)`; readers never see a partial file there.

        Replaces an existing file of the same name (a redone cycle writes the same name).
        """
        ...

    def append_manifest(self, entry: Mapping[str, Any]) -> None:
        """Durably record one JSON-serialisable entry (one line of MANIFEST_PATH locally)."""
        ...

    def read_manifest(self) -> list[dict[str, Any]]:
        """Every recorded entry, oldest first; an entry torn by a crash is not returned."""
        ...

    def write_text_atomic(self, relpath: str, text: str) -> None:
        """Replace the UTF-8 text file at `relpath` all at once (e.g. STATE_PATH)."""
        ...

    def read_text(self, relpath: str) -> str | None:
        """The text at `relpath`, or None if there is no such file."""
        ...

    def write_bytes_atomic(self, relpath: str, data: bytes) -> None:
        """Replace the file at `relpath` with `data` all at once (checkpointed entity tables)."""
        ...

    def read_bytes(self, relpath: str) -> bytes | None:
        """The bytes at `relpath`, or None if there is no such file."""
        ...

    def delete(self, relpath: str) -> None:
        """Remove the file at `relpath` if it exists."""
        ...

    def rewrite_manifest(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Replace every manifest entry at once (drops a crashed cycle's first attempt)."""
        ...

    def clear(self) -> None:
        """Remove every table folder the manifest names, and the checkpoint (for --fresh)."""
        ...

    def exists(self) -> bool:
        """True when a run has written here before."""
        ...

    def lock(self, owner: str, break_lock: bool = False) -> AbstractContextManager[str | None]:
        """Hold the landing area for one runner; raise LandingLocked when another may hold it.

        The block receives None, or a sentence saying whose lock was taken over and why (its
        holder is gone, or `break_lock` said to take it).
        """
        ...


def data_file_path(table: str, cycle: int, file_id: str, extension: str) -> str:
    """`<table>/<table>-c<cycle:06d>-<file_id>.<extension>`, after checking each part is safe."""
    if not _TABLE.fullmatch(table) or table == CONTROL_DIR:
        raise ValueError(
            f"table name {table!r} cannot be a landing folder: use letters, digits, '_' or '-', "
            f"not starting with '-', and not {CONTROL_DIR!r}"
        )
    if isinstance(cycle, bool) or not isinstance(cycle, int) or cycle < 0:
        raise ValueError(f"cycle must be a non-negative integer, got {cycle!r}")
    if not _FILE_ID.fullmatch(file_id):
        raise ValueError(f"file id {file_id!r} must be letters, digits, '_' or '-'")
    return f"{table}/{table}-c{cycle:06d}-{file_id}.{extension}"


def check_relpath(relpath: str) -> PurePosixPath:
    """A path inside the landing root: relative, `/`-separated, without `..` or empty parts."""
    path = PurePosixPath(relpath)
    if (
        not relpath
        or path.is_absolute()
        or "\\" in relpath
        or any(part in ("", ".", "..") for part in relpath.split("/"))
    ):
        raise ValueError(f"{relpath!r} is not a relative path inside the landing area")
    return path

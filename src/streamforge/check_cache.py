"""Checked sectors kept on disk, so a warm `validate` or `generate` skips the YAML parser, the
pydantic models, planning and binding expressions in DuckDB (issue 14: a fast start).

A check is a pure function of the sector's table files (names and bytes), the folder as named
and the working directory (issues name files relative to it), StreamForge's own code and the
installed packages (Faker's provider names, DuckDB's types, pydantic's messages). All of these
make the key; a check is used only when every part matches, so an edited file, an edited module
or an upgraded package is checked again, and `validate` reports exactly what it would have.

One slot per (working directory, sector folder) under cache_dir()/checks, so the cache does not
grow with every edit: `<slot>.json` holds the key and what `validate` prints (the issues and the
table count; reading it needs no pydantic), `<slot>.pickle` the key and the whole SectorCheck
(its plan, for `generate`), `<slot>.expr.pickle` the key and the planning of its expressions
(check_cache.keep_expressions); the answers about each expression are also kept per installation
under cache_dir()/expressions, keyed by code and packages only, so that they outlive an edit to a
table file. All are written atomically (temp file, then rename); a file that is
missing, unreadable, corrupt or of another key is a miss and is rewritten; a folder that cannot
be written only costs the time to check again. The folder is the user's own, like the Faker
pool cache (engine/pool_cache.py) beside it.
"""

from __future__ import annotations

import atexit
import copyreg
import functools
import hashlib
import io
import json
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import streamforge
from streamforge.cache_dir import cache_dir, write_atomically
from streamforge.errors import Issue, IssueViews

if TYPE_CHECKING:
    from streamforge.sectors import SectorCheck

PACKAGE_DIR = Path(streamforge.__file__).resolve().parent
Files = tuple[tuple[str, bytes | None], ...]  # a sector's table files: (name, bytes)
SHARED_ENTRIES = 20_000  # kept expression entries of one installation (a few MB at most)


@dataclass(frozen=True, slots=True)
class CheckSummary(IssueViews):
    """What `validate` prints of one sector: its name, its table count, every issue, the table
    files read and how many of them failed to load."""

    name: str
    tables: int
    issues: tuple[Issue, ...]
    files: int = 0
    failed: int = 0


def summary_of(check: SectorCheck) -> CheckSummary:
    tables = len(check.plan.tables) if check.plan else 0
    return CheckSummary(check.name, tables, check.issues, check.files, check.failed)


def key_of(directory: Path, files: Files, cwd: str) -> str:
    """The hex digest of everything a check of `directory` holding `files` depends on."""
    digest = hashlib.sha256()
    for part in (environment_key(), cwd, str(directory)):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for name, data in files:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(len(data or b"").to_bytes(8, "little") + (data or b""))
    return digest.hexdigest()


def load_summary(directory: Path, cwd: str, key: str) -> CheckSummary | None:
    """The kept summary of this key, or None (a miss)."""
    try:
        kept = json.loads(_slot(directory, cwd, ".json").read_bytes())
        if kept["key"] != key:
            return None
        issues = tuple(Issue(*fields) for fields in kept["issues"])
        files, failed = int(kept["files"]), int(kept["failed"])
        return CheckSummary(kept["name"], int(kept["tables"]), issues, files, failed)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_check(directory: Path, cwd: str, key: str) -> SectorCheck | None:
    """The kept SectorCheck of this key, or None (a miss)."""
    from streamforge.sectors import SectorCheck

    try:
        kept_key, check = pickle.loads(_slot(directory, cwd, ".pickle").read_bytes())
    except Exception:  # a corrupt or foreign pickle can raise anything: check again
        return None
    return check if kept_key == key and isinstance(check, SectorCheck) else None


def store(directory: Path, cwd: str, key: str, check: SectorCheck) -> None:
    """Keep `check` (both files) for this key; silently not when the folder is not writable."""
    summary = summary_of(check)
    issues = [[i.file, i.line, i.message, i.hint, i.severity] for i in summary.issues]
    text = {
        "key": key,
        "name": summary.name,
        "tables": summary.tables,
        "files": summary.files,
        "failed": summary.failed,
        "issues": issues,
    }
    write_atomically(_slot(directory, cwd, ".json"), json.dumps(text).encode())
    try:
        data = _dumps((key, check))
    except (pickle.PicklingError, TypeError, AttributeError):  # a plan part pickle can't hold
        return
    write_atomically(_slot(directory, cwd, ".pickle"), data)


def keep_expressions(directory: Path, cwd: str, key: str) -> None:
    """Read back the per-expression planning (expr/kept.py: DuckDB SQL, names, types, the fast
    path's trees) kept with this check, and write it back at exit if this process added any: the
    first `generate` after a check translates, every later one loads no sqlglot.

    Every entry is a pure function of its expression text (and the types it reads), our code and
    the installed packages, not of the table files: so the entries are also kept in one file per
    installation keyed by code and packages only (`environment_key`). After an edit to a table
    file (a new check key), its expressions not edited are answered from there and a cold
    `validate` loads no sqlglot (issue 14: < 0.3 s)."""
    slot = _slot(directory, cwd, ".expr.pickle")
    own = _read_expressions(slot, key)
    shared, shared_key = _shared_slot(), environment_key()
    others = _read_expressions(shared, shared_key) - own  # other sectors' entries, mostly
    atexit.register(_write_expressions, slot, key, others)
    atexit.register(_write_expressions, shared, shared_key, own | others, SHARED_ENTRIES)


@functools.cache
def environment_key() -> str:
    """The hex digest of what every kept expression entry depends on besides its own key, and
    every check besides its files: StreamForge's version and code, Python's version and the
    installed packages (sqlglot's and DuckDB's among them).

    Once per process (a stat of every module, ~1 ms, that a cold `validate` asked for three
    times): a process runs the code it loaded, whatever is edited on disk meanwhile."""
    digest = hashlib.sha256()
    for part in (streamforge.__version__, sys.version, _code(), _packages()):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


def _read_expressions(slot: Path, key: str) -> frozenset[Any]:
    """Add the entries kept in `slot` under `key` to expr/kept.py; their keys (none on a miss)."""
    from streamforge.expr import kept

    try:
        kept_key, entries = pickle.loads(slot.read_bytes())
        if kept_key == key and isinstance(entries, dict):
            kept.add(entries)
            return frozenset(entries)
    except Exception:  # missing, corrupt or foreign: translate again
        pass
    return frozenset()


def _write_expressions(slot: Path, key: str, old: frozenset[Any], above: int = 0) -> None:
    """Write this process's entries to `slot` when it added any, leaving out the `old` ones when
    it holds more than `above`: a sector's file leaves out what it read from the shared file;
    the shared file, which gathers every sector checked under one installation, drops what it
    was read with (keeping this process's own) only past SHARED_ENTRIES, so it stays small."""
    from streamforge.expr import kept

    if not kept.added():
        return
    entries = kept.entries()
    if len(entries) > above:
        entries = {k: v for k, v in entries.items() if k not in old}
    write_atomically(slot, pickle.dumps((key, entries), pickle.HIGHEST_PROTOCOL))


def _shared_slot() -> Path:
    """The kept expressions of this installation (its package folder and Python)."""
    where = hashlib.sha256(f"{PACKAGE_DIR}\0{sys.prefix}".encode("utf-8", "surrogateescape"))
    return cache_dir() / "expressions" / f"{where.hexdigest()[:32]}.pickle"


def _slot(directory: Path, cwd: str, suffix: str) -> Path:
    where = hashlib.sha256(f"{cwd}\0{directory}".encode("utf-8", "surrogateescape"))
    return cache_dir() / "checks" / f"{where.hexdigest()[:32]}{suffix}"


def _mapping_proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _dumps(value: object) -> bytes:
    """pickle, with the plan's read-only mappings (MappingProxyType) kept as such."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {  # type: ignore[misc]  # per pickler: copyreg stays untouched
        **copyreg.dispatch_table,
        MappingProxyType: lambda m: (_mapping_proxy, (dict(m),)),
    }
    pickler.dump(value)
    return out.getvalue()


def _code() -> str:
    """Every module of StreamForge by name, size and modification time: an edited checkout (an
    editable install keeps its version) is a new key."""
    parts = []
    for folder, dirs, names in os.walk(PACKAGE_DIR):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                parts.append(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


def _packages() -> str:
    """Each folder of installed packages by its modification time: installing, upgrading or
    removing a package adds or removes its folders there, which changes it (cheaper than reading
    every version). Other import folders (the working directory, which every landing written
    into it changes) are left out: StreamForge's own modules are keyed by `_code`."""
    parts = []
    for entry in sys.path:
        if not entry.endswith(("site-packages", "dist-packages")):
            continue
        try:
            parts.append(f"{entry}:{os.stat(entry or '.').st_mtime_ns}")
        except OSError:
            parts.append(f"{entry}:-")
    return "\n".join(parts)

"""When some table files of a sector fail to load, the others are still checked across tables.

Without this, `validate` reported in stages: a typing error in one file hid an unknown column in
another file's expression until the first was fixed. Now every table that does not depend on a
failed one goes on to planning (keys, foreign keys, change feeds, expressions and checks), so one
run reports every error that can be found; the tables that depend on a failed one (tracks it,
references it, have its key column, look it up in an expression, or depend on such a table) are
named once in a note, since checking them against a table that did not load would only report
errors that are not theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from streamforge.errors import Issue, display_path
from streamforge.spec.files import MAX_FILE_BYTES
from streamforge.spec.model import ColumnSpec, SectorSpec, TableSpec

# `table: <name>` and `primary_key: <name>` at the top of a file that did not load: enough to know
# who depends on it, without a YAML parser (the file may not even be valid YAML).
_TOP_KEY = re.compile(r"^(table|primary_key):[ \t]*[\"']?([A-Za-z_]\w*)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Failed:
    """A table whose file did not load: the file, and the key column names others would use."""

    file: Path
    keys: frozenset[str]


def failed_tables(spec: SectorSpec, table_files: list[Path]) -> dict[str, Failed]:
    """Each table whose file did not load, by its `table:` when the file says so, else by the
    file's stem; a name a loaded table has is not failed."""
    loaded_files = {t.file for t in spec.tables}
    loaded = {t.name for t in spec.tables}
    failed: dict[str, Failed] = {}
    for file in table_files:
        if file in loaded_files:
            continue
        found: dict[str, str]
        try:
            # never a pipe (it would block) nor a file too large to be a table (spec/files.py)
            regular = file.is_file() and file.stat().st_size <= MAX_FILE_BYTES
            text = file.read_text(errors="replace") if regular else ""
        except OSError:
            text = ""
        found = {m[1]: m[2] for m in _TOP_KEY.finditer(text)}
        name = found.get("table", file.stem)
        if name not in loaded:
            keys = frozenset({f"{name}_id", found.get("primary_key", f"{name}_id")})
            failed[name] = Failed(file, keys)
    return failed


def prune(
    tables: tuple[TableSpec, ...], failed: dict[str, Failed]
) -> tuple[tuple[TableSpec, ...], dict[str, str]]:
    """The tables to plan, without what depends on a failed table; and what was left out
    (`sales.store_id`, or a whole table `store_changes`) -> the failed table it depends on.

    A column is left out when it is a failed table's key, references one, or its expr looks one
    up or names a column left out; a check, when its rule does. A table goes whole when it
    tracks a failed table or its own key is left out. Repeated until nothing more goes: what was
    left out of one table is missing for the next (a lookup into a left-out column).
    """
    gone: dict[str, str] = {name: name for name in failed}  # table -> failed root
    keys = {name: f.keys for name, f in failed.items()}
    left_out: dict[str, str] = {}  # "table.column" -> failed root
    current = {t.name: t for t in tables}
    changed = True
    while changed:
        changed = False
        for name, table in list(current.items()):
            whole = _tracks_gone(table, gone)
            cut: dict[str, str] = {}
            for col in table.columns:
                cause = whole or _column_cause(table, col, gone, keys, left_out, cut)
                if cause is not None:
                    cut[col.name] = cause
            key = table.primary_key or f"{name}_id"
            whole = whole or cut.get(key)
            if whole is not None:
                del current[name]
                gone[name], keys[name] = whole, frozenset({key})
                left_out.update({f"{name}.{c}": root for c, root in cut.items()})
                changed = True
            elif cut:
                kept = tuple(c for c in table.columns if c.name not in cut)
                checks = tuple(
                    c for c in table.checks if _cause(c.rule, gone, left_out, cut, name) is None
                )
                current[name] = replace(table, columns=kept, checks=checks)
                left_out.update({f"{name}.{c}": root for c, root in cut.items()})
                changed = True
    skipped = {t: root for t, root in gone.items() if t not in failed}
    return tuple(current.values()), {**skipped, **left_out}


def _tracks_gone(table: TableSpec, gone: dict[str, str]) -> str | None:
    if table.tracks in gone:
        return gone[table.tracks]
    if table.kind == "change_feed" and table.tracks is None:
        # the tracked dimension is found by name (plan/feeds.py)
        return next((root for t, root in gone.items() if table.name.startswith(t)), None)
    return None


def _column_cause(
    table: TableSpec,
    col: ColumnSpec,
    gone: dict[str, str],
    keys: dict[str, frozenset[str]],
    left_out: dict[str, str],
    cut: dict[str, str],
) -> str | None:
    for name, key_names in keys.items():
        if col.name in key_names and name != table.name:
            return gone[name]
    target = (col.references or "").split(".")
    if target[0] in gone:
        return gone[target[0]]
    if col.references in left_out:
        return left_out[col.references]
    return _cause(col.expr, gone, left_out, cut, table.name) if col.expr else None


_NAMED = re.compile(r"([A-Za-z_]\w*)(?:\s*\.\s*([A-Za-z_]\w*))?")


def _cause(
    text: str, gone: dict[str, str], left_out: dict[str, str], cut: dict[str, str], table: str
) -> str | None:
    """The failed table an expression or rule depends on, if any (names read from its text)."""
    for first, second in _NAMED.findall(re.sub(r"'[^']*'", "", text)):
        if second and first in gone:
            return gone[first]
        if second and f"{first}.{second}" in left_out:
            return left_out[f"{first}.{second}"]
        if first in cut:
            return cut[first]
        if f"{table}.{first}" in left_out:
            return left_out[f"{table}.{first}"]
    return None


def skipped_notes(failed: dict[str, Failed], skipped: dict[str, str]) -> list[Issue]:
    """One note per failed table that others depend on, at its file: what was not checked
    against the other tables because of it."""
    notes = []
    for name, cause in failed.items():
        users = sorted(t for t, on in skipped.items() if on == name)
        if users:
            notes.append(
                Issue(
                    display_path(cause.file),
                    1,
                    f"not checked against the other tables, as '{name}' failed to load: "
                    f"{', '.join(users)}",
                    "fix the errors of this file, then validate again",
                    severity="note",
                )
            )
    return notes

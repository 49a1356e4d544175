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
from dataclasses import dataclass
from pathlib import Path

from streamforge.errors import Issue, display_path
from streamforge.spec.files import MAX_FILE_BYTES
from streamforge.spec.model import SectorSpec, TableSpec

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


def dependents(tables: tuple[TableSpec, ...], failed: dict[str, Failed]) -> dict[str, str]:
    """Loaded table -> the failed table it depends on, directly or through other tables."""
    skipped: dict[str, str] = {}
    missing = {name: f.keys for name, f in failed.items()}
    changed = True
    while changed:
        changed = False
        for table in tables:
            if table.name in skipped:
                continue
            on = next((name for name, keys in missing.items() if _uses(table, name, keys)), None)
            if on is not None:
                skipped[table.name] = skipped.get(on, on)  # the failed table at the chain's root
                missing[table.name] = frozenset({f"{table.name}_id"})
                changed = True
    return skipped


def skipped_notes(failed: dict[str, Failed], skipped: dict[str, str]) -> list[Issue]:
    """One note per failed table that others depend on, at its file: which tables were not
    checked against the others because of it."""
    notes = []
    for name, cause in failed.items():
        users = sorted(t for t, on in skipped.items() if on == name)
        if users:
            notes.append(
                Issue(
                    display_path(cause.file),
                    1,
                    f"{', '.join(users)} not checked against the other tables: "
                    f"{'they use' if len(users) > 1 else 'it uses'} '{name}', which failed to load",
                    "fix the errors of this file, then validate again",
                    severity="note",
                )
            )
    return notes


def _uses(table: TableSpec, name: str, keys: frozenset[str]) -> bool:
    if table.tracks == name:
        return True
    if table.kind == "change_feed" and table.tracks is None and table.name.startswith(name):
        return True  # the tracked dimension is found by name (plan/feeds.py)
    lookup = re.compile(rf"(?<![\w.`]){re.escape(name)}\s*\.")
    for col in table.columns:
        if col.name in keys or (col.references or "").split(".")[0] == name:
            return True
        if col.expr is not None and lookup.search(col.expr):
            return True
    return any(lookup.search(check.rule) for check in table.checks)

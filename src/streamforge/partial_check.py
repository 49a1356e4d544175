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
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from streamforge.errors import Issue, did_you_mean, display_path
from streamforge.spec.files import MAX_FILE_BYTES
from streamforge.spec.load import PartialTable
from streamforge.spec.model import ColumnSpec, SectorSpec, TableSpec

# `table: <name>` and `primary_key: <name>` at the top of a file that did not load: enough to know
# who depends on it, without a YAML parser (the file may not even be valid YAML).
_TOP_KEY = re.compile(r"^(table|primary_key):[ \t]*[\"']?([A-Za-z_]\w*)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Failed:
    """A table whose file did not load: the file, and the key column names others would use."""

    file: Path
    keys: frozenset[str]


def failed_tables(
    spec: SectorSpec, table_files: list[Path], partial: Iterable[TableSpec] = ()
) -> dict[str, Failed]:
    """Each table whose file did not load, by its `table:` when the file says so, else by the
    file's stem; a name a loaded table has is not failed, nor is a table that loaded in part
    (`partial`: its columns that did not load are left out instead, see `broken_columns`)."""
    loaded_files = {t.file for t in (*spec.tables, *partial)}
    loaded = {t.name for t in (*spec.tables, *partial)}
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
    tables: tuple[TableSpec, ...],
    failed: dict[str, Failed],
    broken: dict[str, str] | None = None,
) -> tuple[tuple[TableSpec, ...], dict[str, str]]:
    """The tables to plan, without what depends on a failed table or a column that did not load;
    and what was left out (`sales.store_id`, a whole table `store_changes`, a check
    `sales.valid_total (check)`) -> the failed table (or `table.column`) it depends on.

    `broken`: `table.column` -> itself, for each column of a table that loaded in part.
    A column is left out when it is a failed table's key, references one, or its expr or
    running total looks one up or names a column left out; a check, when its rule does. A table
    goes whole when it tracks a failed table or its own key is left out. Repeated until nothing
    more goes: what was left out of one table is missing for the next (a lookup into a left-out
    column).
    """
    gone: dict[str, str] = {name: name for name in failed}  # table -> failed root
    keys = {name: f.keys for name, f in failed.items()}
    left_out: dict[str, str] = dict(broken or {})  # "table.column" -> failed root
    checks_out: dict[str, str] = {}  # "table.check (check)" -> failed root
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
            whole = whole or cut.get(key) or left_out.get(f"{name}.{key}")
            if whole is not None:
                del current[name]
                gone[name], keys[name] = whole, frozenset({key})
                left_out.update({f"{name}.{c}": root for c, root in cut.items()})
                changed = True
                continue
            dropped = {
                check.name: cause
                for check in table.checks
                if (cause := _cause(check.rule, gone, left_out, cut, table)) is not None
            }
            if cut or dropped:
                kept = tuple(c for c in table.columns if c.name not in cut)
                checks = tuple(c for c in table.checks if c.name not in dropped)
                current[name] = replace(table, columns=kept, checks=checks)
                left_out.update({f"{name}.{c}": root for c, root in cut.items()})
                checks_out.update({f"{name}.{c} (check)": root for c, root in dropped.items()})
                changed = True
    skipped = {t: root for t, root in gone.items() if t not in failed}
    lost = {c: root for c, root in left_out.items() if c not in (broken or {})}
    return tuple(current.values()), {**skipped, **lost, **checks_out}


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
    if col.running is not None:  # it adds up `sum` per `by`, from `start` (a lookup)
        run = col.running
        named = f"{run.sum} {run.by} {run.start or ''}"
        return _cause(named, gone, left_out, cut, table)
    return _cause(col.expr, gone, left_out, cut, table) if col.expr else None


_NAMED = re.compile(r"([A-Za-z_]\w*)(?:\s*\.\s*([A-Za-z_]\w*))?")


def _cause(
    text: str,
    gone: dict[str, str],
    left_out: dict[str, str],
    cut: dict[str, str],
    table: TableSpec,
) -> str | None:
    """The failed table (or column) an expression or rule depends on, if any (names read from
    its text)."""
    for first, second in _NAMED.findall(re.sub(r"'[^']*'", "", text)):
        if second and first in gone:
            return gone[first]
        if second and (root := _looked_up(first, second, table, left_out)) is not None:
            return root
        if first in cut:
            return cut[first]
        if f"{table.name}.{first}" in left_out:
            return left_out[f"{table.name}.{first}"]
    return None


def _looked_up(first: str, second: str, table: TableSpec, left_out: dict[str, str]) -> str | None:
    """The root of a left-out column that `first.second` looks up: `store.region`, or through a
    key column `store_id.region` (named for the dimension, or referencing it)."""
    if f"{first}.{second}" in left_out:
        return left_out[f"{first}.{second}"]
    col = table.column(first)
    target = col.references.split(".")[0] if col is not None and col.references else None
    for dim in (target, first.removesuffix("_id") if first.endswith("_id") else None):
        if dim is not None and f"{dim}.{second}" in left_out:
            return left_out[f"{dim}.{second}"]
    return None


def broken_columns(partial: Iterable[PartialTable]) -> dict[str, str]:
    """`table.column` -> itself, for each column that did not load in a table that did in part:
    the roots `prune` leaves out what depends on."""
    return {f"{p.table.name}.{c}": f"{p.table.name}.{c}" for p in partial for c in p.failed_columns}


def skipped_notes(
    failed: dict[str, Failed], skipped: dict[str, str], partial: Iterable[PartialTable] = ()
) -> list[Issue]:
    """One note per failed table, or column that did not load, that others depend on, at its
    file and line: what was not checked because of it."""
    notes = []
    for part in partial:
        for column, line in part.failed_columns.items():
            root = f"{part.table.name}.{column}"
            users = sorted(t for t, on in skipped.items() if on == root)
            if users:
                notes.append(
                    Issue(
                        display_path(part.table.file),
                        line,
                        f"not checked, as column '{column}' of '{part.table.name}' did not load: "
                        f"{', '.join(users)}",
                        "fix the errors of this column, then validate again",
                        severity="note",
                    )
                )
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


_UNKNOWN = re.compile(r"unknown column '([^']+)' in '")


def hint_left_out(
    issues: list[Issue], tables: Iterable[TableSpec], left_out: Iterable[str]
) -> list[Issue]:
    """`issues`, where an unknown column in an expression is close to a column of its table that
    was left out (`left_out`: `table.column`, it did not load or reads one that did not): the
    hint names it, as `did you mean` would had it loaded, and says why it is not known here."""
    gone: dict[str, list[str]] = {}
    for name in left_out:
        table, _, column = name.partition(".")
        if column and not column.endswith(" (check)"):
            gone.setdefault(table, []).append(column)
    by_file = {display_path(t.file): t.name for t in tables}
    names = {t.name: list(t.column_names) for t in tables}
    out = []
    for issue in issues:
        found = _UNKNOWN.search(issue.message)
        table = by_file.get(issue.file, "")
        if found and table in gone:
            # the closest of all the table's names; only a left-out one changes the hint
            close = did_you_mean(found[1], [*gone[table], *names[table]])
            if close is not None and close.split("'")[1] in gone[table]:
                issue = replace(
                    issue,
                    hint=f"{close} (not checked in this run: it did not load, or reads a "
                    "column that did not)",
                )
        out.append(issue)
    return out

"""Load `schema/<Sector>/*.yml` into a frozen SectorSpec, collecting every problem with its line."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from streamforge.errors import Issue, did_you_mean, display_path
from streamforge.spec.column_limits import KeyPool, check_map_key_pools
from streamforge.spec.column_words import column_message
from streamforge.spec.columns import ColumnProblem, build_column
from streamforge.spec.files import MAX_FILE_BYTES as MAX_FILE_BYTES
from streamforge.spec.files import YAML_SUFFIXES as YAML_SUFFIXES
from streamforge.spec.flow_commas import cut_problem, cut_type
from streamforge.spec.limits import MAX_ROWS, name_problem
from streamforge.spec.locales import SUPPORTED_LOCALES
from streamforge.spec.model import (
    TABLE_KINDS,
    CheckSpec,
    ColumnSpec,
    Operation,
    SectorSpec,
    TableKind,
    TableSpec,
)
from streamforge.spec.profile import BurstsModel, ProfileModel, peak_factor
from streamforge.spec.pydantic_words import Words, shown, translate
from streamforge.spec.scalar_text import as_written, yaml11_warnings
from streamforge.spec.sequence import sequence_problem
from streamforge.spec.yaml_lines import LinedDocument, YamlSyntaxError, load_lined
from streamforge.spec.yaml_models import MISSING_HINTS, NAME, CheckModel, TableModel

_NOT_A_TABLE = "every *.yml and *.yaml in a sector folder is read as a table: rename or move it"
DEFAULT_OPERATIONS: tuple[tuple[Operation, float], ...] = (
    ("INSERT", 0.2),
    ("UPDATE", 0.7),
    ("DELETE", 0.1),
)


@dataclass(frozen=True, slots=True)
class PartialTable:
    """A table whose file failed to load, as far as it did: the columns that loaded (enough to
    check their expressions, checks and running totals), and each column that did not, with the
    line of its first error (what `validate` names when it skips a check that reads it)."""

    table: TableSpec
    failed_columns: dict[str, int]


def load_sector(
    directory: Path,
    name: str | None = None,
    *,
    key_pool: KeyPool | None = None,
    partial: dict[str, PartialTable] | None = None,
) -> tuple[SectorSpec, list[Issue]]:
    """Every table file of one sector folder, plus every problem found (nothing raised).

    `key_pool`: the engine's count of the values a string map key is drawn from, to refuse a
    `min_items` above it (None: not checked; sectors.py passes it).
    `partial`: when given, each table whose file failed only in some columns is added to it by
    name (PartialTable); such a table is never in the SectorSpec.
    """
    directory = Path(directory)
    issues: list[Issue] = []
    tables: list[TableSpec] = []
    seen: dict[str, TableSpec] = {}
    for file in sorted(p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES):
        table = load_table_file(file, issues, key_pool, partial)
        if table is None:
            continue
        if table.name in seen:
            other = seen[table.name]
            issues.append(
                Issue(
                    display_path(file),
                    table.line,
                    f"table '{table.name}' is already defined in "
                    f"{display_path(other.file)}:{other.line}",
                    "give each table a unique name within the sector",
                )
            )
            continue
        seen[table.name] = table
        tables.append(table)
    if not tables and not issues:
        issues.append(Issue(display_path(directory), 0, "no table files (*.yml) in this folder"))
    return SectorSpec(
        name=name or directory.name, tables=tuple(tables), directory=directory
    ), issues


def load_table_file(
    file: Path,
    issues: list[Issue],
    key_pool: KeyPool | None = None,
    partial: dict[str, PartialTable] | None = None,
) -> TableSpec | None:
    """Load one file; append its problems to `issues`; None when it cannot be used."""
    where = display_path(file)
    text = _read_table_file(file, where, issues)
    if text is None:
        return None
    try:
        doc = load_lined(text)
    except YamlSyntaxError as exc:
        issues.append(Issue(where, exc.line, str(exc), exc.hint))
        return None
    issues.extend(yaml11_warnings(doc, where))
    return parse_table(doc, file, issues, key_pool, partial)


def _read_table_file(file: Path, where: str, issues: list[Issue]) -> str | None:
    """The file's text, or None (and an issue) when it is no readable UTF-8 file of at most
    MAX_FILE_BYTES: checked before parsing, so a huge file costs neither time nor memory."""
    try:
        if not file.is_file():  # a folder, a broken link or a pipe named *.yml: never opened
            what = (
                "a folder"
                if file.is_dir()
                else "a broken link"
                if file.is_symlink() and not file.exists()
                else "not a regular file"
            )
            issues.append(Issue(where, 0, f"is {what}, not a table file", _NOT_A_TABLE))
            return None
        with file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        issues.append(Issue(where, 0, f"cannot read the file: {exc.strerror or exc}"))
        return None
    if len(data) > MAX_FILE_BYTES:
        issues.append(
            Issue(
                where,
                0,
                f"the file is larger than {MAX_FILE_BYTES // 1024:,} KiB",
                "a table file needs a few KB: split it, or remove what is not a table",
            )
        )
        return None
    try:
        return data.decode("utf-8-sig")  # a byte-order mark some editors write is not content
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        issues.append(Issue(where, line, "file is not UTF-8 text", "save the file as UTF-8"))
        return None


def parse_table(
    doc: LinedDocument,
    file: Path,
    issues: list[Issue],
    key_pool: KeyPool | None = None,
    partial: dict[str, PartialTable] | None = None,
) -> TableSpec | None:
    where = display_path(file)
    before = len(issues)
    for path, line in doc.duplicates:
        issues.append(Issue(where, line, f"key '{path[-1]}' appears twice", "keep one of them"))
    if not isinstance(doc.data, dict):
        issues.append(
            Issue(where, 1, "a table file must be a mapping with table, type, num_rows and columns")
        )
        return None
    salvaged: set[str] = set()
    model: TableModel | None
    try:
        model = TableModel.model_validate(doc.data)
    except ValidationError as exc:
        # columns are checked one by one below, with better messages
        errors = [
            e for e in exc.errors() if not (e["loc"][:1] == ("columns",) and len(e["loc"]) > 1)
        ]
        issues.extend(_table_issue(where, doc, words) for words in translate(errors, doc.data))
        model, salvaged = _salvage(doc.data, errors)
    parsed = _parse_columns(doc, where, issues, key_pool)
    if model is None or parsed is None:
        return None
    columns, failed = parsed
    if "num_rows" in salvaged:
        columns = _without_capacity(columns, doc, where, issues)
    named = [c.name for c in columns] + list(failed)
    if model.primary_key is not None and model.primary_key not in named:
        issues.append(
            Issue(
                where,
                doc.line_of(("primary_key",)),
                f"primary_key '{model.primary_key}' is not a column of '{model.table}'",
                did_you_mean(model.primary_key, named),
            )
        )
        return None
    profile_ok = model.profile is None or not _bad_profile(model, doc, where, issues)
    failed.update(_bad_sequences(model.type, columns, doc, where, issues))
    table = _table_spec(model, doc, file, [c for c in columns if c.name not in failed], profile_ok)
    if len(issues) == before:
        return table
    if partial is not None and table.columns:
        partial[table.name] = PartialTable(table, failed)
    return None


# Table keys whose wrong value leaves the columns, expressions and checks as checkable as a right
# one would (num_rows: except a unique column's capacity, left out). A wrong table, type,
# columns, tracks, locale or profile changes what the rest means: nothing is salvaged then.
_SALVAGEABLE = {"num_rows", "description", "expect", "late_rate", "duplicate_rate"}
_SALVAGEABLE |= {"out_of_order_rate"}


def _salvage(data: dict, errors: list) -> tuple[TableModel | None, set[str]]:
    """The table model without its wrong keys (num_rows as 1), when only keys of _SALVAGEABLE
    are wrong, and those keys; else (None, set())."""
    from pydantic import ValidationError

    wrong = {str(e["loc"][0]) if e["loc"] else "" for e in errors}
    if not wrong or not wrong <= _SALVAGEABLE:
        return None, set()
    kept = {k: v for k, v in data.items() if k not in wrong}
    if "num_rows" in wrong:
        kept["num_rows"] = 1  # a stand-in: nothing that counts rows is checked (see above)
    try:
        return TableModel.model_validate(kept), wrong
    except ValidationError:
        return None, set()


def _without_capacity(
    columns: list[ColumnSpec], doc: LinedDocument, where: str, issues: list[Issue]
) -> list[ColumnSpec]:
    """The columns without `unique` (a capacity is counted against num_rows, which did not load),
    and a note naming the columns whose capacity is not checked."""
    unique = [f"'{c.name}'" for c in columns if c.unique]
    if unique:
        issues.append(
            Issue(
                where,
                doc.line_of(("num_rows",)),
                f"not checked, as num_rows did not load: whether unique {', '.join(unique)} "
                "can have that many values",
                "fix num_rows, then validate again",
                severity="note",
            )
        )
    return [dataclasses.replace(c, unique=False) if c.unique else c for c in columns]


def _table_spec(
    model: TableModel, doc: LinedDocument, file: Path, columns: list[ColumnSpec], profile_ok: bool
) -> TableSpec:
    operations = tuple(model.operations.items()) if model.operations else None
    return TableSpec(
        name=model.table,
        kind=model.type,
        num_rows=model.num_rows,
        columns=tuple(columns),
        file=file,
        line=doc.line_of(("table",)),
        description=model.description,
        primary_key=model.primary_key,
        tracks=model.tracks,
        operations=operations or DEFAULT_OPERATIONS,
        operations_given=operations is not None,
        late_rate=model.late_rate,
        duplicate_rate=model.duplicate_rate,
        out_of_order_rate=model.out_of_order_rate,
        checks=_checks(model, doc),
        expect=model.expect,
        locale=model.locale,
        profile=(
            model.profile.to_spec(doc.line_of(("profile",)))
            if model.profile and profile_ok
            else None
        ),
    )


def _checks(model: TableModel, doc: LinedDocument) -> tuple[CheckSpec, ...]:
    """`checks: {name: "<rule>"}` or `{name: {rule: ..., anomaly_rate: ..., column: ...}}`."""
    checks = []
    for name, given in (model.checks or {}).items():
        line = doc.line_of(("checks", name))
        if isinstance(given, CheckModel):
            spec = CheckSpec(name, given.rule, line, given.anomaly_rate, given.column, given.expect)
        else:
            spec = CheckSpec(name, given, line)
        checks.append(spec)
    return tuple(checks)


def _bad_sequences(
    kind: TableKind, columns: list[ColumnSpec], doc: LinedDocument, where: str, issues: list[Issue]
) -> dict[str, int]:
    """A sequence column's keys that would be ignored (spec/sequence.py), one issue each column;
    answers the columns at fault and the line of each issue."""
    bad: dict[str, int] = {}
    for col in columns:
        problem = sequence_problem(kind, col)
        if problem is not None:
            key, message, hint = problem
            bad[col.name] = doc.line_of(("columns", col.name, key))
            issues.append(Issue(where, bad[col.name], message, hint))
    return bad


def _bad_profile(model: TableModel, doc: LinedDocument, where: str, issues: list[Issue]) -> bool:
    """A profile belongs to a fact or change feed, and its busiest cycle must stay within the
    rows one batch may have."""
    assert model.profile is not None
    if model.type == "dimension":
        issues.append(
            Issue(
                where,
                doc.line_of(("profile",)),
                "profile applies to facts and change feeds (rows per cycle), not to a dimension "
                "(written once)",
                "remove profile: from this table",
            )
        )
        return True
    peak = model.num_rows * peak_factor(model.profile.to_spec(0))
    if peak <= MAX_ROWS:
        return False
    issues.append(
        Issue(
            where,
            doc.line_of(("profile",)),
            f"the profile's busiest cycle has {peak:,.0f} rows, above the limit of "
            f"{MAX_ROWS:,} rows per batch",
            "lower num_rows, flatten the hourly/weekday weights or lower the burst multiplier",
        )
    )
    return True


def _parse_columns(
    doc: LinedDocument, where: str, issues: list[Issue], key_pool: KeyPool | None
) -> tuple[list[ColumnSpec], dict[str, int]] | None:
    """The columns that loaded, and each one that did not with the line of its first error (a
    name that is no snake_case is not a column anyone can name: left out of both)."""
    raw = doc.data.get("columns") if isinstance(doc.data, dict) else None
    if not isinstance(raw, dict):
        return None  # reported by the table model
    columns: list[ColumnSpec] = []
    failed: dict[str, int] = {}
    given = doc.data.get("locale") if isinstance(doc.data, dict) else None
    locale = given if given in SUPPORTED_LOCALES else None  # a bad one: the table model says
    cut = cut_type(raw)  # `columns: {price: decimal(10,2)}`: YAML made a column of `2)`
    if cut is not None:
        cut_name, tails, meant = cut
        message, hint = cut_problem(cut_name, cut_name, raw[cut_name], tails[0], meant)
        failed[cut_name] = doc.line_of(("columns", cut_name))
        issues.append(Issue(where, failed[cut_name], message, hint))
        raw = {k: v for k, v in raw.items() if k != cut_name and k not in tails}
    for name, spec in raw.items():
        path = ("columns", str(name))
        if not isinstance(name, str) or not NAME.match(name):
            issues.append(
                Issue(
                    where,
                    doc.line_of(path),
                    f"column name '{name}' is not snake_case",
                    "use lower-case letters, digits and _",
                )
            )
            continue
        too_long = name_problem(name, f"column name '{name[:20]}...'")
        if too_long is not None:
            issues.append(Issue(where, doc.line_of(path), too_long, "use a shorter name"))
            continue
        try:
            column = build_column(name, as_written(spec, path, doc), path)
            if key_pool is not None:
                check_map_key_pools(column, path, key_pool, locale)
        except ColumnProblem as problem:
            for each in (problem, *problem.others):
                message = column_message(name, each.message)
                issues.append(Issue(where, doc.line_of(each.path), message, each.hint))
            failed[name] = doc.line_of(problem.path)
            continue
        columns.append(dataclasses.replace(column, line=doc.line_of(path)))
    return columns, failed


# Keys of the table's nested mappings, for "did you mean" on an unknown one.
_NESTED_KEYS = {
    ("profile",): tuple(ProfileModel.model_fields),
    ("profile", "bursts"): tuple(BurstsModel.model_fields),
}


def _table_issue(where: str, doc: LinedDocument, words: Words) -> Issue:
    """One table-level problem (spec/pydantic_words.py), with the key's line and a fix."""
    loc, kind = words.loc, words.key
    key = str(loc[0]) if loc else ""
    if kind == "missing" and len(loc) == 1:
        return Issue(where, 1, f"missing required key '{key}'", MISSING_HINTS.get(key))
    if kind == "extra_forbidden":
        unknown = str(loc[-1])
        known: tuple[str, ...] = _NESTED_KEYS.get(
            tuple(str(p) for p in loc[:-1]), tuple(TableModel.model_fields)
        )
        if loc[0] == "checks" and len(loc) == 3:
            known = tuple(CheckModel.model_fields)
        inside = f" in {'.'.join(str(p) for p in loc[:-1])}" if len(loc) > 1 else ""
        return Issue(
            where,
            doc.line_of(loc),
            f"unknown key '{unknown}'{inside}",
            did_you_mean(unknown, known) or (f"use {', '.join(known)}" if inside else None),
        )
    if kind == "literal_error" and loc == ("type",):
        value = doc.data.get("type") if isinstance(doc.data, dict) else None  # checked
        return Issue(
            where,
            doc.line_of(loc),
            f"unknown table type {shown(value)}",
            did_you_mean(str(value), TABLE_KINDS) or "use dimension, fact or change_feed",
        )
    return Issue(where, doc.line_of(loc), words.message, words.hint)

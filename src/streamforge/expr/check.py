"""`validate` for computed columns, lookups and table checks: each problem with file:line.

Columns and lookups are resolved here (did you mean), evaluation order is fixed (cycles refused
naming their columns), and every expression is typed over the row's real types, so a type clash
(`upper(quantity)`) or an unknown function shows before any data is made. The rules of
expr/static_types.py type the common expressions without DuckDB (a cold `validate` stays fast);
whatever they do not cover, or find not fitting, is bound by DuckDB (expr/bind.py), whose
verdict the message keeps.
"""

from __future__ import annotations

from collections.abc import Mapping

from streamforge.errors import Issue, did_you_mean, display_path
from streamforge.expr.answers import Named, duckdb_type, named, static_type_of
from streamforge.expr.order import CycleError, levels
from streamforge.expr.row_types import sql_type
from streamforge.expr.rowrefs import ExprError, Lookup, Reference, break_target
from streamforge.expr.sql_words import bind_problem, spark_type
from streamforge.expr.unmeetable import never_holds
from streamforge.spec.model import ColumnSpec, TableSpec

# Declared type -> the DuckDB result types an expression of that column may have.
_NUMBERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
_FITS = {
    "int": _NUMBERS,
    "long": _NUMBERS,
    "float": _NUMBERS,
    "double": _NUMBERS,
    "decimal": _NUMBERS,
    "bool": ("BOOLEAN",),
    "datetime": ("TIMESTAMP", "DATE"),
    "date": ("TIMESTAMP", "DATE"),
}


def resolve_lookup(
    ref: Reference, foreign_keys: Mapping[str, str], dimensions: Mapping[str, TableSpec]
) -> Lookup:
    """The lookup `ref` names; `foreign_keys`: fk column -> dimension. Raise ExprError."""
    assert ref.qualifier is not None
    qualifier = ref.qualifier
    if qualifier in foreign_keys:
        via, entity = qualifier, foreign_keys[qualifier]
    else:
        vias = sorted(c for c, e in foreign_keys.items() if e == qualifier)
        if not vias:
            known = sorted({*foreign_keys.values(), *foreign_keys})
            if qualifier in dimensions:
                raise ExprError(
                    f"'{ref.text}': this table has no foreign key into '{qualifier}'",
                    f"add a column '{qualifier}_id' (or `references: {qualifier}.<key>`)",
                )
            raise ExprError(
                f"'{ref.text}': '{qualifier}' is not a dimension this row references",
                did_you_mean(qualifier, known) or f"lookups go through foreign keys: {known}",
            )
        if len(vias) > 1:
            raise ExprError(
                f"'{ref.text}': {len(vias)} foreign keys point into '{qualifier}' "
                f"({', '.join(vias)})",
                f"name the key: '{vias[0]}.{ref.column}'",
            )
        via, entity = vias[0], qualifier
    dim = dimensions.get(entity)
    if dim is None:
        raise ExprError(
            f"'{ref.text}': '{entity}' is not a dimension", "lookups read dimensions only"
        )
    if dim.column(ref.column) is None:
        raise ExprError(
            f"'{ref.text}': dimension '{entity}' has no column '{ref.column}'",
            did_you_mean(ref.column, dim.column_names),
        )
    return Lookup(qualifier, ref.column, via, entity)


def check_table(
    table: TableSpec,
    keys: frozenset[str],
    foreign_keys: Mapping[str, str],
    dimensions: Mapping[str, TableSpec],
    tracked: bool = False,
) -> list[Issue]:
    """Every problem of `table`'s expressions and checks. `keys`: its key columns (primary and
    foreign), which keep their key rules and so cannot be computed. `tracked`: a dimension that
    a change feed changes, whose after-images must compute the expressions from themselves."""
    where = display_path(table.file)
    computed = [c for c in table.columns if c.expr is not None]
    if not computed and not table.checks and not any(c.hidden for c in table.columns):
        return []
    issues: list[Issue] = []
    if table.kind == "change_feed":
        col = next((c for c in table.columns if c.expr is not None or c.hidden), None)
        return [
            Issue(
                where,
                col.line if col is not None else table.checks[0].line,
                "expr, hidden and checks apply to dimensions and facts, not to change feeds "
                "(their rows are after-images of the tracked dimension)",
            )
        ]
    schema = _row_schema(table, keys)
    parsed: dict[str, Named] = {}
    for col in computed:
        assert col.expr is not None
        if col.name in keys:
            issues.append(
                Issue(where, col.line, f"key column '{col.name}' cannot be computed (expr)")
            )
            continue
        try:
            parsed[col.name] = named(col.expr)
            lookups = _names(parsed[col.name], table, foreign_keys, dimensions)
            if tracked:
                _image_only(parsed[col.name], table)
        except ExprError as exc:
            issues.append(Issue(where, col.line, f"column '{col.name}': {exc.message}", exc.hint))
            parsed.pop(col.name, None)
            continue
        for lookup in lookups:
            looked_up = dimensions[lookup.entity].column(lookup.column)
            assert looked_up is not None  # resolve_lookup checked it
            schema.setdefault(lookup.name, sql_type(looked_up))
    try:
        levels({name: p.columns for name, p in parsed.items()})
    except CycleError as exc:
        first = table.column(exc.cycle[0])
        issues.append(
            Issue(
                where,
                first.line if first else table.line,
                f"computed columns depend on each other in a cycle: {exc}",
                "break the cycle: one of them must not use the other",
            )
        )
        return issues
    for name, p in parsed.items():
        col = table.column(name)
        assert col is not None
        problem = _type_problem(col, schema, p)
        if problem is not None:
            message, hint = problem
            issues.append(Issue(where, col.line, f"column '{name}': {message}", hint))
    check_issues = _check_checks(table, schema, where)
    issues += check_issues
    # A rule reported above (one that does not parse or bind) has no column to break: asking
    # would parse it again and raise.
    unusable = {i.line for i in check_issues if i.severity == "error"}
    for check in table.checks:
        if check.line in unusable:
            continue
        if check.anomaly_rate > 0 and break_target(table, check, keys) is None:
            issues.append(
                Issue(
                    where,
                    check.line,
                    f"check '{check.name}' has anomaly_rate but no column that an anomaly could "
                    "change (keys and hidden columns keep their values)",
                    "name a written column in the rule, or set `column:`",
                )
            )
    return issues


def _names(
    parsed: Named,
    table: TableSpec,
    foreign_keys: Mapping[str, str],
    dimensions: Mapping[str, TableSpec],
) -> list[Lookup]:
    for name in parsed.columns:
        if table.column(name) is None:
            raise ExprError(
                f"unknown column '{name}' in '{parsed.text}'",
                did_you_mean(name, table.column_names),
            )
    return [resolve_lookup(ref, foreign_keys, dimensions) for ref in parsed.lookups]


def _image_only(parsed: Named, table: TableSpec) -> None:
    """A tracked dimension's change feed writes after-images with the written columns only."""
    hidden = [n for n in parsed.columns if table.column(n).hidden]  # type: ignore[union-attr]
    if parsed.lookups or hidden:
        what = parsed.lookups[0].text if parsed.lookups else hidden[0]
        raise ExprError(
            f"'{what}' in '{parsed.text}': a change feed changes this dimension, and its "
            "after-images carry only the written columns, no lookups or hidden columns",
            "compute the value from the dimension's own written columns",
        )


def _row_schema(table: TableSpec, keys: frozenset[str]) -> dict[str, str]:
    """Column name -> DuckDB type of the row; lookups are added as they are resolved."""
    return {c.name: sql_type(c, is_key=c.name in keys) for c in table.columns}


def _type_problem(
    col: ColumnSpec, schema: Mapping[str, str], parsed: Named
) -> tuple[str, str | None] | None:
    """(message, hint) when the expression's result does not fit the column, else None."""
    known = static_type_of(parsed.text, schema)
    if known is not None and _mismatch(col, parsed, known) is None:
        return None
    try:  # DuckDB's binding, for its words (or for what the rules do not cover)
        found = duckdb_type(parsed.text, schema)
    except ExprError as exc:
        return bind_problem(parsed.text, exc.message)
    return _mismatch(col, parsed, found)


def _mismatch(col: ColumnSpec, parsed: Named, found: str) -> tuple[str, str | None] | None:
    """(message, hint) when a result of type `found` (DuckDB's name) does not fit `col`."""
    fits = _FITS.get(col.type)
    base = found.split("(")[0]
    if fits is None or base in fits or base == '"NULL"' or found == "NULL":
        if col.type in ("array", "map"):
            return "expr applies to scalar columns, not to arrays and maps", "remove expr:"
        return None
    return (
        f"'{parsed.text}' gives {spark_type(found)}, which is not {_article(col.type)} {col.type}",
        f"cast it: cast(... AS {col.type}), or change the column's type",
    )


def _check_checks(table: TableSpec, schema: Mapping[str, str], where: str) -> list[Issue]:
    issues = []
    for check in table.checks:
        if table.column(check.name) is not None:
            issues.append(
                Issue(
                    where,
                    check.line,
                    f"check '{check.name}' has the name of a column",
                    "name checks after the rule, e.g. valid_total",
                )
            )
            continue
        try:
            parsed = named(check.rule)
            if parsed.lookups:
                raise ExprError(
                    f"'{parsed.lookups[0].text}': checks name the row's own columns",
                    "compute the looked-up value into a column (expr) and check that",
                )
            for name in parsed.columns:
                if table.column(name) is None:
                    raise ExprError(
                        f"unknown column '{name}' in '{check.rule}'",
                        did_you_mean(name, table.column_names),
                    )
        except ExprError as exc:
            message = f"check '{check.name}': {exc.message}"
            issues.append(Issue(where, check.line, message, exc.hint))
            continue
        try:
            found = static_type_of(check.rule, schema) or ""
            if found != "BOOLEAN":  # DuckDB's binding, for its words or what the rules leave
                found = duckdb_type(check.rule, schema)
        except ExprError as exc:
            message, hint = bind_problem(check.rule, exc.message)
            issues.append(Issue(where, check.line, f"check '{check.name}': {message}", hint))
            continue
        if found != "BOOLEAN":
            issues.append(
                Issue(
                    where,
                    check.line,
                    f"check '{check.name}': '{check.rule}' gives {spark_type(found)}, "
                    "not a boolean",
                    "write a condition, e.g. total >= 0",
                )
            )
        why = never_holds(check.rule, table) if found == "BOOLEAN" else None
        if why is not None:
            issues.append(
                Issue(
                    where,
                    check.line,
                    f"check '{check.name}' can never hold: {why}",
                    "change the column's min/max/values so rows can meet it, compute the column "
                    "with expr:, or fix the rule",
                )
            )
        target = check.column
        if target is not None and target not in parsed.columns:
            issues.append(
                Issue(
                    where,
                    check.line,
                    f"check '{check.name}': column '{target}' is not in its rule",
                    did_you_mean(target, parsed.columns),
                )
            )
        hidden = [n for n in parsed.columns if table.column(n).hidden]  # type: ignore[union-attr]
        if hidden:
            issues.append(
                Issue(
                    where,
                    check.line,
                    f"check '{check.name}' names hidden columns {', '.join(hidden)}: the "
                    "generator keeps it and verify draws them again from the seed, but pipelines "
                    "cannot (those columns are not written)",
                    severity="warning",
                )
            )
    return issues


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"

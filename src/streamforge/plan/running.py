"""`validate` for running totals (`running:`, DESIGN §3): each problem with file:line and a fix.

A running column is `start` (a lookup through the `by` foreign key) plus the sum of the key's
earlier rows, in posting order (engine/running.py). That needs a fact with an event time, exact
numbers all the way (the total must add up to the cent, on every engine), and a `sum` column that
does not itself depend on the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from streamforge.errors import Issue, did_you_mean
from streamforge.plan.issues import table_issue
from streamforge.plan.model import TablePlan
from streamforge.spec.model import CheckSpec, ColumnSpec, TableSpec

EXACT = ("int", "long", "decimal")


def check_running(plans: Mapping[str, TablePlan], dims: Mapping[str, TableSpec]) -> list[Issue]:
    """Every problem of the sector's running columns."""
    issues: list[Issue] = []
    for table in plans.values():
        for col in table.spec.columns:
            if col.running is not None:
                issues += _check_column(table, col, dims)
    return issues


def _check_column(table: TablePlan, col: ColumnSpec, dims: Mapping[str, TableSpec]) -> list[Issue]:
    """Every problem of one running column, in one run: the table's, then sum, by and start
    (each checked as far as the others allow)."""
    spec, run = table.spec, col.running
    assert run is not None
    found: list[tuple[str, str | None]] = []  # (message, hint)
    found += _table_problems(table)
    names = spec.column_names
    added, key = spec.column(run.sum), spec.column(run.by)
    for role, name, given in (("sum", run.sum, added), ("by", run.by, key)):
        if given is None:
            found.append(
                (f"running.{role} '{name}' is not a column of '{spec.name}'", _close(name, names))
            )
    if added is not None:
        found += _sum_problems(table, col, added)
    if key is not None and key.type not in ("int", "long"):
        found.append((f"running.by '{run.by}' must be an int or long key, not {key.type}", None))
    if run.start_ref is not None:
        found += _start_problems(table, col, dims, by_known=key is not None)
    return [
        table_issue(spec, col.line, f"column '{col.name}': {message}", hint)
        for message, hint in found
    ]


def _close(name: str, known: Iterable[str]) -> str | None:
    return did_you_mean(name, known)


def _table_problems(table: TablePlan) -> list[tuple[str, str | None]]:
    """What the fact must have for any running total: rows ordered by event time, then key."""
    spec = table.spec
    if spec.kind != "fact":
        return [
            (
                f"running totals apply to facts, not to a {spec.kind}",
                "move the column to the fact whose rows it adds up",
            )
        ]
    found: list[tuple[str, str | None]] = []
    if table.event_time is None:
        found.append(
            (
                "a running total needs the fact's event time to order its rows",
                "add a datetime column such as `event_time: datetime`",
            )
        )
    event = spec.column(table.event_time) if table.event_time is not None else None
    if event is not None and (event.null_rate or event.anomaly_rate):
        found.append(
            (
                f"a running total orders rows by '{event.name}', which has a null_rate or "
                "anomaly_rate",
                f"drop null_rate/anomaly_rate from '{event.name}'",
            )
        )
    if table.primary_key is None:
        found.append(
            (
                "a running total orders rows of one moment by the primary key; the fact has none",
                "add `primary_key:` (e.g. an int `<table>_id` column)",
            )
        )
    return found


def _sum_problems(
    table: TablePlan, col: ColumnSpec, added: ColumnSpec
) -> list[tuple[str, str | None]]:
    spec, run = table.spec, col.running
    assert run is not None
    if added.running is not None or added.name == col.name:
        return [(f"running.sum '{run.sum}' is a running total itself", "sum a plain column")]
    problem = _scale_problem(added, col, "running.sum")
    if problem:
        return [(problem, "sum an int, long or decimal column with no more decimal places")]
    if col.name in _needs(spec, added.name):
        return [
            (
                f"running.sum '{run.sum}' depends on '{col.name}' itself",
                "sum a column whose expression does not read the running total",
            )
        ]
    added_up = {col.name, added.name, *_needs(spec, run.sum)}
    for check in spec.checks:
        broken = _broken_column(table, check) if check.anomaly_rate > 0 else None
        if broken in added_up:
            return [
                (
                    f"check '{check.name}' breaks '{broken}' on purpose, which the total adds up",
                    "name another `column:` for the check's anomalies",
                )
            ]
    return []


def _start_problems(
    table: TablePlan, col: ColumnSpec, dims: Mapping[str, TableSpec], by_known: bool
) -> list[tuple[str, str | None]]:
    """`start` looks up the dimension row that `by` points at; when `by` is not a column, the
    lookup is still checked against the dimension it names."""
    run = col.running
    assert run is not None and run.start_ref is not None
    qualifier, column = run.start_ref
    fk = table.foreign_keys.get(run.by)
    if by_known and fk is None:
        return [
            (
                f"running.by '{run.by}' is not a foreign key, so start '{run.start}' has no row",
                "start looks up the dimension row that `by` points at",
            )
        ]
    if fk is not None and qualifier not in (run.by, fk.entity):
        return [
            (
                f"start '{run.start}' must look up '{fk.entity}' through running.by '{run.by}'",
                f"start looks up the row that `by` points at: `start: {fk.entity}.<column>`",
            )
        ]
    entity = fk.entity if fk is not None else qualifier
    dim = dims.get(entity)
    if dim is None:
        if fk is not None:
            return [(f"start '{run.start}': dimension '{entity}' has no column '{column}'", None)]
        return [
            (
                f"start '{run.start}': there is no dimension '{qualifier}'",
                _close(qualifier, dims) or "start: <dimension>.<column>",
            )
        ]
    looked = dim.column(column)
    if looked is None:
        return [
            (
                f"start '{run.start}': dimension '{entity}' has no column '{column}'",
                _close(column, dim.column_names),
            )
        ]
    problem = _scale_problem(looked, col, "start")
    return [(problem, "start from an int, long or decimal column")] if problem else []


def _scale_problem(source: ColumnSpec, total: ColumnSpec, what: str) -> str | None:
    """Why `source` cannot be added exactly into `total`'s type, or None."""
    if source.type not in EXACT:
        return f"{what} '{source.name}' is {source.type}; a running total adds exact numbers only"
    if (source.scale or 0) > (total.scale or 0):
        return (
            f"{what} '{source.name}' has {source.scale} decimal places, more than the total's "
            f"{total.scale or 0}"
        )
    return None


def _broken_column(table: TablePlan, check: CheckSpec) -> str | None:
    from streamforge.expr.rowrefs import break_target

    keys = frozenset([*table.foreign_keys, *([table.primary_key] if table.primary_key else [])])
    try:
        target = break_target(table.spec, check, keys)
    except ValueError:  # a rule check_table reports
        return None
    return target.name if target is not None else None


def _needs(spec: TableSpec, name: str) -> set[str]:
    """Every column that `name`'s value depends on through expressions (itself excluded)."""
    from streamforge.expr.rowrefs import columns

    seen: set[str] = set()
    todo = [name]
    while todo:
        col = spec.column(todo.pop())
        if col is None or col.expr is None:
            continue
        try:
            reads = columns(col.expr)
        except ValueError:  # an expression check_table reports
            continue
        for read in reads:
            if read not in seen:
                seen.add(read)
                todo.append(read)
    return seen

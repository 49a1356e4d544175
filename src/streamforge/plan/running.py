"""`validate` for running totals (`running:`, DESIGN §3): each problem with file:line and a fix.

A running column is `start` (a lookup through the `by` foreign key) plus the sum of the key's
earlier rows, in posting order (engine/running.py). That needs a fact with an event time, exact
numbers all the way (the total must add up to the cent, on every engine), and a `sum` column that
does not itself depend on the total.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    spec, run = table.spec, col.running
    assert run is not None

    def issue(message: str, hint: str | None = None) -> list[Issue]:
        return [table_issue(spec, col.line, f"column '{col.name}': {message}", hint)]

    if spec.kind != "fact":
        return issue(
            f"running totals apply to facts, not to a {spec.kind}",
            "move the column to the fact whose rows it adds up",
        )
    if table.event_time is None:
        return issue(
            "a running total needs the fact's event time to order its rows",
            "add a datetime column such as `event_time: datetime`",
        )
    event = spec.column(table.event_time)
    if event is not None and (event.null_rate or event.anomaly_rate):
        return issue(
            f"a running total orders rows by '{event.name}', which has a null_rate or anomaly_rate",
            f"drop null_rate/anomaly_rate from '{event.name}'",
        )
    if table.primary_key is None:
        return issue(
            "a running total orders rows of one moment by the primary key; the fact has none",
            "add `primary_key:` (e.g. an int `<table>_id` column)",
        )
    names = spec.column_names
    for role, name in (("sum", run.sum), ("by", run.by)):
        if spec.column(name) is None:
            return issue(
                f"running.{role} '{name}' is not a column of '{spec.name}'",
                did_you_mean(name, names),
            )
    added, key = spec.column(run.sum), spec.column(run.by)
    assert added is not None and key is not None
    if added.running is not None or added.name == col.name:
        return issue(f"running.sum '{run.sum}' is a running total itself", "sum a plain column")
    problem = _scale_problem(added, col, "running.sum")
    if problem:
        return issue(problem, "sum an int, long or decimal column with no more decimal places")
    if key.type not in ("int", "long"):
        return issue(f"running.by '{run.by}' must be an int or long key, not {key.type}")
    if col.name in _needs(spec, added.name):
        return issue(
            f"running.sum '{run.sum}' depends on '{col.name}' itself",
            "sum a column whose expression does not read the running total",
        )
    added_up = {col.name, added.name, *_needs(spec, run.sum)}
    for check in spec.checks:
        broken = _broken_column(table, check) if check.anomaly_rate > 0 else None
        if broken in added_up:
            return issue(
                f"check '{check.name}' breaks '{broken}' on purpose, which the total adds up",
                "name another `column:` for the check's anomalies",
            )
    if run.start_ref is None:
        return []
    qualifier, column = run.start_ref
    fk = table.foreign_keys.get(run.by)
    if fk is None:
        return issue(
            f"running.by '{run.by}' is not a foreign key, so start '{run.start}' has no row",
            "start looks up the dimension row that `by` points at",
        )
    if qualifier not in (run.by, fk.entity):
        return issue(
            f"start '{run.start}' must look up '{fk.entity}' through running.by '{run.by}'",
            f"start looks up the row that `by` points at: `start: {fk.entity}.<column>`",
        )
    dim = dims.get(fk.entity)
    looked = dim.column(column) if dim is not None else None
    if dim is None or looked is None:
        known = dim.column_names if dim is not None else ()
        return issue(
            f"start '{run.start}': dimension '{fk.entity}' has no column '{column}'",
            did_you_mean(column, known),
        )
    problem = _scale_problem(looked, col, "start")
    return issue(problem, "start from an int, long or decimal column") if problem else []


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

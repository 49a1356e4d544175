"""Per landing file: foreign keys live at the row's moment, and a change feed's rows (order, late
rows, INSERT/UPDATE/DELETE against the key timeline) replayed into the entity, whose hierarchy
(self-references) must stay a forest."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.absent import absent
from streamforge.verify.changed_replay import keep_rows
from streamforge.verify.feeds import (
    as_int64,
    check_changed_fields,
    check_changes,
    check_order,
    order_of,
)
from streamforge.verify.hierarchy import check_forest
from streamforge.verify.landing_run import LandingRun, micros, self_references
from streamforge.verify.references import When, check_reference


def _moment(table: TablePlan, entry: dict, data: pa.Table) -> When:
    """When the rows of this file hold: a dimension's snapshot, each row's event or change time,
    else the file's window."""
    if table.kind == "dimension":
        return When(snapshot=True)
    column = table.feed.timestamp_column if table.feed else table.event_time
    if column is not None and column in data.column_names:
        stamps = data.column(column)
        return When(as_int64(stamps), stamps.is_valid().to_numpy(zero_copy_only=False))
    start, end = entry.get("window_start"), entry.get("window_end")
    if start and end:
        return When(window=(micros(start), micros(end)))
    return When()


def check_references(
    run: LandingRun, table: TablePlan, entry: dict, data: pa.Table, rows: np.ndarray | None
) -> None:
    """Every foreign key of the file's rows (`rows`: the ones judged, None: all) names a key
    live at the row's moment (key_dates.date_keys dated them)."""
    when = _moment(table, entry, data)
    for column, fk in table.foreign_keys.items():
        if fk.entity not in run.timelines:
            continue
        check = f"foreign key {column} (orphans)"
        if absent(run.report, table.name, check, [column], data, "foreign keys"):
            continue
        values = data.column(column)
        valid = values.is_valid().to_numpy(zero_copy_only=False)
        if rows is not None:
            valid &= rows
        check_reference(
            run.report,
            table.name,
            entry["cycle"],
            column,
            fk.entity,
            as_int64(values),
            valid,
            when,
            run.timelines[fk.entity],
        )


def judge_changes(
    run: LandingRun,
    table: TablePlan,
    entry: dict,
    data: pa.Table,
    ops: np.ndarray,
    fresh: np.ndarray,
) -> None:
    """One change feed file: its order, late rows and changes against the key timeline, then
    its fresh rows (`fresh`: no announced duplicate) replayed into the entity, whose changed
    fields and hierarchy are judged only when every older change has landed (run.settled)."""
    roles = table.feed
    assert roles is not None
    report, cycle = run.report, entry["cycle"]
    needed = [roles.entity_key, roles.type_column, roles.timestamp_column]
    if any(c not in data.column_names for c in needed):
        return
    check_order(report, table.name, cycle, roles, data, run.feed_last.setdefault(table.name, {}))
    _check_late_changes(run, table, entry, data)
    start = entry.get("window_start")
    stamps = as_int64(data.column(roles.timestamp_column))
    made_here = stamps >= micros(start) if start else np.ones(len(stamps), dtype=bool)
    timeline = run.timelines[roles.entity]
    ok = check_changes(report, table.name, cycle, roles, data, timeline, made_here)
    check_references(run, table, entry, data, ops != "DELETE")
    state = run.states.get(roles.entity)
    if state is None:
        return
    before, after = run.settled.get(table.name, {}).get(cycle, (True, True))
    if table.name in run.feed_rows:  # a finished run: judged over the whole feed at the end
        keep_rows(run.feed_rows[table.name], table, cycle, data, ok & fresh, state.table)
    elif before:
        check_changed_fields(report, table.name, cycle, roles, data, state.table)
    state.apply(data, ops, order_of(roles, data), ok & fresh)
    if after:
        check_hierarchy(run, table, roles.entity, cycle)


def _check_late_changes(run: LandingRun, table: TablePlan, entry: dict, data: pa.Table) -> None:
    """A late change row keeps its own timestamp: it is stamped before its file's window, and
    the manifest counts it (copies of a late row too)."""
    roles = table.feed
    assert roles is not None
    start = entry.get("window_start")
    if not start or start == entry.get("window_end"):
        return
    stamps = data.column(roles.timestamp_column)
    valid = stamps.is_valid().to_numpy(zero_copy_only=False)
    late = int(((as_int64(stamps) < micros(start)) & valid).sum())
    announced = int((entry.get("faults") or {}).get("late", 0))
    if late != announced:
        run.report.add(
            table.name,
            entry["cycle"],
            f"{counted(late, 'change row')} stamped before the file's window (from {start}), "
            f"manifest announces {counted(announced, 'late row')}",
            column=roles.timestamp_column,
            kind="late",
            count=late,
        )


def check_hierarchy(run: LandingRun, table: TablePlan, entity: str, cycle: int) -> None:
    """The replayed entity's self-references form a forest: no key in or under a loop; and,
    judged after a change feed's file, no parent that is no live key (a DELETE orphaned it)."""
    state = run.states[entity]
    source = run.plan.table(run.plan.entities[entity].source)
    if state.table is None:
        return
    keys = state.keys()
    for column in self_references(source, entity):
        if column not in state.table.column_names:
            continue
        parents = state.table.column(column)
        forest = check_forest(
            keys, as_int64(parents), parents.is_valid().to_numpy(zero_copy_only=False)
        )
        if forest.in_loops:
            run.report.add(
                table.name,
                cycle,
                f"{forest.in_loops} keys of {entity} sit in or under a loop of {column} "
                f"(e.g. {' -> '.join(map(str, forest.loop))} -> {forest.loop[0]})",
                column=column,
                kind="loop",
                count=forest.in_loops,
                example=forest.loop,
            )
        if forest.dangling and table.kind != "dimension":
            key, parent = forest.dangling_example or (0, 0)
            run.report.add(
                table.name,
                cycle,
                f"{forest.dangling} keys of {entity} have a {column} that is no live key "
                f"(e.g. {key} -> {parent}): a DELETE orphaned them",
                column=column,
                kind="orphan",
                count=forest.dangling,
                example=forest.dangling_example,
            )

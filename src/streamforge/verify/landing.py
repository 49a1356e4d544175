"""Check a landing area file by file, keeping only compact state between files.

Two passes over the manifest: the first reads the key columns of dimensions and change feeds to date
every key (its INSERT and DELETE); the second reads each file whole, once, and judges it: row count,
values against the YAML's rules, uniqueness, foreign keys in time, change rows, hierarchies. Memory
holds one file, the key timelines, the fingerprints of unique values and the replayed entities.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa

from streamforge.plan import Plan, TablePlan
from streamforge.plural import counted
from streamforge.readback import read_manifest
from streamforge.verify.absent import settle_notes
from streamforge.verify.change_rows import check_hierarchy, check_references, judge_changes
from streamforge.verify.changed_replay import FeedRows, judge_rows
from streamforge.verify.checks import judge_checks, read_checks
from streamforge.verify.columns import check_columns
from streamforge.verify.cycle_counts import ROWS_READ, WindowTally, judge_cycle_rows
from streamforge.verify.event_times import by_event_time, check_event_times, tally_profile
from streamforge.verify.feeds import as_int64, order_of
from streamforge.verify.hidden_replay import Redraw
from streamforge.verify.key_dates import collect_histories, date_keys
from streamforge.verify.key_range import check_key_range
from streamforge.verify.landing_run import LandingRun, entity_of, read_entry, self_references
from streamforge.verify.lookup_exprs import ExprLookup
from streamforge.verify.lookups import judge_lookups, read_lookups
from streamforge.verify.people import check_people
from streamforge.verify.places import check_places
from streamforge.verify.presence import check_presence
from streamforge.verify.profile_shape import judge_profile
from streamforge.verify.replay import EntityState
from streamforge.verify.report import Report
from streamforge.verify.row_keys import check_row_keys, check_unique
from streamforge.verify.rules import Rule, RuleError, read_rules
from streamforge.verify.running import Ledger, collect, judge_running, read_running
from streamforge.verify.vocabulary import judge_vocabulary


def verify_landing(
    root: Path,
    plan: Plan,
    in_flight: Mapping[str, pa.Table] | None = None,
    redraw: Redraw | None = None,
) -> Report:
    """Every finding about the landing at `root`. `in_flight`: per change feed, rows a live run
    holds back as late (from its checkpoint): they date their keys and belong to the replay,
    although no file holds them yet. `redraw`: the engine's draws (hidden_replay.Redraw), so
    expressions and checks reading hidden columns are judged; None: they are noted."""
    report = Report()
    run = LandingRun(Path(root), plan, report, {}, {t.name: [] for t in plan.tables})
    run.hidden.redraw = redraw
    in_flight = {n: t for n, t in (in_flight or {}).items() if n in run.files and t is not None}
    for table in plan.tables:
        try:
            run.rules[table.name] = read_rules(table.spec.file)
            run.checks[table.name] = read_checks(table.spec.file)
            looks = read_lookups(table.spec.file, table)
            if table.kind != "fact":  # no event time to look up as of: expressions over the row
                looks = [one for one in looks if isinstance(one, ExprLookup) and not one.refs]
            run.lookups[table.name] = looks
            if table.kind == "fact":
                run.running[table.name] = read_running(table.spec.file, table)
                run.ledgers[table.name] = Ledger()
        except RuleError as exc:
            report.add(table.name, -1, str(exc), kind="spec")
            run.rules[table.name] = {}
    for table in plan.tables:
        # A change feed carries its dimension's columns (after-image) even when it does not list
        # them: those follow the dimension's YAML.
        if table.feed is not None and not table.feed.owns_entity:
            run.rules[table.name] = {**run.rules[table.feed.entity], **run.rules[table.name]}
            # and the dimension's row rules hold on it (none broken on purpose: a feed's manifest
            # counts only the failures its column anomalies and NULLs cause, engine/feed_checks.py)
            dim = plan.table(table.feed.entity)
            steady = {c.name for c in dim.spec.checks if c.anomaly_rate == 0}
            inherited = {n: r for n, r in run.checks.get(dim.name, {}).items() if n in steady}
            run.checks[table.name] = {**inherited, **run.checks.get(table.name, {})}
            # and its expressions over the row: a feed's INSERT and UPDATE rows are computed
            # like the dimension's (README "change feeds"); judged on those rows only
            over_row = [
                one
                for one in run.lookups.get(dim.name, [])
                if isinstance(one, ExprLookup) and not one.refs
            ]
            run.lookups[table.name] = [*over_row, *run.lookups.get(table.name, [])]
        for col in table.columns:  # a column the YAML does not spell out (a role): type only
            run.rules[table.name].setdefault(col.name, Rule(col.name, col.type))
    manifest = read_manifest(run.root)
    for entry in manifest:
        if entry.get("table") in run.files:
            run.files[entry["table"]].append(entry)
    check_presence(report, plan, run.files, manifest)
    for name, entries in run.files.items():
        entries.sort(key=lambda e: e["cycle"])
        report.files[name] = len(entries)
        report.rows[name] = 0
    streamed = [e["cycle"] for t in plan.streams for e in run.files[t.name]]
    covered = range(min(streamed), max(streamed) + 1) if streamed else range(0)
    # A live run stopped mid-cycle lands only some tables of its newest cycle (its checkpoint
    # redoes it): that cycle must be whole only when it was a finite run's final one.
    newest = [e for t in plan.streams for e in run.files[t.name] if e["cycle"] == covered.stop - 1]
    if not any(e.get("final") for e in newest):
        covered = range(covered.start, max(covered.start, covered.stop - 1))
    for table in plan.tables:
        if by_event_time(run, table):
            run.windows[table.name] = WindowTally(run.files[table.name])
    date_keys(run, in_flight)
    collect_histories(run, in_flight)
    for entity in plan.entities.values():
        if entity.tracked_by or self_references(plan.table(entity.source), entity.name):
            columns = [entity.key, *(a.name for a in entity.attributes)]
            run.states[entity.name] = EntityState(entity.key, columns)
    for dim in plan.dimensions:
        for entry in run.files[dim.name]:
            _judge(run, dim, entry)
        if dim.name in run.states:
            check_hierarchy(run, dim, dim.name, 0)
    for table in plan.streams:
        roles = table.feed
        tracked = roles and roles.changed_fields_column and run.states.get(roles.entity)
        if tracked is not None and any(e.get("final") for e in run.files[table.name]):
            run.feed_rows[table.name] = FeedRows()
    cycles = sorted({e["cycle"] for t in plan.streams for e in run.files[t.name]})
    for cycle in cycles:
        for table in plan.streams:
            for entry in (e for e in run.files[table.name] if e["cycle"] == cycle):
                _judge(run, table, entry)
    for table in plan.streams:
        if table.name in run.feed_rows:
            judge_rows(report, table, run.feed_rows[table.name])
        if run.running.get(table.name):
            rules, ledger = run.running[table.name], run.ledgers[table.name]
            judge_running(report, table, rules, ledger, run.histories)
            report.running.update(f"{table.name}.{rule.column}" for rule in rules)
        if table.name in run.profiles:
            judge_profile(report, table, run.profiles[table.name], run.files[table.name])
        if table.name in run.windows:
            run.windows[table.name].judge(report, table)
    for table in plan.tables:  # after the pass: each file's rows as read
        judge_cycle_rows(report, table, run.files[table.name], covered)
    run.hidden.note(report)
    run.hidden.stats.judge(report)  # expressions over hidden draws that could not be replayed
    settle_notes(report)
    for name, rows in in_flight.items():
        roles = plan.table(name).feed
        if roles is not None and roles.entity in run.states and rows.num_rows:
            ops = rows.column(roles.type_column).to_numpy(zero_copy_only=False)
            every = np.ones(rows.num_rows, dtype=bool)
            run.states[roles.entity].apply(rows, ops, order_of(roles, rows), every)
    for name, state in run.states.items():
        if plan.entities[name].tracked_by and state.table is not None:
            report.states[name], report.keys[name] = state.table, state.key
    return report


def _judge(run: LandingRun, table: TablePlan, entry: dict) -> None:
    """Pass two: one file, whole."""
    report, cycle = run.report, entry["cycle"]
    landed = read_entry(run, table, entry)
    if landed is None:
        return
    data = landed.data
    report.rows[table.name] += data.num_rows
    entry[ROWS_READ] = data.num_rows
    if data.num_rows != entry.get("rows"):
        report.add(
            table.name,
            cycle,
            f"{counted(data.num_rows, 'row')} in file, manifest says {_number(entry.get('rows'))}",
            kind="rows",
        )
    roles = table.feed
    ops = data.column(roles.type_column).to_numpy(zero_copy_only=False) if roles else None
    judged = None if ops is None else ops != "DELETE"
    keys = {table.primary_key, *table.foreign_keys, *table.sequential} - {None}
    skip: frozenset[str] = frozenset()
    if roles is not None:
        keys |= {roles.entity_key, *roles.sequence_columns}
        # The change type follows `operations:` and is judged by the change checks.
        skip = frozenset(c for c in (roles.changed_fields_column, roles.type_column) if c)
    # A lookup column with an anomaly_rate is judged by its expression (lookups.py), not its rule:
    # a NULL is an anomaly only where the lookup is not NULL.
    skip |= {
        look.column
        for look in run.lookups.get(table.name, [])
        if isinstance(look, ExprLookup) and look.anomalous
    }
    entity = entity_of(run, table)
    nullable = frozenset(self_references(table, entity) if entity else ())
    check_columns(
        report,
        table.name,
        cycle,
        landed,
        run.rules[table.name],
        entry,
        judged,
        frozenset(k for k in keys if k),
        nullable,
        skip,
    )
    fresh = check_row_keys(run, table, entry, data)
    check_key_range(run, table, entry, data)
    check_unique(run, table, entry, data, fresh & (judged if judged is not None else True))
    if roles is not None:
        assert ops is not None
        judge_changes(run, table, entry, data, ops, fresh)
    else:
        check_references(run, table, entry, data, judged)
    if table.kind == "dimension" and table.name in run.states:
        run.states[table.name].snapshot(data)
    if table.kind == "fact":
        check_event_times(run, table, entry, data)
        if run.running.get(table.name):
            rules, ledger = run.running[table.name], run.ledgers[table.name]
            collect(report, table, cycle, data, rules, ledger)
    judge_vocabulary(report, table.name, cycle, data)
    placed = check_places(report, table, cycle, data) + check_people(report, table, cycle, data)
    if placed:
        report.places.add(f"{table.name}({', '.join(placed)})")
    data = run.hidden.with_hidden(report, table, entry, data, run.checks, run.lookups)
    if run.checks.get(table.name):
        judge_checks(report, table.name, cycle, data, run.checks[table.name], entry)
    if run.lookups.get(table.name):
        looks, histories = run.lookups[table.name], run.histories
        images = data if judged is None else data.filter(judged)  # a DELETE computes nothing
        judge_lookups(report, table, cycle, images, looks, histories, entry.get("anomalies"))
    if table.spec.profile is not None:
        tally_profile(run, table, entry, data)
    if table.name in run.windows:
        event = table.event_time if table.feed is None else table.feed.timestamp_column
        stamps = data.column(event or "")
        kept = fresh & stamps.is_valid().to_numpy(zero_copy_only=False)
        run.windows[table.name].add(as_int64(stamps)[kept])


def _number(value: object) -> str:
    """A count as the rest of the message writes one (1,999), anything else as it is."""
    return f"{value:,}" if isinstance(value, int) else str(value)

"""Check a landing area file by file, keeping only compact state between files.

Two passes over the manifest: the first reads the key columns of dimensions and change feeds to date
every key (its INSERT and DELETE); the second reads each file whole, once, and judges it: row count,
values against the YAML's rules, uniqueness, foreign keys in time, change rows, hierarchies. Memory
holds one file, the key timelines, the fingerprints of unique values and the replayed entities.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.plan import Plan, TablePlan
from streamforge.plan.times import micros_of_iso as _micros
from streamforge.readback import read_manifest
from streamforge.verify.absent import absent
from streamforge.verify.checks import judge_checks, read_checks
from streamforge.verify.columns import check_columns
from streamforge.verify.cycle_counts import ROWS_READ, WindowTally, judge_cycle_rows, moves_rows
from streamforge.verify.feeds import (
    as_int64,
    check_changed_fields,
    check_changes,
    check_order,
    order_of,
)
from streamforge.verify.hidden_replay import HiddenReplay, Redraw
from streamforge.verify.hierarchy import check_forest
from streamforge.verify.lookup_exprs import ExprLookup
from streamforge.verify.lookups import (
    History,
    Lookup,
    judge_lookups,
    read_lookups,
    wanted_columns,
)
from streamforge.verify.profile_shape import ProfileTally, judge_profile, on_time_times
from streamforge.verify.read import Landed, arrow_type, read_landed
from streamforge.verify.references import When, check_reference
from streamforge.verify.replay import EntityState
from streamforge.verify.report import Report
from streamforge.verify.rules import Rule, RuleError, read_rules
from streamforge.verify.timeline import EARLIEST, LATEST, Timeline
from streamforge.verify.unique import SeenValues, fingerprints
from streamforge.verify.vocabulary import judge_vocabulary


@dataclass(slots=True)
class _Run:
    root: Path
    plan: Plan
    report: Report
    rules: dict[str, dict[str, Rule]]
    files: dict[str, list[dict]]
    checks: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> name -> rule
    lookups: dict[str, list[Lookup | ExprLookup]] = field(default_factory=dict)  # table ->
    histories: dict[tuple[str, str], History] = field(default_factory=dict)  # (entity, column)
    profiles: dict[str, ProfileTally] = field(default_factory=dict)  # table -> rows by hour
    windows: dict[str, WindowTally] = field(default_factory=dict)  # table -> rows by window
    timelines: dict[str, Timeline] = field(default_factory=dict)
    states: dict[str, EntityState] = field(default_factory=dict)
    seen: dict[tuple[str, str], SeenValues] = field(default_factory=dict)
    hidden: HiddenReplay = field(default_factory=HiddenReplay)  # hidden inputs drawn again
    feed_last: dict[str, dict] = field(default_factory=dict)
    # Per change feed and cycle: (before, after) the file, has every older change landed? Only
    # then is the replayed state one the generator had (late rows make gaps otherwise).
    settled: dict[str, dict[int, tuple[bool, bool]]] = field(default_factory=dict)


def verify_landing(
    root: Path,
    plan: Plan,
    in_flight: Mapping[str, pa.Table] | None = None,
    redraw: Redraw | None = None,
) -> Report:
    """Every finding about the landing at `root`. `in_flight`: per change feed, rows a live run
    holds back as late (from its checkpoint): they date their keys and belong to the replay,
    although no file holds them yet. `redraw`: hidden columns drawn again (hidden_replay.py)."""
    report = Report()
    run = _Run(Path(root), plan, report, {}, {t.name: [] for t in plan.tables})
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
        for col in table.columns:  # a column the YAML does not spell out (a role): type only
            run.rules[table.name].setdefault(col.name, Rule(col.name, col.type))
    for entry in read_manifest(run.root):
        if entry.get("table") in run.files:
            run.files[entry["table"]].append(entry)
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
        if _by_event_time(run, table):
            run.windows[table.name] = WindowTally(run.files[table.name])
    _date_keys(run, in_flight)
    _collect_histories(run, in_flight)
    for entity in plan.entities.values():
        if entity.tracked_by or _self_references(plan.table(entity.source), entity.name):
            columns = [entity.key, *(a.name for a in entity.attributes)]
            run.states[entity.name] = EntityState(entity.key, columns)
    for dim in plan.dimensions:
        for entry in run.files[dim.name]:
            _judge(run, dim, entry)
        if dim.name in run.states:
            _check_hierarchy(run, dim, dim.name, 0)
    cycles = sorted({e["cycle"] for t in plan.streams for e in run.files[t.name]})
    for cycle in cycles:
        for table in plan.streams:
            for entry in (e for e in run.files[table.name] if e["cycle"] == cycle):
                _judge(run, table, entry)
    for table in plan.streams:
        if table.name in run.profiles:
            judge_profile(report, table, run.profiles[table.name])
        if table.name in run.windows:
            run.windows[table.name].judge(report, table)
    for table in plan.tables:  # after the pass: each file's rows as read
        judge_cycle_rows(report, table, run.files[table.name], covered)
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


def _self_references(table: TablePlan, entity: str) -> list[str]:
    return [c for c, fk in table.foreign_keys.items() if fk.entity == entity]


def _schema(run: _Run, table: TablePlan, only: list[str] | None = None) -> pa.Schema:
    rules = run.rules[table.name]
    names = [c.name for c in table.columns if c.name in rules]
    return pa.schema([(n, arrow_type(rules[n])) for n in names if only is None or n in only])


def _read(run: _Run, table: TablePlan, entry: dict, only: list[str] | None = None) -> Landed | None:
    path = run.root / entry["file"]
    fmt = entry.get("format", path.suffix[1:])
    if not path.exists():  # named in the manifest, gone from the landing (deleted, not synced)
        if only is None:
            run.report.add(
                table.name,
                entry["cycle"],
                f"file {entry['file']} is missing: the manifest lists it with "
                f"{entry.get('rows')} rows",
                kind="missing_file",
                count=int(entry.get("rows") or 0),
                example=entry["file"],
            )
        return None
    try:
        return read_landed(path, fmt, _schema(run, table, only), entry.get("version"))
    except (OSError, ValueError, pa.ArrowException) as exc:
        if only is None:
            run.report.add(table.name, entry["cycle"], f"cannot read {entry['file']}: {exc}")
        return None


def _date_keys(run: _Run, in_flight: Mapping[str, pa.Table]) -> None:
    """Pass one: every key's INSERT and DELETE, from dimensions and change feeds."""
    plan = run.plan
    for entity in plan.entities.values():
        run.timelines[entity.name] = Timeline()
    for dim in plan.dimensions:
        for entry in run.files[dim.name]:
            landed = _read(run, dim, entry, [dim.primary_key or ""])
            if landed is not None and dim.primary_key in landed.data.column_names:
                keys = landed.data.column(dim.primary_key)
                run.timelines[dim.name].born(as_int64(pc.drop_null(keys)))
    for feed in (t for t in plan.streams if t.feed is not None):
        roles = feed.feed
        assert roles is not None
        order_column = roles.sequence_columns[:1] or [roles.timestamp_column]
        only = [roles.entity_key, roles.type_column, roles.timestamp_column, *order_column]
        reads = (_read(run, feed, e, only) for e in run.files[feed.name])
        tables = itertools.chain(
            (f.data if f is not None else None for f in reads), [in_flight.get(feed.name)]
        )
        spans: list[tuple[int, int]] = []  # (oldest, newest) order of each file, then in flight
        for data in tables:  # one file at a time
            if data is None or any(c not in data.column_names for c in only):
                spans.append((LATEST, EARLIEST))
                continue
            keys, order = as_int64(data.column(roles.entity_key)), order_of(roles, data)
            spans.append((int(order.min(initial=LATEST)), int(order.max(initial=EARLIEST))))
            stamps = as_int64(data.column(roles.timestamp_column))
            ops = data.column(roles.type_column).to_numpy(zero_copy_only=False)
            timeline = run.timelines[roles.entity]
            for op, record in (("INSERT", timeline.born), ("DELETE", timeline.died)):
                rows = ops == op
                record(keys[rows], order[rows], stamps[rows])
        run.settled[feed.name] = _settled(run.files[feed.name], spans)
    for timeline in run.timelines.values():
        timeline.seal()


def _collect_histories(run: _Run, in_flight: Mapping[str, pa.Table]) -> None:
    """Each looked-up dimension column over time: its snapshot, then the after-image of every
    INSERT and UPDATE of its change feed (late rows and rows still in flight included)."""
    plan = run.plan
    wanted = set().union(*(wanted_columns(looks) for looks in run.lookups.values()))
    for entity_name, column in sorted(wanted):
        history = run.histories[(entity_name, column)] = History()
        entity = plan.entities[entity_name]
        dim = plan.table(entity.source)
        for entry in run.files.get(dim.name, []) if dim.kind == "dimension" else []:
            landed = _read(run, dim, entry, [entity.key, column])
            if landed is not None and {entity.key, column} <= set(landed.data.column_names):
                data = landed.data
                keys = as_int64(data.column(entity.key))
                start = np.full(len(keys), EARLIEST)
                history.add(keys, start, start, data.column(column))
        feed = plan.table(entity.tracked_by) if entity.tracked_by else None
        roles = feed.feed if feed is not None else None
        if feed is not None and roles is not None:
            only = [roles.entity_key, roles.type_column, roles.timestamp_column, column]
            only += roles.sequence_columns[:1]
            reads = (_read(run, feed, e, only) for e in run.files[feed.name])
            tables = [r.data for r in reads if r is not None]
            tables += [t for t in [in_flight.get(feed.name)] if t is not None]
            for data in tables:
                if any(c not in data.column_names for c in only):
                    continue
                kept = pc.not_equal(data.column(roles.type_column), "DELETE")
                data = data.filter(pc.fill_null(kept, False))
                stamps = as_int64(data.column(roles.timestamp_column))
                history.add(
                    as_int64(data.column(roles.entity_key)),
                    stamps,
                    order_of(roles, data),
                    data.column(column),
                )
        history.seal()


def _settled(entries: list[dict], spans: list[tuple[int, int]]) -> dict[int, tuple[bool, bool]]:
    oldest = np.array([s[0] for s in spans] + [LATEST], dtype=np.int64)
    newest = np.array([EARLIEST] + [s[1] for s in spans], dtype=np.int64)
    landed = np.maximum.accumulate(newest)  # landed[i]: newest order before file i
    coming = np.minimum.accumulate(oldest[::-1])[::-1]  # coming[i]: oldest order from file i on
    return {
        e["cycle"]: (bool(landed[i] < coming[i]), bool(landed[i + 1] < coming[i + 1]))
        for i, e in enumerate(entries)
    }


def _judge(run: _Run, table: TablePlan, entry: dict) -> None:
    """Pass two: one file, whole."""
    report, cycle = run.report, entry["cycle"]
    landed = _read(run, table, entry)
    if landed is None:
        return
    data = landed.data
    report.rows[table.name] += data.num_rows
    entry[ROWS_READ] = data.num_rows
    if data.num_rows != entry.get("rows"):
        report.add(
            table.name,
            cycle,
            f"{data.num_rows} rows in file, manifest says {entry.get('rows')}",
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
    entity = _entity_of(run, table)
    nullable = frozenset(_self_references(table, entity) if entity else ())
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
    fresh = _check_row_keys(run, table, entry, data)
    _check_unique(run, table, entry, data, fresh & (judged if judged is not None else True))
    if roles is not None:
        assert ops is not None
        _judge_changes(run, table, entry, data, ops, fresh)
    else:
        _check_references(run, table, entry, data, judged)
    if table.kind == "dimension" and table.name in run.states:
        run.states[table.name].snapshot(data)
    if table.kind == "fact":
        _check_event_times(run, table, entry, data)
    judge_vocabulary(report, table.name, cycle, data)
    data = run.hidden.with_hidden(report, table, entry, data, run.checks, run.lookups)
    if run.checks.get(table.name):
        judge_checks(report, table.name, cycle, data, run.checks[table.name], entry)
    if run.lookups.get(table.name):
        looks, histories = run.lookups[table.name], run.histories
        judge_lookups(report, table, cycle, data, looks, histories, entry.get("anomalies"))
    if table.spec.profile is not None:
        _tally_profile(run, table, entry, data)
    if table.name in run.windows:
        event = table.event_time if table.feed is None else table.feed.timestamp_column
        stamps = data.column(event or "")
        kept = fresh & stamps.is_valid().to_numpy(zero_copy_only=False)
        run.windows[table.name].add(as_int64(stamps)[kept])


def _by_event_time(run: _Run, table: TablePlan) -> bool:
    """Judge the rows by event-time window (cycle_counts.WindowTally): late rows move between
    files, and every row keeps its event time (no anomaly or null there; a fact's duplicate
    overwrites a row, so its rows by time are not its count)."""
    event = table.event_time if table.feed is None else table.feed.timestamp_column
    rule = run.rules[table.name].get(event or "")
    if not moves_rows(table) or rule is None or rule.anomaly_rate or rule.null_rate:
        return False
    return table.feed is not None or not table.spec.duplicate_rate


def _tally_profile(run: _Run, table: TablePlan, entry: dict, data: pa.Table) -> None:
    """Add a file's on-time rows to its table's rows by hour of the day (profile_shape.py)."""
    profile = table.spec.profile
    start, end = entry.get("window_start"), entry.get("window_end")
    event = table.event_time if table.feed is None else table.feed.timestamp_column
    rule = run.rules[table.name].get(event or "")
    if profile is None or start is None or end is None or (rule and rule.anomaly_rate):
        return  # anomalies move event times on purpose
    window = (_micros(start), _micros(end))
    tally = run.profiles.setdefault(table.name, ProfileTally())
    tally.add_file(profile, window, on_time_times(table, data, window))


def _entity_of(run: _Run, table: TablePlan) -> str | None:
    if table.feed is not None:
        return table.feed.entity
    return table.name if table.name in run.plan.entities else None


def _check_row_keys(run: _Run, table: TablePlan, entry: dict, data: pa.Table) -> np.ndarray:
    """Row keys never repeat, except the exact duplicates the manifest announces; return the
    rows that are not such repeats."""
    key = table.primary_key
    if roles := table.feed:
        key = roles.row_key
    fresh = np.ones(data.num_rows, dtype=bool)
    if key is None or absent(run.report, table.name, "unique row keys", [key], data, "keys"):
        return fresh
    column = data.column(key).combine_chunks()
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    seen = run.seen.setdefault((table.name, key), SeenValues())
    repeat = seen.add(fingerprints(column.filter(pa.array(valid))))
    fresh[np.flatnonzero(valid)[repeat]] = False
    announced = int((entry.get("faults") or {}).get("duplicate", 0))
    if int(repeat.sum()) != announced:
        shown = column.filter(pa.array(~fresh))[0].as_py() if repeat.any() else None
        run.report.add(
            table.name,
            entry["cycle"],
            f"{int(repeat.sum())} repeated values of key {key}, manifest announces {announced} "
            f"duplicates (e.g. {shown!r})",
            column=key,
            kind="unique",
            count=int(repeat.sum()),
            example=shown,
        )
    return fresh


def _check_unique(run: _Run, table: TablePlan, entry: dict, data: pa.Table, rows) -> None:
    """`unique` columns never repeat a value: across every file of a fact, across the rows of an
    entity (its dimension file and its change feeds' INSERTs and UPDATEs) for the same key."""
    rules = run.rules[table.name]
    entity = _entity_of(run, table)
    owner_key = None
    if table.feed is not None:
        owner_key = table.feed.entity_key
    elif table.kind == "dimension":
        owner_key = table.primary_key
    mask = np.broadcast_to(np.asarray(rows, dtype=bool), (data.num_rows,))
    row_key = table.feed.row_key if table.feed else table.primary_key
    for name, rule in rules.items():
        if not rule.unique or name not in data.column_names or name in (owner_key, row_key):
            continue
        column = data.column(name).combine_chunks()
        keep = mask & column.is_valid().to_numpy(zero_copy_only=False)
        values = column.filter(pa.array(keep))
        owners = as_int64(data.column(owner_key))[keep] if owner_key is not None else None
        scope = entity if owner_key is not None and entity else table.name
        seen = run.seen.setdefault((scope, name), SeenValues(owned=owners is not None))
        repeat = seen.add(fingerprints(values), owners)
        if repeat.any():
            shown = values[int(np.flatnonzero(repeat)[0])].as_py()
            run.report.add(
                table.name,
                entry["cycle"],
                f"{int(repeat.sum())} rows repeat a value of unique column {name} (e.g. {shown!r})",
                column=name,
                kind="unique",
                count=int(repeat.sum()),
                example=shown,
            )


def _moment(table: TablePlan, entry: dict, data: pa.Table) -> When:
    if table.kind == "dimension":
        return When(snapshot=True)
    column = table.feed.timestamp_column if table.feed else table.event_time
    if column is not None and column in data.column_names:
        stamps = data.column(column)
        return When(as_int64(stamps), stamps.is_valid().to_numpy(zero_copy_only=False))
    start, end = entry.get("window_start"), entry.get("window_end")
    if start and end:
        return When(window=(_micros(start), _micros(end)))
    return When()


def _check_references(
    run: _Run, table: TablePlan, entry: dict, data: pa.Table, rows: np.ndarray | None
) -> None:
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


def _judge_changes(
    run: _Run, table: TablePlan, entry: dict, data: pa.Table, ops: np.ndarray, fresh: np.ndarray
) -> None:
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
    made_here = stamps >= _micros(start) if start else np.ones(len(stamps), dtype=bool)
    timeline = run.timelines[roles.entity]
    ok = check_changes(report, table.name, cycle, roles, data, timeline, made_here)
    _check_references(run, table, entry, data, ops != "DELETE")
    state = run.states.get(roles.entity)
    if state is None:
        return
    before, after = run.settled.get(table.name, {}).get(cycle, (True, True))
    if before:
        check_changed_fields(report, table.name, cycle, roles, data, state.table)
    state.apply(data, ops, order_of(roles, data), ok & fresh)
    if after:
        _check_hierarchy(run, table, roles.entity, cycle)


def _check_late_changes(run: _Run, table: TablePlan, entry: dict, data: pa.Table) -> None:
    """A late change row keeps its own timestamp: it is stamped before its file's window, and
    the manifest counts it (copies of a late row too)."""
    roles = table.feed
    assert roles is not None
    start = entry.get("window_start")
    if not start or start == entry.get("window_end"):
        return
    stamps = data.column(roles.timestamp_column)
    valid = stamps.is_valid().to_numpy(zero_copy_only=False)
    late = int(((as_int64(stamps) < _micros(start)) & valid).sum())
    announced = int((entry.get("faults") or {}).get("late", 0))
    if late != announced:
        run.report.add(
            table.name,
            entry["cycle"],
            f"{late} change rows are stamped before the file's window (from {start}), "
            f"manifest announces {announced} late rows",
            column=roles.timestamp_column,
            kind="late",
            count=late,
        )


def _check_hierarchy(run: _Run, table: TablePlan, entity: str, cycle: int) -> None:
    state = run.states[entity]
    source = run.plan.table(run.plan.entities[entity].source)
    if state.table is None:
        return
    keys = state.keys()
    for column in _self_references(source, entity):
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


def _check_event_times(run: _Run, table: TablePlan, entry: dict, data: pa.Table) -> None:
    """Event times fall in the file's window, except the late rows the manifest announces."""
    event = table.event_time
    start, end = entry.get("window_start"), entry.get("window_end")
    if event is None or start is None or end is None or start == end:
        return
    if absent(run.report, table.name, "event times in the window", [event], data):
        return
    if run.rules[table.name].get(event, None) is None:
        return
    if run.rules[table.name][event].anomaly_rate:
        return  # anomalies move event times on purpose
    stamps = pc.drop_null(data.column(event))
    micros = as_int64(stamps)
    early = int((micros < _micros(start)).sum())
    future = int((micros >= _micros(end)).sum())
    late = int((entry.get("faults") or {}).get("late", 0))
    if early != late or future:
        run.report.add(
            table.name,
            entry["cycle"],
            f"{early} rows before and {future} after the window [{start}, {end}), "
            f"manifest announces {late} late rows",
            column=event,
            kind="window",
            count=early + future,
        )

"""Check a landing area against its plan: keys, foreign keys, change feeds and anomaly counts.

An independent replay (plain Python over the files as written), not a second call into the engine,
so a bug in the engine cannot hide itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.generators.temporal import to_micros
from streamforge.engine.rules import violations
from streamforge.plan import Plan, TablePlan
from streamforge.readback import LandedFile, read_landing


@dataclass(frozen=True, slots=True)
class Finding:
    table: str
    cycle: int
    message: str

    def __str__(self) -> str:
        return f"{self.table} cycle {self.cycle}: {self.message}"


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    entities: dict[str, dict[int, dict]] = field(default_factory=dict)  # final rows by key
    # Per change feed, the last change timestamp and sequence values seen (they must increase).
    feed_order: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings


def verify_landing(
    root: Path, plan: Plan, in_flight: Mapping[str, pa.Table] | None = None
) -> Report:
    """`in_flight`: per change feed, rows a live run holds back as late (from its checkpoint);
    they belong to the replay although no file holds them yet."""
    report = Report()
    landed = read_landing(Path(root), plan)
    live: dict[str, set[int]] = {}
    for table in plan.tables:
        files = landed[table.name]
        report.files[table.name] = len(files)
        report.rows[table.name] = sum(f.data.num_rows for f in files)
        for f in files:
            if f.data.num_rows != f.manifest["rows"]:
                report.findings.append(
                    Finding(
                        table.name,
                        f.cycle,
                        f"{f.data.num_rows} rows in file, manifest says {f.manifest['rows']}",
                    )
                )
            _check_anomalies(table, f, report)
            if table.kind == "fact":
                _check_event_times(table, f, report)
        if table.primary_key is not None:
            _check_unique(table, files, report)
    for dim in plan.dimensions:
        data = pa.concat_tables([f.data for f in landed[dim.name]]) if landed[dim.name] else None
        keys = data.column(dim.primary_key).to_pylist() if data is not None else []
        live[dim.name] = set(keys)
        if plan.entities[dim.name].tracked_by and data is not None:
            report.entities[dim.name] = {row[dim.primary_key]: row for row in data.to_pylist()}
    for entity in plan.entities.values():
        if entity.source != entity.name:
            live[entity.name], report.entities[entity.name] = set(), {}
    for dim in plan.dimensions:
        for f in landed[dim.name]:
            _check_foreign_keys(dim, f, live, report)
    feeds = {
        t.name: _changes_by_cycle(t, landed[t.name], (in_flight or {}).get(t.name))
        for t in plan.streams
        if t.feed is not None
    }
    cycles = sorted({f.cycle for t in plan.streams for f in landed[t.name]})
    for cycle in cycles:
        for table in plan.streams:
            if table.feed is not None:
                if cycle in feeds[table.name]:
                    _replay_feed(table, feeds[table.name][cycle], live, report)
                continue
            for f in (f for f in landed[table.name] if f.cycle == cycle):
                _check_foreign_keys(table, f, live, report)
    return report


def _changes_by_cycle(
    table: TablePlan, files: list[LandedFile], in_flight: pa.Table | None
) -> dict[int, LandedFile]:
    """A feed's rows regrouped by the cycle that made them, each group in timestamp order.

    Late rows land in a later file, duplicates repeat a row, rows come out of order: the replay
    follows the change timestamps instead (a row was made in the cycle whose window holds it),
    counting each change once (its row key, else its entity key and timestamp).
    """
    roles = table.feed
    assert roles is not None
    if not files:
        return {}
    schema = files[0].data.schema
    parts = [f.data for f in files]
    if in_flight is not None:
        parts.append(in_flight.select(schema.names).cast(schema))
    rows = pa.concat_tables(parts)
    stamps = pc.cast(rows.column(roles.timestamp_column), pa.int64()).to_numpy(zero_copy_only=False)
    if table.primary_key is not None:
        identity = rows.column(table.primary_key).to_numpy()[:, None]
    else:
        keys = rows.column(roles.entity_key).to_numpy().astype(np.int64)
        identity = np.stack([keys, stamps], axis=1)
    _, first = np.unique(identity, axis=0, return_index=True)
    first = first[np.argsort(stamps[first], kind="stable")]
    ends = np.array(
        [to_micros(f.manifest.get("window_end") or "1970-01-01T00:00:00Z") for f in files]
    )
    made_in = np.minimum(np.searchsorted(ends, stamps[first], side="right"), len(files) - 1)
    return {
        f.cycle: LandedFile(f.table, f.cycle, f.path, f.manifest, rows.take(first[made_in == i]))
        for i, f in enumerate(files)
    }


def _check_unique(table: TablePlan, files: list[LandedFile], report: Report) -> None:
    """Keys are unique across all files, except the duplicates the manifest announces."""
    if not files:
        return
    keys = np.concatenate([f.data.column(table.primary_key).to_numpy() for f in files])
    repeated = len(keys) - len(np.unique(keys))
    announced = sum(f.manifest.get("faults", {}).get("duplicate", 0) for f in files)
    if repeated != announced:
        report.findings.append(
            Finding(
                table.name,
                files[-1].cycle,
                f"{repeated} repeated values of key {table.primary_key}, "
                f"manifest announces {announced} duplicates",
            )
        )


def _check_foreign_keys(
    table: TablePlan, f: LandedFile, live: dict[str, set[int]], report: Report
) -> None:
    for column, fk in table.foreign_keys.items():
        values = pc.drop_null(f.data.column(column)).to_numpy()
        allowed = np.fromiter(live.get(fk.entity, ()), dtype=np.int64)
        orphans = values[~np.isin(values, allowed)]
        if len(orphans):
            report.findings.append(
                Finding(
                    table.name,
                    f.cycle,
                    f"{len(orphans)} orphan values in "
                    f"{column} (e.g. {int(orphans[0])}) not live in "
                    f"{fk.entity}",
                )
            )


def _replay_feed(
    table: TablePlan, f: LandedFile, live: dict[str, set[int]], report: Report
) -> None:
    roles = table.feed
    assert roles is not None
    state = report.entities[roles.entity]
    keys_live = live[roles.entity]
    attrs = [a.name for a in roles.attributes]
    seen: set[int] = set()
    last = report.feed_order.setdefault(table.name, {})
    _check_foreign_keys(table, f, live, report)
    for row in f.data.to_pylist():
        key, op = row[roles.entity_key], row[roles.type_column]
        problem = None
        if key in seen:
            problem = f"key {key} changed twice in one batch"
        elif op == "INSERT" and key in keys_live:
            problem = f"INSERT of key {key}, which is already live"
        elif op in ("UPDATE", "DELETE") and key not in keys_live:
            problem = f"{op} of key {key}, which is not live"
        stamp, seq = row[roles.timestamp_column], [row[c] for c in roles.sequence_columns]
        if last.get("stamp") is not None and stamp <= last["stamp"]:
            problem = problem or f"change timestamp {stamp} does not increase"
        if last.get("seq") is not None and any(
            a <= b for a, b in zip(seq, last["seq"], strict=True)
        ):
            problem = problem or f"sequence {seq} does not increase"
        last["stamp"], last["seq"] = stamp, seq
        if op == "UPDATE" and roles.changed_fields_column and key in state:
            differ = sorted(a for a in attrs if state[key].get(a) != row.get(a))
            named = sorted(row[roles.changed_fields_column] or [])
            if not set(differ) <= set(named):
                problem = problem or f"UPDATE of key {key} changed {differ} but names {named}"
        if problem:
            report.findings.append(Finding(table.name, f.cycle, problem))
            continue
        seen.add(key)
        image = {roles.entity_key: key, **{a: row.get(a) for a in attrs}}
        if op == "DELETE":
            keys_live.discard(key)
            state.pop(key, None)
        else:
            keys_live.add(key)
            state[key] = image


def _check_event_times(table: TablePlan, f: LandedFile, report: Report) -> None:
    """Event times fall in the file's window, except the late rows the manifest announces."""
    event = table.event_time
    start, end = f.manifest.get("window_start"), f.manifest.get("window_end")
    if event is None or start is None or end is None or start == end:
        return
    column = f.data.column(event)
    spec = table.spec.column(event)
    if spec is not None and spec.anomaly_rate:
        return  # anomalies move event times on purpose
    stamps = pc.cast(column, pa.int64()).to_numpy(zero_copy_only=False)
    early = int((stamps < to_micros(start)).sum())
    future = int((stamps >= to_micros(end)).sum())
    late = f.manifest.get("faults", {}).get("late", 0)
    if early != late or future:
        report.findings.append(
            Finding(
                table.name,
                f.cycle,
                f"{early} rows before and {future} after the window [{start}, {end}), "
                f"manifest announces {late} late rows",
            )
        )


def _check_anomalies(table: TablePlan, f: LandedFile, report: Report) -> None:
    """Recount the rows that break each anomalous column's rule; the manifest must agree.

    The engine counts the rows it pushed outside the rule; this judges the values as written.
    """
    recorded = f.manifest.get("anomalies", {})
    deletes = np.zeros(f.data.num_rows, dtype=bool)
    if table.feed is not None:  # a DELETE is judged on its keys, type and ordering only
        ops = f.data.column(table.feed.type_column).to_numpy(zero_copy_only=False)
        deletes = ops == "DELETE"
    for col in table.columns:
        if col.anomaly_rate <= 0 or col.name not in f.data.column_names:
            continue
        values = f.data.column(col.name).combine_chunks()
        nulls_break = col.null_rate == 0 and (
            col.name in table.foreign_keys
            or (col.choices is None and col.min is None and col.max is None)
        )
        broken = violations(col, values, nulls_break)
        if table.feed is not None and col.name not in table.feed.role_columns | {table.primary_key}:
            broken = broken & ~deletes
        count = int(broken.sum())
        if count != recorded.get(col.name, 0):
            report.findings.append(
                Finding(
                    table.name,
                    f.cycle,
                    f"{count} rows break the rule of {col.name}, "
                    f"manifest says {recorded.get(col.name, 0)}",
                )
            )


def compare_entities(report: Report, entities: dict[str, pa.Table], key_of: dict[str, str]) -> None:
    """The replayed change feeds must rebuild exactly the entity rows the generator holds."""
    for name, table in entities.items():
        replayed = report.entities.get(name)
        if replayed is None:
            continue
        key = key_of[name]
        held = {row[key]: row for row in table.to_pylist()}
        if held.keys() != replayed.keys():
            missing, extra = held.keys() - replayed.keys(), replayed.keys() - held.keys()
            report.findings.append(
                Finding(
                    name,
                    -1,
                    f"replay has {len(extra)} keys the generator does not hold "
                    f"and lacks {len(missing)} it holds",
                )
            )
            continue
        for k, row in held.items():
            other = replayed[k]
            differ = [c for c in other if c in row and other[c] != row[c]]
            if differ:
                report.findings.append(
                    Finding(name, -1, f"key {k}: replay and generator state differ in {differ}")
                )
                break

"""Pass one of verify_landing: date every key (its INSERT and DELETE, from dimensions and change
feeds) and collect each looked-up dimension column over time, reading only the columns needed."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.verify.feeds import as_int64, order_of
from streamforge.verify.landing_run import LandingRun, read_entry
from streamforge.verify.lookups import History, wanted_columns
from streamforge.verify.timeline import EARLIEST, LATEST, Timeline


def date_keys(run: LandingRun, in_flight: Mapping[str, pa.Table]) -> None:
    """Pass one: every key's INSERT and DELETE, from dimensions and change feeds."""
    plan = run.plan
    for entity in plan.entities.values():
        run.timelines[entity.name] = Timeline()
    for dim in plan.dimensions:
        for entry in run.files[dim.name]:
            landed = read_entry(run, dim, entry, [dim.primary_key or ""])
            if landed is not None and dim.primary_key in landed.data.column_names:
                keys = landed.data.column(dim.primary_key)
                run.timelines[dim.name].born(as_int64(pc.drop_null(keys)))
    for feed in (t for t in plan.streams if t.feed is not None):
        roles = feed.feed
        assert roles is not None
        order_column = roles.sequence_columns[:1] or [roles.timestamp_column]
        only = [roles.entity_key, roles.type_column, roles.timestamp_column, *order_column]
        reads = (read_entry(run, feed, e, only) for e in run.files[feed.name])
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


def collect_histories(run: LandingRun, in_flight: Mapping[str, pa.Table]) -> None:
    """Each looked-up dimension column over time: its snapshot, then the after-image of every
    INSERT and UPDATE of its change feed (late rows and rows still in flight included)."""
    plan = run.plan
    wanted = set().union(*(wanted_columns(looks) for looks in run.lookups.values()))
    wanted |= {r.start for rules in run.running.values() for r in rules if r.start is not None}
    for entity_name, column in sorted(wanted):
        history = run.histories[(entity_name, column)] = History()
        entity = plan.entities[entity_name]
        dim = plan.table(entity.source)
        for entry in run.files.get(dim.name, []) if dim.kind == "dimension" else []:
            landed = read_entry(run, dim, entry, [entity.key, column])
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
            reads = (read_entry(run, feed, e, only) for e in run.files[feed.name])
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

"""The state one `verify` run keeps between landing files (landing.py), and reading one landed
file as the manifest lists it: a file gone from the landing or one that cannot be read is a
finding, not an error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from streamforge.plan import Plan, TablePlan
from streamforge.verify.changed_replay import FeedRows
from streamforge.verify.cycle_counts import WindowTally
from streamforge.verify.hidden_replay import HiddenReplay
from streamforge.verify.lookup_exprs import ExprLookup
from streamforge.verify.lookups import History, Lookup
from streamforge.verify.profile_shape import ProfileTally
from streamforge.verify.read import Landed, arrow_type, read_landed
from streamforge.verify.replay import EntityState
from streamforge.verify.report import Report
from streamforge.verify.rules import Rule
from streamforge.verify.running import Ledger, Running
from streamforge.verify.timeline import Timeline
from streamforge.verify.unique import SeenValues


@dataclass(slots=True)
class LandingRun:
    """What verify_landing keeps between files: the YAML's rules, the manifest's entries by
    table (oldest cycle first), and the compact state the checks build up file by file."""

    root: Path
    plan: Plan
    report: Report
    rules: dict[str, dict[str, Rule]]
    files: dict[str, list[dict]]
    checks: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> name -> rule
    lookups: dict[str, list[Lookup | ExprLookup]] = field(default_factory=dict)  # table ->
    histories: dict[tuple[str, str], History] = field(default_factory=dict)  # (entity, column)
    running: dict[str, list[Running]] = field(default_factory=dict)  # table -> running totals
    ledgers: dict[str, Ledger] = field(default_factory=dict)  # table -> its rows, for them
    profiles: dict[str, ProfileTally] = field(default_factory=dict)  # table -> rows by hour
    windows: dict[str, WindowTally] = field(default_factory=dict)  # table -> rows by window
    timelines: dict[str, Timeline] = field(default_factory=dict)
    states: dict[str, EntityState] = field(default_factory=dict)
    seen: dict[tuple[str, str], SeenValues] = field(default_factory=dict)
    hidden: HiddenReplay = field(default_factory=HiddenReplay)  # hidden inputs drawn again
    feed_last: dict[str, dict] = field(default_factory=dict)
    feed_keys: dict[str, np.ndarray] = field(default_factory=dict)  # change feed -> key landed?
    feed_rows: dict[str, FeedRows] = field(default_factory=dict)  # finished runs' change feeds
    # Per change feed and cycle: (before, after) the file, has every older change landed? Only
    # then is the replayed state one the generator had (late rows make gaps otherwise).
    settled: dict[str, dict[int, tuple[bool, bool]]] = field(default_factory=dict)


def self_references(table: TablePlan, entity: str) -> list[str]:
    """The columns of `table` that are foreign keys into `entity` (a hierarchy: manager_id)."""
    return [c for c, fk in table.foreign_keys.items() if fk.entity == entity]


def entity_of(run: LandingRun, table: TablePlan) -> str | None:
    """The entity whose rows `table` holds: a change feed's tracked one, a dimension itself."""
    if table.feed is not None:
        return table.feed.entity
    return table.name if table.name in run.plan.entities else None


def _schema(run: LandingRun, table: TablePlan, only: list[str] | None = None) -> pa.Schema:
    rules = run.rules[table.name]
    names = [c.name for c in table.columns if c.name in rules]
    return pa.schema([(n, arrow_type(rules[n])) for n in names if only is None or n in only])


def read_entry(
    run: LandingRun, table: TablePlan, entry: dict, only: list[str] | None = None
) -> Landed | None:
    """One manifest entry's file read back with the YAML's types (`only`: just those columns, in
    pass one, where a file that cannot be read is reported by pass two); None when it is
    missing or unreadable, reported as a finding."""
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


def micros(text: str) -> int:
    """Microseconds since the epoch of an ISO-8601 time from the manifest (naive: UTC)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp()) * 1_000_000 + value.microsecond

"""Hidden inputs of expressions and checks, drawn again from the seed (issue 13.1, 13.8).

A `hidden: true` column (`base_kwh` in `kwh_consumed = round(base_kwh * curve[hour], 3)`) is
drawn but never written, so the oracle could not evaluate what reads it. Every drawn value is a
pure function of (seed, table, cycle, chunk), and the manifest line of each dimension and fact
batch records the seed, run start, window, row count, first row key and the spec's digest
(engine/replay_record.py): so the hidden columns of a landed batch are drawn again here, column
by column (only those an expression or check reads), and joined to the landed rows by primary
key. Row key k of the batch is its row k - first_key as drawn; event-time faults only move or
copy whole rows (a duplicate, a late or out-of-order row keeps its key and its hidden draws), so
the join holds for them too. What the oracle then judges, the expression over the row, is still
its own evaluation (lookup_exprs.py, checks.py); only the draws come from the engine.

No replay: a change feed (its rows come from the entity's state, not from draws alone), no
primary key, a hidden column that is computed, a key or the event time, a manifest that does not
record the replay fields, a spec digest that differs from today's YAML (the run drew other
values), or a file written under an app scenario. The expression is then judged by statistics
where that is sound (hidden_stats.py), else left with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlglot import exp

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.hidden_stats import ProductTally
from streamforge.verify.report import Report

NEEDED_FIELDS = ("seed", "run_start", "first_key", "spec_digest", "window_start", "window_end")


class Redraw(Protocol):
    """The engine's draws, passed in by the caller (engine/redraw.EngineRedraw): verify never
    imports the engine (layering), so without one nothing is drawn again (a note says so)."""

    values_version: int  # the engine's generation of values, as the manifest records it

    def digest(self, table: TablePlan) -> str:
        """The table spec's fingerprint as the manifest records it (`spec_digest`)."""
        ...

    def draw(self, table: TablePlan, entry: dict, names: list[str]) -> dict[str, pa.Array]:
        """Columns `names` of the batch the manifest line `entry` describes, row k being the
        row of key first_key + k as drawn (before event-time faults)."""
        ...


@dataclass(slots=True)
class HiddenReplay:
    """Per verify run: which hidden columns each table's expressions and checks read, and why a
    table or file cannot be replayed (each reason noted once)."""

    redraw: Redraw | None = None
    stats: ProductTally = field(default_factory=ProductTally)  # when no replay is possible
    wanted: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table -> hidden columns
    blocked: dict[str, str | None] = field(default_factory=dict)  # table -> reason or None
    # (what, why) -> the files it holds for, noted once each by `note`
    unreplayed: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def note(self, report: Report) -> None:
        """One note per table and reason, with the number of files it holds for."""
        for (what, why), files in self.unreplayed.items():
            where = f"in {counted(len(files), 'file')}" if len(files) > 1 else f"in {files[0]}"
            report.notes.append(f"{what} {where}: {why}")

    def with_hidden(
        self,
        report: Report,
        table: TablePlan,
        entry: dict,
        data: pa.Table,
        checks: dict[str, dict[str, str]],
        looks: dict[str, list],
    ) -> pa.Table:
        """`data` with the hidden columns that the table's expressions and checks read added,
        drawn again for this file's batch; `data` unchanged when none is read or the batch
        cannot be replayed (a note says why). `checks`: table -> check name -> Spark SQL rule;
        `looks`: table -> its lookups.Lookup and lookup_exprs.ExprLookup."""
        if table.name not in self.wanted:
            texts = texts_of(checks.get(table.name, {}), looks.get(table.name, []))
            self.wanted[table.name] = hidden_read(table, texts)
            self.blocked[table.name] = table_blocker(table, self.wanted[table.name])
        names = [n for n in self.wanted[table.name] if n not in data.column_names]
        if not names:
            return data
        reason = self.blocked[table.name] or entry_blocker(table, entry, self.redraw)
        if reason is None and table.primary_key not in data.column_names:
            reason = f"its primary key {table.primary_key} is not in the landing"
        if reason is not None:
            note = f"{table.name}: hidden {', '.join(names)} not drawn again"
            self.unreplayed.setdefault((note, reason), []).append(str(entry.get("file")))
            for look in looks.get(table.name, []):  # the statistical fallback, where sound
                if hasattr(look, "sql"):
                    self.stats.add(table, data, look.column, look.sql, set(names))
            return data
        assert self.redraw is not None  # entry_blocker says why when it is None
        drawn = self.redraw.draw(table, entry, names)
        first, rows = int(entry["first_key"]), int(entry["rows"])
        keys = pc.cast(data.column(table.primary_key), pa.int64()).fill_null(-1)
        at = keys.to_numpy(zero_copy_only=False) - first
        inside = (at >= 0) & (at < rows)
        if not inside.all():
            outside = int((~inside).sum())
            report.add(
                table.name,
                int(entry["cycle"]),
                f"{outside} rows have a {table.primary_key} outside the batch's keys "
                f"[{first}, {first + rows}): their hidden {', '.join(names)} cannot be drawn "
                "again, so their expressions read NULL",
                column=table.primary_key,
                kind="replay",
                count=outside,
            )
        index = pa.array(np.where(inside, at, 0), mask=~inside)
        for name in names:
            data = data.append_column(name, drawn[name].take(index))
            report.replayed.add(f"{table.name}.{name}")
        return data


def hidden_read(table: TablePlan, texts: list[str]) -> tuple[str, ...]:
    """The table's hidden columns that any of the Spark SQL `texts` names (in YAML order)."""
    named: set[str] = set()
    for text in texts:
        try:
            tree = sqlglot.parse_one(text, read="spark")
        except sqlglot.errors.ParseError:
            continue
        named |= {c.name for c in tree.find_all(exp.Column) if not c.table}
    return tuple(c.name for c in table.spec.columns if c.hidden and c.name in named)


def table_blocker(table: TablePlan, hidden: tuple[str, ...]) -> str | None:
    """Why no batch of the table can be replayed, or None."""
    if not hidden:
        return None
    if table.kind not in ("fact", "dimension") or table.feed is not None:
        return "a change feed's rows come from its entity's state, not from draws alone"
    if table.primary_key is None:
        return "the table has no primary key to match landed rows to drawn ones"
    for name in hidden:
        col = table.spec.column(name)
        if col is not None and col.expr:
            return f"{name} is itself computed (its expression is not replayed)"
        if name in table.foreign_keys or name == table.primary_key or name in table.sequential:
            return f"{name} is a key (drawn from the run's live keys, which verify does not keep)"
        if name == table.event_time:
            return f"{name} is the event time (faults and keys in time move it after the draw)"
    return None


def entry_blocker(table: TablePlan, entry: dict, redraw: Redraw | None) -> str | None:
    """Why this file's batch cannot be replayed, or None. The same words for every file with the
    same reason, so the report says each reason once, with a count of files."""
    if redraw is None:
        return "verify was called without the engine's draws (api.verify passes them)"
    missing = [f for f in NEEDED_FIELDS if entry.get(f) is None]
    if missing:
        return f"the manifest lacks {', '.join(missing)} (written before verify could replay draws)"
    version = entry.get("values_version")
    if version is not None and version != redraw.values_version:
        return (
            f"written by a StreamForge that draws other values (values version {version}; this "
            f"one draws version {redraw.values_version}): an upgrade, not a broken landing"
        )
    if entry["spec_digest"] != redraw.digest(table):
        return (
            f"{table.spec.file.name} changed since the run in what draws values (a type, rule, "
            "distribution, profile or fault rate: its spec digest differs)"
        )
    if entry.get("scenario"):
        return "written under an app scenario"
    return None


def texts_of(checks: dict[str, str], looks: list) -> list[str]:
    """The Spark SQL a table's checks and expressions (lookup_exprs.ExprLookup) read."""
    return [*checks.values(), *(look.sql for look in looks if hasattr(look, "sql"))]

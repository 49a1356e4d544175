"""The plan's shape: tables in dependency order, their keys, foreign keys and change-feed roles.

Frozen results of `plan_sector` (plan/resolve.py); the engine, codegen and verify read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from streamforge.errors import did_you_mean
from streamforge.plan.feeds import FeedRoles
from streamforge.plan.times import is_birth_date
from streamforge.spec.model import ColumnSpec, SectorSpec, TableSpec


@dataclass(frozen=True, slots=True)
class ForeignKey:
    column: str
    entity: (
        str  # the dimension (or owned change-feed entity) whose live keys this column draws from
    )
    target_column: str


@dataclass(frozen=True, slots=True)
class Entity:
    """Something with live keys: a dimension, or the entity a change feed owns."""

    name: str
    key: str
    source: str  # table that creates the keys (dimension name, or the owning change feed)
    attributes: tuple[ColumnSpec, ...]  # after-image columns (key excluded)
    tracked_by: str | None  # change feed that inserts, updates and deletes its keys


@dataclass(frozen=True, slots=True)
class TablePlan:
    spec: TableSpec
    primary_key: str | None
    foreign_keys: Mapping[str, ForeignKey]
    sequential: tuple[str, ...]  # *_id columns that are neither key nor foreign key
    columns: tuple[ColumnSpec, ...]  # output columns, in file order
    feed: FeedRoles | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def event_time(self) -> str | None:
        """The column that says when a fact happened (watermarks and late rows use it)."""
        # Bounded datetimes and birth dates are attributes, not the moment of the event.
        stamps = [
            c.name
            for c in self.columns
            if c.type == "datetime"
            and c.min is None
            and c.max is None
            and not is_birth_date(c.name)
            and c.expr is None  # computed after the event time is settled (engine/computed.py)
            and (self.feed is None or c.name == self.feed.timestamp_column)
        ]
        named = [
            n
            for n in stamps
            if n in ("timestamp", "event_time", "event_timestamp")
            or n.endswith(("_time", "_at", "_timestamp", "_ts"))
        ]
        return next(iter(named or stamps), None)


@dataclass(frozen=True, slots=True)
class Plan:
    sector: SectorSpec
    tables: tuple[TablePlan, ...]  # parents before children
    entities: Mapping[str, Entity]

    def table(self, name: str) -> TablePlan:
        """The table called `name`; KeyError (with a `did you mean` hint and the sector's
        tables) when there is none."""
        for table in self.tables:
            if table.name == name:
                return table
        names = [t.name for t in self.tables]
        hint = did_you_mean(name, names) or "available tables: " + ", ".join(sorted(names))
        raise KeyError(f"no table '{name}' in sector '{self.sector.name}'; {hint}")

    @property
    def dimensions(self) -> tuple[TablePlan, ...]:
        return tuple(t for t in self.tables if t.kind == "dimension")

    @property
    def streams(self) -> tuple[TablePlan, ...]:
        """Tables written every cycle: change feeds first (they move live keys), then facts."""
        feeds = [t for t in self.tables if t.kind == "change_feed"]
        facts = [t for t in self.tables if t.kind == "fact"]
        return (*feeds, *facts)

"""The pipeline to generate, independent of target and language: what each layer reads and checks.

Built from the Plan; every target (databricks, dlt-legacy, spark) and language (Python, SQL) renders
the same model, so the layers and rules agree everywhere. The sources it reads are
pipelines/sources.py's, its gold aggregates pipelines/aggregates.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamforge.pipelines.aggregates import Aggregate, aggregates_of
from streamforge.pipelines.as_of import AsOf, as_of_views
from streamforge.pipelines.expectations import Rule, rules_for
from streamforge.pipelines.interval import DEFAULT_INTERVAL, watermark_seconds
from streamforge.pipelines.literals import quote
from streamforge.pipelines.names import check_names
from streamforge.pipelines.sources import Source, source_of
from streamforge.plan import Plan, TablePlan
from streamforge.plan.feeds import cdc_sequence

METRICS = "expectations"  # spark target: what each rule passed and failed, per dataset


@dataclass(frozen=True, slots=True)
class Checked:
    """A silver table: typed, de-duplicated on its key, with expectations and a quarantine.

    Facts and change feeds are checked, and so is the snapshot of a dimension that a change feed
    keeps current: its rows obey the same rules as the change rows (README, Change feeds).
    """

    source: Source
    rules: tuple[Rule, ...]
    dedupe: bool  # facts and change feeds: drop repeated row keys (within the watermark)
    watermark_seconds: int  # event-time delay of a streaming de-duplication (see interval.py)
    feeds_cdc: bool = False  # read by AUTO CDC (a change feed or a snapshot): stays a stream

    @property
    def drop_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.action == "drop")

    @property
    def unique_rule(self) -> str | None:
        """The name under which repeated keys are counted and quarantined (spark target)."""
        return f"unique_{self.source.key}" if self.dedupe and self.source.key else None


@dataclass(frozen=True, slots=True)
class Expectations:
    """The rules one dataset checks, and what a report needs to find them: the dataset name the
    event log records them under, and the landing table whose manifest counts what was injected."""

    dataset: str
    table: str
    rules: tuple[Rule, ...]
    unique: str | None = None  # rule name of the de-duplication on the key, if any
    silver: bool = True  # checked in silver (else a dimension's snapshot, checked from bronze)


@dataclass(frozen=True, slots=True)
class Dimension:
    """A dimension kept current from its snapshot and (optionally) its change feed."""

    name: str
    snapshot: Source
    feed: Source | None
    key: str
    attributes: tuple[str, ...]
    sequence: str | None  # feed column that orders changes
    type_column: str | None
    change_time: str | None  # feed column stamping each change: when its version took effect
    bookkeeping: tuple[str, ...]  # feed columns that are not part of the dimension's rows
    rules: tuple[Rule, ...] = ()  # what the snapshot's rows are checked with (key not null first)

    @property
    def drop_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.action == "drop")

    @property
    def snapshot_view(self) -> str:
        """The checked snapshot rows: AUTO CDC fails a whole micro-batch on one NULL key."""
        return f"{self.name}_snapshot"

    @property
    def history(self) -> str:
        return f"{self.name}_history"

    @property
    def changes(self) -> str:
        return f"{self.name}_cdc_source"


@dataclass(frozen=True, slots=True)
class PipelineModel:
    sector: str
    description: str
    sources: tuple[Source, ...]
    checked: tuple[Checked, ...]
    dimensions: tuple[Dimension, ...]
    aggregates: tuple[Aggregate, ...]
    interval_seconds: float
    as_of: tuple[AsOf, ...] = ()  # gold: facts beside their dimensions as of the event time

    @property
    def expectations(self) -> tuple[Expectations, ...]:
        """Every dataset with rules: silver facts and change feeds, then dimension snapshots."""
        checked = tuple(
            Expectations(c.source.silver, c.source.table, c.rules, c.unique_rule)
            for c in self.checked
        )
        snapshots = tuple(  # a tracked dimension's snapshot is checked in silver, above
            Expectations(d.snapshot_view, d.snapshot.table, d.rules, silver=False)
            for d in self.dimensions
            if d.feed is None
        )
        return tuple(e for e in checked + snapshots if e.rules or e.unique)


def build_model(plan: Plan, interval_seconds: float = DEFAULT_INTERVAL) -> PipelineModel:
    """The pipeline of `plan` for a landing written every `interval_seconds`."""
    check_names(plan)  # before any name reaches a template
    sources = {t.name: source_of(t) for t in plan.tables}
    watermark = watermark_seconds(interval_seconds)
    tracked = {d.name for d in plan.dimensions if plan.entities[d.name].tracked_by}
    checked = tuple(
        Checked(
            sources[t.name],
            rules_for(t),
            t.kind != "dimension",
            watermark,
            feeds_cdc=t.kind == "change_feed" or t.name in tracked,
        )
        for t in plan.tables
        if t.kind in ("fact", "change_feed") or t.name in tracked
    )
    dims = tuple(_dimension(plan, d, sources) for d in plan.dimensions)
    aggregates = tuple(
        a for t in plan.tables if t.kind == "fact" for a in aggregates_of(plan, t, sources)
    )
    description = f"StreamForge {plan.sector.name} pipeline"
    return PipelineModel(
        plan.sector.name,
        description,
        tuple(sources.values()),
        checked,
        dims,
        aggregates,
        interval_seconds,
        as_of_views(plan, sources, dims),
    )


def _dimension(plan: Plan, table: TablePlan, sources: dict[str, Source]) -> Dimension:
    entity = plan.entities[table.name]
    feed_plan = plan.table(entity.tracked_by) if entity.tracked_by else None
    feed = sources[feed_plan.name] if feed_plan else None
    roles = feed_plan.feed if feed_plan else None
    sequence = cdc_sequence(roles) if roles is not None else None
    bookkeeping: tuple[str, ...] = ()
    if feed_plan is not None and roles is not None:
        attrs = {a.name for a in roles.attributes} | {roles.entity_key}
        bookkeeping = tuple(c.name for c in feed_plan.columns if c.name not in attrs)
    return Dimension(
        name=table.name,
        snapshot=sources[table.name],
        feed=feed,
        key=entity.key,
        attributes=tuple(a.name for a in entity.attributes),
        sequence=sequence,
        type_column=roles.type_column if roles else None,
        change_time=roles.timestamp_column if roles else None,
        bookkeeping=bookkeeping,
        rules=_snapshot_rules(table, entity.key),
    )


def _snapshot_rules(table: TablePlan, key: str) -> tuple[Rule, ...]:
    """The dimension's own rules, its key's not-null rule first and never weaker than drop."""
    rules = tuple(r for r in rules_for(table) if r.column != key)
    return (Rule(f"valid_{key}", f"{quote(key)} IS NOT NULL", "drop", key), *rules)

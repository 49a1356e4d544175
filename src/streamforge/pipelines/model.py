"""The pipeline to generate, independent of target and language: what each layer reads and checks.

Built from the Plan; every target (databricks, dlt-legacy, spark) and language (Python, SQL) renders
the same model, so the layers and rules agree everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamforge.pipelines.as_of import AsOf, as_of_views
from streamforge.pipelines.expectations import Rule, rules_for
from streamforge.pipelines.interval import DEFAULT_INTERVAL, watermark_seconds
from streamforge.pipelines.literals import quote, sql_string
from streamforge.pipelines.names import check_names
from streamforge.pipelines.readers import from_text, pipeline_format, text_type
from streamforge.pipelines.spark_types import spark_type
from streamforge.plan import Plan, TablePlan
from streamforge.plan.feeds import cdc_sequence
from streamforge.spec.model import NUMERIC_TYPES, ColumnSpec

BRONZE, SILVER, QUARANTINE = "bronze_{}", "silver_{}", "quarantine_{}"
METRICS = "expectations"  # spark target: what each rule passed and failed, per dataset
LATE = "late_{}"  # rows a streaming de-duplication dropped as later than its watermark


_VALUE = "{value}"  # where the read value goes in Column.from_text


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # Spark SQL type, e.g. BIGINT, DECIMAL(10,2), ARRAY<STRING>
    comment: str | None = None
    text_type: str | None = None  # the type as JSON text holds it (map keys are text); None: same
    from_text: str | None = None  # SQL from text_type to type, with {value} for the read value

    @property
    def nested(self) -> bool:
        return self.type.startswith(("ARRAY", "MAP"))

    def read_type(self, fmt: str) -> str:
        """The type to read the landing file's column with (a schema or a schema hint)."""
        landing = pipeline_format(fmt)
        if landing.nested_as_text and self.nested:
            return "STRING"  # JSON text in the cell; Spark's CSV source has no nested types
        if landing.text_map_keys:
            return self.text_type or self.type
        return self.type

    def read_expr(self, fmt: str) -> str | None:
        """Spark SQL turning the column as read into `type`; None when it is read as it is."""
        landing = pipeline_format(fmt)
        if landing.nested_as_text and self.nested:
            value = f"from_json({quote(self.name)}, {sql_string(self.text_type or self.type)})"
        elif landing.text_map_keys and self.from_text is not None:
            value = quote(self.name)
        else:
            return None
        return self.from_text.replace(_VALUE, value) if self.from_text else value


@dataclass(frozen=True, slots=True)
class Source:
    """One landing folder and its bronze streaming table."""

    table: str
    kind: str
    columns: tuple[Column, ...]
    comment: str
    key: str | None
    event_time: str | None

    @property
    def bronze(self) -> str:
        return BRONZE.format(self.table)

    @property
    def silver(self) -> str:
        return SILVER.format(self.table)

    @property
    def quarantine(self) -> str:
        return QUARANTINE.format(self.table)

    @property
    def late(self) -> str:
        return LATE.format(self.table)

    @property
    def schema_ddl(self) -> str:
        return ", ".join(f"{quote(c.name)} {c.type}" for c in self.columns)

    @property
    def described(self) -> bool:
        """Whether the YAML describes any column (then tables declare their columns, with
        comments)."""
        return any(c.comment for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def read_ddl(self, fmt: str) -> str:
        """The schema (or schema hints) to read this folder's `fmt` files with."""
        return ", ".join(f"{quote(c.name)} {c.read_type(fmt)}" for c in self.columns)

    def conversions(self, fmt: str) -> tuple[tuple[str, str], ...]:
        """(column, Spark SQL expression) for each column that bronze converts after reading."""
        return tuple((c.name, e) for c in self.columns if (e := c.read_expr(fmt)) is not None)


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
class Aggregate:
    """A gold materialized view: a fact joined to current dimensions, grouped."""

    name: str
    comment: str
    fact: Source
    joins: tuple[tuple[str, str, str], ...]  # (dimension table, alias, key)
    group_by: tuple[tuple[str, str], ...]  # (SQL expression, output name)
    measures: tuple[tuple[str, str], ...]  # (SQL aggregate expression, output name)


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
    sources = {t.name: _source(t) for t in plan.tables}
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
        a for t in plan.tables if t.kind == "fact" for a in _aggregates(plan, t, sources)
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


def _source(table: TablePlan) -> Source:
    from streamforge.plan.columns import column_type

    columns = []
    for c in table.columns:
        dtype = column_type(table, c)
        as_text = spark_type(text_type(dtype))
        columns.append(
            Column(
                c.name,
                spark_type(dtype),
                c.description,
                as_text if as_text != spark_type(dtype) else None,
                from_text(dtype, _VALUE),
            )
        )
    comment = table.spec.description or f"{table.kind.replace('_', ' ')} {table.name}"
    return Source(
        table.name, table.kind, tuple(columns), comment, table.primary_key, table.event_time
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


def _aggregates(plan: Plan, fact: TablePlan, sources: dict[str, Source]) -> list[Aggregate]:
    """Per category and per hour: counts and the sums / averages of the fact's measures."""
    source = sources[fact.name]
    measures: list[tuple[str, str]] = [("COUNT(*)", "events")]
    for col in _measures(fact):
        measures.append((f"SUM(f.{quote(col.name)})", f"total_{col.name}"))
        measures.append((f"AVG(f.{quote(col.name)})", f"avg_{col.name}"))
    dims = {d.name for d in plan.dimensions}
    result = []
    category = _category(plan, fact, dims)
    if category is not None:
        expression, name, join = category
        result.append(
            Aggregate(
                f"gold_{fact.name}_by_{name}",
                f"{source.comment.rstrip('.')}: totals per {name.replace('_', ' ')}",
                source,
                join,
                ((expression, name),),
                tuple(measures),
            )
        )
    if source.event_time is not None:
        hour = (f"date_trunc('HOUR', f.{quote(source.event_time)})", "hour")
        result.append(
            Aggregate(
                f"gold_{fact.name}_hourly",
                f"{source.comment.rstrip('.')}: totals per hour",
                source,
                (),
                (hour,),
                tuple(measures),
            )
        )
    return result


def _measures(fact: TablePlan) -> list[ColumnSpec]:
    skip = {fact.primary_key, *fact.foreign_keys, *fact.sequential}
    return [
        c
        for c in fact.columns
        if c.type in NUMERIC_TYPES and c.name not in skip and c.choices is None
    ][:3]


def _category(
    plan: Plan, fact: TablePlan, dims: set[str]
) -> tuple[str, str, tuple[tuple[str, str, str], ...]] | None:
    """What to group by: a category of a referenced dimension (joined to its current rows), else
    one of the fact's own."""
    for column, fk in fact.foreign_keys.items():
        if fk.entity not in dims:
            continue
        for col in plan.table(fk.entity).columns:
            if col.type == "string" and col.choices and len(col.choices) > 1:
                join = ((fk.entity, "d", column),)
                name = (
                    col.name if col.name.startswith(f"{fk.entity}_") else f"{fk.entity}_{col.name}"
                )
                return f"d.{quote(col.name)}", name, join
    for col in fact.columns:
        if col.type == "string" and col.choices and len(col.choices) > 1:
            return f"f.{quote(col.name)}", col.name, ()
    return None

"""Render a PipelineModel with a target's Jinja2 templates: the only place that produces code."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from streamforge.pipelines.model import Aggregate, Column, Dimension, PipelineModel, Source
from streamforge.pipelines.rules import Rule, failed_rules_sql, quote

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # we write code, not HTML
    )
    env.filters["py"] = _python_literal
    env.filters["q"] = quote
    env.filters["paren"] = lambda text: f"({text})"
    env.filters["sql_string"] = sql_string
    return env


def render(template: str, model: PipelineModel, **context: object) -> str:
    """Render `template` for `model`; `context` carries the target's names (dp, ref, ...)."""
    ref = context.get("ref", lambda name: name)

    def gold_sql(aggregate: Aggregate) -> str:
        return gold_query(model, aggregate, ref)  # type: ignore[arg-type]

    keys = {d.name: d.key for d in model.dimensions}
    fmt = str(context.get("fmt", "json"))
    text = (
        environment()
        .get_template(template)
        .render(
            model=model,
            gold_sql=gold_sql,
            sequence_floor=sequence_floor,
            sequence_type=sequence_type,
            dimension_key=keys.__getitem__,
            read_ddl=lambda source: read_ddl(source, fmt),
            csv_header=csv_header,
            failed_rules_sql=failed_rules_sql,
            passes_sql=passes_sql,
            silver_columns=silver_columns,
            dimension_columns=dimension_columns,
            column_ddl=column_ddl,
            table_spec=table_spec,
            **context,
        )
    )
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


def gold_query(model: PipelineModel, a: Aggregate, ref=lambda name: name) -> str:
    """The SELECT of a gold view: silver facts, LEFT JOINed so every fact counts, grouped."""
    keys = {d.name: d.key for d in model.dimensions}
    groups = ", ".join(f"{expr} AS {quote(name)}" for expr, name in a.group_by)
    measures = ", ".join(f"{expr} AS {quote(name)}" for expr, name in a.measures)
    joins = "".join(
        f" LEFT JOIN {ref(table)} {alias} ON f.{quote(column)} = {alias}.{quote(keys[table])}"
        for table, alias, column in a.joins
    )
    group_by = ", ".join(expr for expr, _ in a.group_by)
    return f"SELECT {groups}, {measures} FROM {ref(a.fact.silver)} f{joins} GROUP BY {group_by}"


def read_ddl(source: Source, fmt: str) -> str:
    """The schema to read landing files with; CSV holds arrays and maps as JSON text."""
    columns = []
    for c in source.columns:
        nested = c.type.startswith(("ARRAY", "MAP"))
        columns.append(f"{quote(c.name)} {'STRING' if fmt == 'csv' and nested else c.type}")
    return ", ".join(columns)


def csv_header(source: Source) -> str:
    """The header line of a landing CSV file, as the csv sink writes it."""
    return ",".join(f'"{c.name}"' for c in source.columns)


# What bronze adds to every landing row (Databricks targets), with what it means
BRONZE_COLUMNS = (
    Column("_rescued_data", "STRING", "Values that did not fit the declared schema (Auto Loader)"),
    Column("_source_file", "STRING", "The landing file the row came from"),
    Column("_ingested_at", "TIMESTAMP", "When the pipeline ingested the row"),
)


def silver_columns(source: Source) -> tuple[Column, ...]:
    """The columns of a silver table: the landing columns, then what bronze added."""
    return source.columns + BRONZE_COLUMNS


def dimension_columns(d: Dimension, history: bool = False) -> tuple[Column, ...]:
    """The columns of a dimension's AUTO CDC target; SCD2 adds its validity interval, typed like
    the sequence."""
    columns = tuple(d.snapshot.column(name) for name in (d.key, *d.attributes))
    if not history:
        return columns
    kind = sequence_type(d).upper()
    return (
        *columns,
        Column("__START_AT", kind, "When this version became current"),
        Column("__END_AT", kind, "When the next version replaced it (NULL: current)"),
    )


def column_ddl(columns: tuple[Column, ...]) -> list[str]:
    """`name` TYPE COMMENT '...' for each column: a table schema, comments from the YAML."""
    return [
        f"{quote(c.name)} {c.type}" + (f" COMMENT {sql_string(c.comment)}" if c.comment else "")
        for c in columns
    ]


def table_spec(columns: list[str], rules: tuple[Rule, ...], violation: dict[str, str]) -> str:
    """A SQL table specification: `(column, ..., CONSTRAINT ..., ...)`, or "" when empty."""
    lines = list(columns) + [
        f"CONSTRAINT {r.name} EXPECT ({r.condition}){violation[r.action]}" for r in rules
    ]
    return " (\n" + ",\n".join(f"  {line}" for line in lines) + "\n)" if lines else ""


def passes_sql(rules: tuple[Rule, ...]) -> str:
    """A Spark SQL condition true for the rows that break none of `rules` (NULL breaks a rule)."""
    if not rules:
        return "TRUE"
    return "coalesce(" + " AND ".join(f"({r.condition})" for r in rules) + ", false)"


def sequence_type(d: Dimension) -> str:
    assert d.feed is not None
    column = next(c for c in d.feed.columns if c.name == d.sequence)
    return column.type.lower()


def sequence_floor(d: Dimension) -> object:
    """The sequence value of the snapshot rows: before every change of the feed."""
    return "1970-01-01 00:00:00" if sequence_type(d) == "timestamp" else 0


def sql_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _python_literal(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_python_literal(v) for v in value) + "]"
    return repr(value)

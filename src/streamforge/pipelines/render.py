"""Render a PipelineModel with a target's Jinja2 templates: the only place that produces code."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from streamforge.pipelines import ddl
from streamforge.pipelines.aggregates import Aggregate
from streamforge.pipelines.as_of import AsOf, as_of_query
from streamforge.pipelines.expectations import RESCUED, failed_rules_sql
from streamforge.pipelines.literals import quote, sql_string
from streamforge.pipelines.model import Dimension, PipelineModel
from streamforge.pipelines.names import comment_text, python_name
from streamforge.pipelines.readers import pipeline_format, reader_options

TEMPLATES = Path(__file__).parent / "templates"
# The change time of a dimension's snapshot rows: before every change and every event.
CHANGE_FLOOR = "1970-01-01 00:00:00"


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
    env.filters["pyname"] = python_name
    env.filters["doc"] = comment_text
    return env


def render(template: str, model: PipelineModel, **context: object) -> str:
    """Render `template` for `model`; `context` carries the target's names (dp, ref, ...)."""
    ref = context.get("ref", lambda name: name)
    scd = context.get("scd", 1)

    def gold_sql(aggregate: Aggregate) -> str:
        return gold_query(model, aggregate, ref)  # type: ignore[arg-type]

    def as_of_sql(view: AsOf) -> str:
        return as_of_query(view, ref)  # type: ignore[arg-type]

    def change_stamp(d: Dimension) -> list[str]:
        """The change timestamp, when the SCD2 history needs it beside the sequence: its
        versions are valid from the change's time, which the as-of views compare event times
        with (a feed without a sequence column is sequenced by the timestamp already)."""
        stamp = d.change_time
        return [stamp] if scd == 2 and stamp is not None and stamp != d.sequence else []

    keys = {d.name: d.key for d in model.dimensions}
    fmt = str(context.get("fmt", "json"))
    text = (
        environment()
        .get_template(template)
        .render(
            model=model,
            gold_sql=gold_sql,
            as_of_sql=as_of_sql,
            change_stamp=change_stamp,
            change_floor=CHANGE_FLOOR,
            sequence_floor=sequence_floor,
            sequence_type=sequence_type,
            dimension_key=keys.__getitem__,
            reader_options=reader_options(fmt),
            spark_source=pipeline_format(fmt).spark_source,
            failed_rules_sql=failed_rules_sql,
            rescued_rule=RESCUED,  # Auto Loader's rescued-data check (Databricks templates)
            passes_sql=ddl.passes_sql,
            silver_columns=ddl.silver_columns,
            dimension_columns=lambda d, history=False: ddl.dimension_columns(
                d, change_time_type(d) if d.feed else "timestamp", history
            ),
            column_ddl=ddl.column_ddl,
            table_spec=ddl.table_spec,
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
        f" LEFT JOIN {ref(quote(table))} {alias}"
        f" ON f.{quote(column)} = {alias}.{quote(keys[table])}"
        for table, alias, column in a.joins
    )
    group_by = ", ".join(expr for expr, _ in a.group_by)
    return f"SELECT {groups}, {measures} FROM {ref(a.fact.silver)} f{joins} GROUP BY {group_by}"


def sequence_type(d: Dimension) -> str:
    assert d.feed is not None
    column = next(c for c in d.feed.columns if c.name == d.sequence)
    return column.type.lower()


def sequence_floor(d: Dimension) -> object:
    """The sequence value of the snapshot rows: before every change of the feed."""
    return CHANGE_FLOOR if sequence_type(d) == "timestamp" else 0


def change_time_type(d: Dimension) -> str:
    """The Spark SQL type of the feed's change timestamp: that of the SCD2 validity interval."""
    assert d.feed is not None and d.change_time is not None
    return d.feed.column(d.change_time).type.lower()


def _python_literal(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_python_literal(v) for v in value) + "]"
    return repr(value)

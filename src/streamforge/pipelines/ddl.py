"""Table schemas and row checks as Spark SQL text, for the templates: the columns a silver or
dimension table declares (with the YAML's descriptions as comments), table specifications, and
the conditions that pass or name the rules a row breaks."""

from __future__ import annotations

from streamforge.pipelines.expectations import Rule
from streamforge.pipelines.literals import quote, sql_string
from streamforge.pipelines.model import Dimension
from streamforge.pipelines.sources import Column, Source

# What bronze adds to every landing row (Databricks targets), with what it means
BRONZE_COLUMNS = (
    Column("_rescued_data", "STRING", "Values that did not fit the declared schema (Auto Loader)"),
    Column("_source_file", "STRING", "The landing file the row came from"),
    Column("_ingested_at", "TIMESTAMP", "When the pipeline ingested the row"),
)


def silver_columns(source: Source, rescued: bool = True) -> tuple[Column, ...]:
    """The columns of a silver table: the landing columns, then what bronze added (without
    `_rescued_data` when the bronze reader has none: open-source file streams)."""
    added = BRONZE_COLUMNS if rescued else BRONZE_COLUMNS[1:]
    return source.columns + added


def dimension_columns(
    d: Dimension, sequence_type: str, history: bool = False
) -> tuple[Column, ...]:
    """The columns of a dimension's AUTO CDC target; SCD2 adds its validity interval, typed like
    the sequence (`sequence_type`, a Spark SQL type)."""
    columns = tuple(d.snapshot.column(name) for name in (d.key, *d.attributes))
    if not history:
        return columns
    kind = sequence_type.upper()
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

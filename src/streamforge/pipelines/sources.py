"""What the generated pipeline reads: one `Source` per landing folder (its bronze, silver,
quarantine and late tables), its columns, and how each is read from every landing format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamforge.pipelines.literals import quote, sql_string
from streamforge.pipelines.readers import from_text, pipeline_format, text_type
from streamforge.pipelines.spark_types import spark_type

if TYPE_CHECKING:
    from streamforge.plan import TablePlan

BRONZE, SILVER, QUARANTINE = "bronze_{}", "silver_{}", "quarantine_{}"
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


def source_of(table: TablePlan) -> Source:
    """The landing folder of `table`, its columns typed for Spark."""
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

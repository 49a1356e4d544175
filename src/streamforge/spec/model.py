"""The frozen, validated schema model that everything after the YAML boundary works with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

TableKind = Literal["dimension", "fact", "change_feed"]
Expectation = Literal["warn", "drop", "fail"]
Distribution = Literal["uniform", "normal", "lognormal", "exponential", "zipf"]
Operation = Literal["INSERT", "UPDATE", "DELETE"]
# The closed sets as tuples, for messages and loops (one definition: the Literals above).
TABLE_KINDS: tuple[str, ...] = get_args(TableKind)
EXPECTATIONS: tuple[str, ...] = get_args(Expectation)
DISTRIBUTIONS: tuple[str, ...] = get_args(Distribution)

SCALAR_TYPES = ("int", "long", "float", "double", "decimal", "string", "datetime", "date", "bool")
NESTED_TYPES = ("array", "map")
TYPE_NAMES = SCALAR_TYPES + NESTED_TYPES
NUMERIC_TYPES = ("int", "long", "float", "double", "decimal")
INTEGER_TYPES = ("int", "long")


@dataclass(frozen=True, slots=True)
class RunningSpec:
    """`running:` of a column: a running total per key, in posting order (engine/running.py).

    The column's value on a row = `start` (a lookup `<dimension>.<column>` through the `by`
    foreign key, as it stood at the key's most recent posting; 0 without `start`) plus `sum` over
    the key's earlier rows since that posting.
    """

    sum: str  # the column added up (int, long or decimal)
    by: str  # the key column the total runs per
    start: str | None = None  # "<qualifier>.<column>": a lookup through `by`; None: from 0

    @property
    def start_ref(self) -> tuple[str, str] | None:
        if self.start is None:
            return None
        qualifier, _, column = self.start.partition(".")
        return qualifier, column


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column: its type and every optional generation rule, already validated."""

    name: str
    type: str
    line: int = 0
    precision: int | None = None  # decimal(p, s)
    scale: int | None = None
    format: str | None = None
    min: float | str | None = None  # numbers, or ISO-8601 text for datetime/date
    max: float | str | None = None
    decimals: int | None = None
    distribution: Distribution = "uniform"
    mean: float | None = None
    stddev: float | None = None
    skew: float | None = None
    values: tuple[object, ...] | None = None  # allowed categories
    weights: tuple[float, ...] | None = None
    null_rate: float = 0.0
    unique: bool = False
    references: str | None = None  # "table.column"
    faker: str | None = None
    anomaly_rate: float = 0.0
    expect: Expectation | None = None
    description: str | None = None
    sequence: bool = False
    items: ColumnSpec | None = None  # array element
    map_keys: ColumnSpec | None = None
    map_values: ColumnSpec | None = None
    min_items: int = 1
    max_items: int = 3
    expr: str | None = None  # Spark SQL over the same row (DESIGN §3, coherent rows)
    hidden: bool = False  # generated and usable in expressions and checks, never written
    running: RunningSpec | None = None  # a running total per key (DESIGN §3, coherent rows)

    @property
    def choices(self) -> tuple[object, ...] | None:
        """Allowed categorical values, from `values` or a pipe-separated `format`."""
        if self.values is not None:
            return self.values
        if self.format is not None and "|" in self.format:
            return tuple(self.format.split("|"))
        if self.format is not None and "#" not in self.format and "?" not in self.format:
            return (self.format,)  # a format without slots is a constant: one allowed value
        return None


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A named row rule of a table (`checks:`): a Spark SQL boolean that generated rows satisfy,
    except `anomaly_rate` of them, broken on purpose by changing `column`'s value."""

    name: str
    rule: str
    line: int = 0
    anomaly_rate: float = 0.0
    column: str | None = None  # the column an anomaly changes; None: the plan picks one
    expect: Expectation | None = None


@dataclass(frozen=True, slots=True)
class LoadProfile:
    """`profile:` of a fact or change feed: how its load follows the clock (UTC).

    Weights are relative (only their shape matters); `trend` is the growth per day (0.02: +2 %
    a day, compounding from the run's start); a cycle bursts with `burst_probability`, its rows
    then times `burst_multiplier`.
    """

    hourly: tuple[float, ...] = (1.0,) * 24  # hour 0 (00:00-01:00 UTC) first
    weekday: tuple[float, ...] = (1.0,) * 7  # Monday first
    burst_probability: float = 0.0
    burst_multiplier: float = 1.0
    trend: float = 0.0
    line: int = 0


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One YAML file: a dimension, a fact or a change feed."""

    name: str
    kind: TableKind
    num_rows: int
    columns: tuple[ColumnSpec, ...]
    file: Path = Path("<memory>")
    line: int = 1
    description: str | None = None
    primary_key: str | None = None  # as written in YAML; the plan decides the effective key
    tracks: str | None = None
    operations: tuple[tuple[Operation, float], ...] = (
        ("INSERT", 0.2),
        ("UPDATE", 0.7),
        ("DELETE", 0.1),
    )
    operations_given: bool = False
    late_rate: float = 0.0
    duplicate_rate: float = 0.0
    out_of_order_rate: float = 0.0
    checks: tuple[CheckSpec, ...] = ()
    expect: Expectation | None = None  # the action of the table's checks in pipelines
    locale: str | None = None  # Faker locale of person, place and phone fields (None: en_US)
    profile: LoadProfile | None = None  # None: num_rows every cycle, times spread evenly

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def written(self) -> tuple[ColumnSpec, ...]:
        """The columns that reach the files: every column but the `hidden` ones."""
        return tuple(c for c in self.columns if not c.hidden)


@dataclass(frozen=True, slots=True)
class SectorSpec:
    """Every table of one `schema/<Sector>/` folder."""

    name: str
    tables: tuple[TableSpec, ...]
    directory: Path = Path("<memory>")

    def table(self, name: str) -> TableSpec | None:
        return next((t for t in self.tables if t.name == name), None)

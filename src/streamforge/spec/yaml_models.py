"""Pydantic models of one YAML table file: the only place where raw YAML is validated."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from streamforge.errors import did_you_mean
from streamforge.spec import limits
from streamforge.spec.locales import SUPPORTED_LOCALES, known_locales
from streamforge.spec.model import Distribution, Expectation, Operation, TableKind
from streamforge.spec.profile import ProfileModel
from streamforge.spec.pydantic_words import shown

# \A...\Z, not ^...$: `$` also matches before a final line break, and a name reaches code.
NAME = re.compile(r"\A[a-z_][a-z0-9_]*\Z")
REFERENCE = re.compile(r"\A[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\Z")


def check_name(value: str, what: str) -> str:
    if not NAME.match(value):
        raise ValueError(
            f"{what} '{value}' is not a valid name; use lower-case letters, digits and _ "
            "(snake_case), starting with a letter or _"
        )
    problem = limits.name_problem(value, what)
    if problem is not None:
        raise ValueError(problem)
    return value


class RunningModel(BaseModel):
    """`running: {sum: <column>, by: <key column>, start: <dimension>.<column>}`."""

    model_config = ConfigDict(extra="forbid")

    sum: str = Field(min_length=1)
    by: str = Field(min_length=1)
    start: str | None = None

    # mode="before": a number or a list is not text that quoting would fix (`sum: 7` quoted is
    # still no column), so each key says what it takes instead of pydantic's "a valid string".
    @field_validator("sum", "by", mode="before")
    @classmethod
    def _column_name(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            example = "amount_usd" if info.field_name == "sum" else "account_id"
            role = "the column to add up" if info.field_name == "sum" else "the key column"
            raise ValueError(
                f"running.{info.field_name} must name {role} of this table, not {shown(value)}, "
                f"e.g. {info.field_name}: {example}"
            )
        return value

    @field_validator("start", mode="before")
    @classmethod
    def _start_shape(cls, value: Any) -> Any:
        if value is None:
            return value
        if not isinstance(value, str) or not REFERENCE.match(value):
            raise ValueError(
                f"running.start must be a lookup written as <dimension>.<column>, not "
                f"{shown(value)}, "
                "e.g. start: account.current_balance_usd (a total that starts at 0 has no start)"
            )
        return value


class ColumnModel(BaseModel):
    """The mapping form of a column. `items`, `keys` and `values` (for maps) nest column specs."""

    model_config = ConfigDict(extra="forbid", strict=False)

    type: str
    format: str | None = None
    # YAML reads an unquoted 2020-01-01 as a date: accepted as a bound like the quoted text.
    min: float | int | datetime | date | str | None = None
    max: float | int | datetime | date | str | None = None
    decimals: int | None = Field(default=None, ge=0, le=10, strict=True)
    distribution: Distribution = "uniform"
    mean: float | None = None
    stddev: float | None = Field(default=None, gt=0)
    skew: float | None = Field(default=None, gt=1)
    values: Any = None  # categories, or the value type of a map
    weights: list[float] | None = None
    null_rate: float = Field(default=0.0, ge=0, le=1)
    unique: bool = False
    references: str | None = None
    faker: str | None = None
    anomaly_rate: float = Field(default=0.0, ge=0, le=1)
    expect: Expectation | None = None
    description: str | None = None
    sequence: bool = False
    items: Any = None
    keys: Any = None
    # strict: YAML `true` is not a count (pydantic would read it as 1).
    min_items: int = Field(default=1, ge=0, strict=True)
    max_items: int = Field(default=3, ge=0, le=limits.MAX_ITEMS, strict=True)
    expr: str | None = Field(default=None, min_length=1)
    hidden: bool = Field(default=False, strict=True)
    running: RunningModel | None = None

    @field_validator("references")
    @classmethod
    def _reference_shape(cls, value: str | None) -> str | None:
        if value is not None and not REFERENCE.match(value):
            raise ValueError(
                f"references '{value}' must be written as <table>.<column>, "
                "e.g. references: customer.customer_id"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ColumnModel:
        if self.min_items > self.max_items:
            raise ValueError(
                f"min_items ({self.min_items}) is larger than max_items ({self.max_items})"
            )
        return self


class CheckModel(BaseModel):
    """The mapping form of a table check; the short form is just the rule's text."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(min_length=1)
    anomaly_rate: float = Field(default=0.0, ge=0, le=1)
    column: str | None = None
    expect: Expectation | None = None
    description: str | None = None


class TableModel(BaseModel):
    """One table file."""

    model_config = ConfigDict(extra="forbid")

    table: str
    type: TableKind
    num_rows: int = Field(strict=True)  # YAML `true` is not a row count
    description: str | None = None
    primary_key: str | None = None
    tracks: str | None = None
    operations: dict[Operation, float] | None = None
    late_rate: float = Field(default=0.0, ge=0, lt=1)
    duplicate_rate: float = Field(default=0.0, ge=0, lt=1)
    out_of_order_rate: float = Field(default=0.0, ge=0, le=1)
    locale: str | None = None  # Faker's locale for person, place and phone fields
    profile: ProfileModel | None = None
    columns: dict[str, Any] = Field(min_length=1)
    checks: dict[str, str | CheckModel] | None = None
    expect: Expectation | None = None

    @field_validator("checks")
    @classmethod
    def _check_names(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        for name in value or {}:
            check_name(name, "check name")
        return value

    @field_validator("num_rows")
    @classmethod
    def _positive_rows(cls, value: int) -> int:
        if value < 1:
            raise ValueError(
                f"num_rows must be at least 1, not {value}; it is the rows in total for a "
                "dimension, and per batch for facts and change feeds"
            )
        if value > limits.MAX_ROWS:
            raise ValueError(
                f"num_rows {value:,} is above the limit of {limits.MAX_ROWS:,} rows per table "
                "and batch; for more, use --scale or the Spark engine"
            )
        return value

    @field_validator("table")
    @classmethod
    def _table_name(cls, value: str) -> str:
        check_name(value, "table name")
        if value.startswith("_"):
            # Auto Loader skips folders whose names start with _ (and _streamforge holds state).
            raise ValueError(
                f"table name '{value}' starts with _: its landing folder would be skipped by "
                "Auto Loader (and _streamforge is the run's own folder); rename it"
            )
        return value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        known = known_locales()
        if value is not None and value not in known:
            same = [k for k in known if k.lower() == value.lower().replace("-", "_")]
            hint = (
                f"did you mean '{same[0]}'?"
                if same
                else did_you_mean(value, known) or f"supported: {', '.join(SUPPORTED_LOCALES)}"
            )
            raise ValueError(f"unknown locale '{value}'; {hint}")
        if value is not None and value not in SUPPORTED_LOCALES:
            raise ValueError(
                f"locale '{value}' is not supported: its postcodes and phone numbers are not "
                f"checked valid; use one of {', '.join(SUPPORTED_LOCALES)}"
            )
        return value

    @field_validator("columns")
    @classmethod
    def _column_count(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > limits.MAX_COLUMNS:
            raise ValueError(
                f"{len(value):,} columns is above the limit of {limits.MAX_COLUMNS:,} per table"
            )
        return value

    @field_validator("operations")
    @classmethod
    def _operations(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        weights = list(value.values()) if value is not None else [1.0]
        if not all(math.isfinite(w) and w >= 0 for w in weights) or not 0 < sum(weights) < math.inf:
            raise ValueError(
                "operation weights must be finite, non-negative and add up to more than 0"
            )
        return value

    @model_validator(mode="after")
    def _kind_rules(self) -> TableModel:
        if self.type != "change_feed" and (self.tracks or self.operations):
            raise ValueError("tracks and operations apply only to type: change_feed")
        if self.type == "dimension" and (
            self.late_rate or self.duplicate_rate or self.out_of_order_rate
        ):
            raise ValueError(
                "late_rate, duplicate_rate and out_of_order_rate apply to facts and change feeds, "
                "not to dimensions (they are written once)"
            )
        return self


# What to say when a required key is missing, beyond "it is missing".
MISSING_HINTS = {
    "table": "add `table: <name>` (snake_case, unique within the sector)",
    "type": "add `type: dimension`, `type: fact` or `type: change_feed`",
    "num_rows": "add e.g. `num_rows: 1000` (rows in total for a dimension, per batch otherwise)",
    "columns": "add a `columns:` mapping of column name to type",
}

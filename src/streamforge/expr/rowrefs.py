"""What a row expression reads, without sqlglot once kept (expr/kept.py): its columns, its
lookups and the names those sit under beside the row, and the column a check's anomaly breaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamforge.expr.kept import recall

if TYPE_CHECKING:
    from streamforge.spec.model import CheckSpec, ColumnSpec, TableSpec

LOOKUP_PREFIX = "__lookup__"
Ref = tuple[str | None, str]  # (qualifier or None for a column of the row, column)


class ExprError(ValueError):
    """An expression that cannot be used; `hint` says how to fix it. (Here, not in parse.py,
    so that code reading kept answers can catch it without loading sqlglot.)"""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True, slots=True)
class Reference:
    """A name in an expression: a column of the row (`qualifier` None) or a lookup."""

    qualifier: str | None
    column: str

    @property
    def text(self) -> str:
        return self.column if self.qualifier is None else f"{self.qualifier}.{self.column}"


def lookup_name(qualifier: str, column: str) -> str:
    """The name under which a lookup's values sit beside the row's columns during evaluation."""
    return f"{LOOKUP_PREFIX}{qualifier}__{column}"


@dataclass(frozen=True, slots=True)
class Named:
    """What an expression names: its text and the references in it, in order of first
    appearance without repeats (parse.Parsed adds the sqlglot tree)."""

    text: str
    references: tuple[Reference, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """The same-row columns it reads."""
        return tuple(r.column for r in self.references if r.qualifier is None)

    @property
    def lookups(self) -> tuple[Reference, ...]:
        """The `dimension.column` (or `fk.column`) lookups it reads."""
        return tuple(r for r in self.references if r.qualifier is not None)


@dataclass(frozen=True, slots=True)
class Lookup:
    """`<qualifier>.<column>`: `column` of the `entity` row that `via` points at."""

    qualifier: str
    column: str
    via: str  # the foreign-key column of the row
    entity: str  # the dimension

    @property
    def name(self) -> str:
        return lookup_name(self.qualifier, self.column)


def references(text: str) -> tuple[Ref, ...]:
    """The names of expression `text` in order of first appearance, no repeats (as
    parse.parse_expression reads them; raises its ExprError for an expression it refuses)."""

    def parse() -> tuple[Ref, ...]:
        from streamforge.expr.parse import parse_expression

        return tuple((r.qualifier, r.column) for r in parse_expression(text).references)

    return recall("references", text, parse)


def columns(text: str) -> tuple[str, ...]:
    return tuple(c for q, c in references(text) if q is None)


def lookups(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((q, c) for q, c in references(text) if q is not None)


def evaluation_names(text: str) -> list[str]:
    """The columns the expression reads, then its lookups by their evaluation names."""
    return [*columns(text), *(lookup_name(q, c) for q, c in lookups(text))]


def break_target(table: TableSpec, check: CheckSpec, keys: frozenset[str]) -> ColumnSpec | None:
    """The column whose value an anomaly of `check` changes: `column:` if given, else the last
    computed column of the rule, else its last column; written and not a key (keys keep their
    rule). None when the rule names no such column."""
    names = columns(check.rule)
    if check.column is not None:
        names = (check.column,)
    usable = [c for c in table.columns if c.name in names and not c.hidden and c.name not in keys]
    computed = [c for c in usable if c.expr is not None]
    chosen = computed or usable
    return chosen[-1] if chosen else None

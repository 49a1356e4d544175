"""What `verify` found: one Finding per wrong thing, each with its table, column, count, example."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyarrow as pa

from streamforge.plural import counted

# What a clean report vouches for, in the words of the `verify` summary line; absent() names the
# claim a skipped check weakens.
CLAIMS = {
    "keys": "keys unique",
    "foreign keys": "every foreign key live",
    "expressions": "expr columns equal their expressions",
    "checks": "checks hold",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """`cycle` is the file's cycle (-1: the table as a whole); `kind` names the rule broken
    (`value`, `unique`, `orphan`, `before_insert`, `after_delete`, `change`, `loop`, ...)."""

    table: str
    cycle: int
    message: str
    column: str | None = None
    kind: str = ""
    count: int = 0
    example: Any = None

    def __str__(self) -> str:
        where = self.table if self.cycle < 0 else f"{self.table} cycle {self.cycle}"
        return f"{where}: {self.message}"


def shown(value: Any) -> str:
    """A value as a user reads it in a message: 12.30 (not Decimal('12.30')), an ISO-8601
    time, text in quotes, NULL and true/false as SQL and YAML write them, lists and maps item
    by item."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(shown(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{shown(k)}: {shown(v)}" for k, v in value.items()) + "}"
    return repr(value)


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    # Each tracked entity as the replay of its change feeds leaves it (one row per live key).
    states: dict[str, pa.Table] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # entity -> key column
    # What could not be judged on this landing and why (not findings: the landing may be fine)
    notes: list[str] = field(default_factory=list)
    # claim (a key of CLAIMS) -> "table.column" it could not be checked on (hidden columns)
    unjudged: dict[str, set[str]] = field(default_factory=dict)
    # "table.column" of each hidden column drawn again from the seed to judge what reads it
    replayed: set[str] = field(default_factory=set)
    # "table.column" of each expression judged only by statistics (verify/hidden_stats.py)
    statistical: set[str] = field(default_factory=set)
    # What was checked beyond the fixed claims, for the summary: duplicate copies compared with
    # their originals, "table.column" of each running total recomputed, tables whose `profile:`
    # was judged (by rows per cycle and by hour of day)
    duplicates: int = 0
    running: set[str] = field(default_factory=set)
    profiled: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)  # "table(city, state)" judged one place

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def entities(self) -> dict[str, dict[int, dict]]:
        """The replayed entities as {key: row}, for tests and small landings."""
        return {
            name: {row[self.keys[name]]: row for row in table.to_pylist()}
            for name, table in self.states.items()
        }

    def summary(self) -> str:
        """The claims a clean report makes, each only as far as it was checked: a claim some
        column could not be judged on names those columns ("every foreign key live except
        orders.customer_id (not judged)")."""
        parts = []
        for claim, words in CLAIMS.items():
            skipped = sorted(self.unjudged.get(claim, set()) - self.statistical)
            rough = sorted(self.unjudged.get(claim, set()) & self.statistical)
            left = [f"{', '.join(skipped)} (not judged)"] if skipped else []
            left += [f"{', '.join(rough)} (by statistics only)"] if rough else []
            parts.append(f"{words} except {'; '.join(left)}" if left else words)
        if self.duplicates:
            parts[0] += f" ({counted(self.duplicates, 'duplicate')} equal to their originals)"
        if self.running:
            parts.append(f"running totals follow their rule ({', '.join(sorted(self.running))})")
        if self.profiled:
            parts.append(f"load follows its profile ({', '.join(sorted(self.profiled))})")
        if self.places:
            parts.append(f"people and places agree within a row ({', '.join(sorted(self.places))})")
        if self.states:
            parts.append("change feeds replay cleanly")
        parts.append("anomaly counts match the manifest")
        return ", ".join(parts)

    def add(self, table: str, cycle: int, message: str, **detail: Any) -> None:
        self.findings.append(Finding(table, cycle, message, **detail))

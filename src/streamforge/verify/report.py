"""What `verify` found: one Finding per wrong thing, each with its table, column, count, example."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

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
        return f"{self.table} cycle {self.cycle}: {self.message}"


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
        parts += ["change feeds replay cleanly", "anomaly counts match the manifest"]
        return ", ".join(parts)

    def add(self, table: str, cycle: int, message: str, **detail: Any) -> None:
        self.findings.append(Finding(table, cycle, message, **detail))

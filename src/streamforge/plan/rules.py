"""A column's rule, defined once (issue 12 point 3): which values break it and what a pipeline
does with a row that does.

`column_rules(table)` computes one `ColumnRule` per column that has a rule, in expectation order
(primary key, a change feed's entity key, then the columns in file order). Three readers share
it: the engine evaluates it on Arrow (engine/rules.py `broken_rows`, used for the expected
pipeline state and the manifest's anomaly counts), codegen renders it as an expectation
(pipelines/expectations.py), and `verify` judges the same *meaning* on its own from the YAML text
(it is the oracle; tests/verify/test_rule_cases.py runs one table of cases against both).

A table's `checks:` are rules too: `check_rules(table)` gives one `CheckRule` per check, with the
action its expectation takes and whether a pipeline can judge it at all.

Meaning. A value breaks the rule when it is NULL and `not_null`, or when it is not NULL, the rule
is `bounded` and the value lies outside the column's allowed values (`values`, `format: "A|B"`)
or outside [`min`, `max`]. A NULL passes unless `not_null`: it is a key, a foreign key without
`null_rate`, the CDC sequence (AUTO CDC rejects a NULL sequence for a whole micro-batch), or a
column without `null_rate` whose rule is bounded or whose anomalies are therefore NULLs. On a
change feed a DELETE row passes every rule with `deletes_pass` (its image is stale: only keys,
change type and ordering are judged, or a quarantined DELETE would keep a dead key alive).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Literal

from streamforge.plan.feeds import cdc_sequence, delete_judged
from streamforge.plan.model import TablePlan
from streamforge.spec.model import CheckSpec, ColumnSpec, Expectation

Role = Literal["key", "foreign_key", "sequence", "value"]
NESTED = ("array", "map")


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """One column's rule (see the module docstring for what breaks it).

    Attributes: `column` (its spec: allowed values, min, max, type), `role`, `not_null`,
    `bounded` (judged against allowed values or min/max), `action` (warn | drop | fail, the
    generated expectation's), `deletes_pass` (a change feed's DELETE row passes it)."""

    column: ColumnSpec
    role: Role
    not_null: bool
    bounded: bool
    action: Expectation
    deletes_pass: bool = False

    @property
    def name(self) -> str:
        """The expectation's name: `valid_<column>`."""
        return f"valid_{self.column.name}"


# table's id -> (the table, its rules). A plan is immutable and its tables live as long as it
# does, yet a live cycle asked for the same rules ~30 times (0.17 ms each, a tenth of a cycle of
# the Energy sector). Keyed by identity: a TablePlan holds mappings, so it cannot be hashed.
_RULES: dict[int, tuple[TablePlan, tuple[ColumnRule, ...]]] = {}
_RULES_HELD = 512  # tables of a few plans (the app keeps several sectors at once)
_rules_lock = threading.Lock()


def column_rules(table: TablePlan) -> tuple[ColumnRule, ...]:
    """The rules of `table`'s columns, keys first; a column without a rule has none here."""
    held = _RULES.get(id(table))
    if held is not None and held[0] is table:
        return held[1]
    rules = _column_rules(table)
    with _rules_lock:
        if len(_RULES) >= _RULES_HELD:
            _RULES.clear()
        _RULES[id(table)] = (table, rules)
    return rules


def _column_rules(table: TablePlan) -> tuple[ColumnRule, ...]:
    by_name = {c.name: c for c in table.columns}
    keys = [k for k in (table.primary_key, table.feed and table.feed.entity_key) if k]
    rules = [ColumnRule(_key_column(by_name, k), "key", True, False, "drop") for k in keys]
    judged_on_delete = delete_judged(table)
    sequence = cdc_sequence(table.feed) if table.feed is not None else None
    for col in table.columns:
        if col.name in keys:
            continue
        rule = _rule(col, col.name in table.foreign_keys, col.name == sequence)
        if rule is None:
            continue
        if table.feed is not None and col.name not in judged_on_delete:
            rule = replace(rule, deletes_pass=True)
        rules.append(rule)
    return tuple(rules)


def _key_column(columns: dict[str, ColumnSpec], name: str) -> ColumnSpec:
    return columns.get(name) or ColumnSpec(name=name, type="long", line=0)


def _rule(col: ColumnSpec, foreign_key: bool, sequence: bool) -> ColumnRule | None:
    action: Expectation = col.expect or ("drop" if col.anomaly_rate > 0 else "warn")
    if foreign_key:
        return ColumnRule(col, "foreign_key", True, False, action) if col.null_rate == 0 else None
    bounded = (col.choices is not None and col.type not in NESTED) or (
        col.min is not None or col.max is not None
    )
    if sequence:
        return ColumnRule(
            col, "sequence", True, bounded, "fail" if col.expect == "fail" else "drop"
        )
    if bounded:
        return ColumnRule(col, "value", col.null_rate == 0, True, action)
    if col.anomaly_rate > 0:
        return ColumnRule(col, "value", True, False, action)  # its anomaly is a missing value
    return None


@dataclass(frozen=True, slots=True)
class CheckRule:
    """One `checks:` entry as a rule: its row condition is `check.rule` (Spark SQL; a NULL
    result breaks it), named `check.name` in the expectations and in the manifest's counts.

    Attributes: `check` (its spec), `action` (the check's `expect`, else the table's, else drop
    when the check is broken on purpose by `anomaly_rate`, else warn), `judged` (False when the
    rule names a hidden column: the column is never written, so no pipeline can evaluate it).
    """

    check: CheckSpec
    action: Expectation
    judged: bool

    @property
    def name(self) -> str:
        return self.check.name


def check_rules(table: TablePlan) -> tuple[CheckRule, ...]:
    """The rules of `table`'s `checks:`, in file order (those a pipeline cannot judge included,
    with `judged` False: the engine still breaks and counts them)."""
    spec = table.spec
    if not spec.checks:
        return ()
    from streamforge.expr import rowrefs  # kept names (expr/kept.py): sqlglot only on a miss

    hidden = {c.name for c in spec.columns if c.hidden}
    return tuple(
        CheckRule(
            check,
            check.expect or spec.expect or ("drop" if check.anomaly_rate else "warn"),
            not hidden & set(rowrefs.columns(check.rule)),
        )
        for check in spec.checks
    )

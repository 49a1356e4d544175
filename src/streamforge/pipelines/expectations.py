"""Expectations derived from the YAML: keys not null, bounds, allowed values; `expect` picks the
action. Each is a SQL condition that a good row satisfies.

A change feed's entity key and sequence column are always checked (drop, or fail when asked): AUTO
CDC rejects a NULL key or a NULL sequence value for the whole micro-batch, so one bad row would
fail every update after it."""

from __future__ import annotations

from dataclasses import dataclass

from streamforge.pipelines.literals import date_literal, quote, sql_string, timestamp_literal
from streamforge.plan import TablePlan
from streamforge.plan.rules import ColumnRule, column_rules
from streamforge.plan.rules import check_rules as plan_check_rules
from streamforge.spec.model import ColumnSpec, Expectation

__all__ = ["Action", "Rule", "quote", "rules_for"]

Action = Expectation  # the action of an expectation: the `expect:` values


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    condition: str  # Spark SQL boolean over the row's columns
    action: Action
    column: str


# Databricks targets: Auto Loader rescues values that do not fit the declared schema (a new column,
# a wrong type) instead of failing; this warn rule counts the rows that carry any.
RESCUED = Rule("no_rescued_data", "_rescued_data IS NULL", "warn", "_rescued_data")


def rules_for(table: TablePlan) -> tuple[Rule, ...]:
    """The table's expectations: each column rule of plan/rules.py as SQL, then its checks."""
    rules = [
        Rule(rule.name, render_condition(table, rule), rule.action, rule.column.name)
        for rule in column_rules(table)
    ]
    return tuple(rules) + check_rules(table)


def render_condition(table: TablePlan, rule: ColumnRule) -> str:
    """A column rule as a Spark SQL boolean that a good row satisfies."""
    col = rule.column
    not_null = f"{quote(col.name)} IS NOT NULL"
    if rule.role in ("key", "foreign_key"):
        condition = not_null
    else:
        inner = _condition(col, is_foreign_key=False)
        if rule.role == "sequence":
            condition = not_null if inner is None else f"{not_null} AND ({inner})"
        else:
            assert inner is not None  # plan/rules.py gives a value column a rule only then
            condition = inner
    if rule.deletes_pass:
        # A DELETE carries a stale image: judged on keys, type and ordering only, since a
        # quarantined DELETE would keep a dead key alive (engine/pipeline_state.py).
        assert table.feed is not None
        condition = f"{quote(table.feed.type_column)} = 'DELETE' OR ({condition})"
    return condition


def check_rules(table: TablePlan) -> tuple[Rule, ...]:
    """The table's `checks:` as expectations, named like the checks (the manifest counts each
    check's failing rows under the same name), with the action plan/rules.py gives them; a check
    no pipeline can judge (it names a hidden column) is left out."""
    return tuple(
        Rule(rule.name, f"({rule.check.rule})", rule.action, rule.name)
        for rule in plan_check_rules(table)
        if rule.judged
    )


def failed_rules_sql(rules: tuple[Rule, ...]) -> str:
    """A Spark SQL ARRAY<STRING> of the names of `rules` a row breaks (a NULL result breaks a
    rule, as it does in the quarantine's filter)."""
    names = ", ".join(
        f"CASE WHEN NOT coalesce({r.condition}, false) THEN {sql_string(r.name)} END" for r in rules
    )
    return f"array_compact(array({names}))" if rules else "CAST(array() AS ARRAY<STRING>)"


def _condition(col: ColumnSpec, is_foreign_key: bool) -> str | None:
    name = quote(col.name)
    if is_foreign_key:
        return f"{name} IS NOT NULL" if col.null_rate == 0 else None
    checks = []
    if col.choices is not None and col.type not in ("array", "map"):
        values = ", ".join(_literal(col, v) for v in col.choices)
        checks.append(f"{name} IN ({values})")
    elif col.min is not None and col.max is not None:
        checks.append(f"{name} BETWEEN {_literal(col, col.min)} AND {_literal(col, col.max)}")
    elif col.min is not None:
        checks.append(f"{name} >= {_literal(col, col.min)}")
    elif col.max is not None:
        checks.append(f"{name} <= {_literal(col, col.max)}")
    if checks:
        if col.null_rate > 0:
            return f"{name} IS NULL OR {checks[0]}"
        return checks[0]
    if col.anomaly_rate > 0:
        return f"{name} IS NOT NULL"  # the anomaly of a column without bounds is a missing value
    return None


def _literal(col: ColumnSpec, value: object) -> str:
    if col.type == "datetime":
        return timestamp_literal(value)
    if col.type == "date":
        return date_literal(value)
    if col.type == "string":
        return sql_string(str(value))
    if col.type == "bool":
        return "TRUE" if value else "FALSE"
    return repr(value) if isinstance(value, float) else str(value)

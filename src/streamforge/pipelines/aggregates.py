"""The gold layer of the generated pipeline: per fact, totals per category (of a referenced
dimension when one has categories, else of the fact) and per hour."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamforge.pipelines.literals import quote
from streamforge.pipelines.sources import Source
from streamforge.spec.model import NUMERIC_TYPES, ColumnSpec

if TYPE_CHECKING:
    from streamforge.plan import Plan, TablePlan


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A gold materialized view: a fact joined to current dimensions, grouped."""

    name: str
    comment: str
    fact: Source
    joins: tuple[tuple[str, str, str], ...]  # (dimension table, alias, key)
    group_by: tuple[tuple[str, str], ...]  # (SQL expression, output name)
    measures: tuple[tuple[str, str], ...]  # (SQL aggregate expression, output name)


def aggregates_of(plan: Plan, fact: TablePlan, sources: dict[str, Source]) -> list[Aggregate]:
    """Per category and per hour: counts and the sums / averages of the fact's measures."""
    source = sources[fact.name]
    measures: list[tuple[str, str]] = [("COUNT(*)", "events")]
    for col in _measures(fact):
        measures.append((f"SUM(f.{quote(col.name)})", f"total_{col.name}"))
        measures.append((f"AVG(f.{quote(col.name)})", f"avg_{col.name}"))
    dims = {d.name for d in plan.dimensions}
    result = []
    category = _category(plan, fact, dims)
    if category is not None:
        expression, name, join = category
        result.append(
            Aggregate(
                f"gold_{fact.name}_by_{name}",
                f"{source.comment.rstrip('.')}: totals per {name.replace('_', ' ')}",
                source,
                join,
                ((expression, name),),
                tuple(measures),
            )
        )
    if source.event_time is not None:
        hour = (f"date_trunc('HOUR', f.{quote(source.event_time)})", "hour")
        result.append(
            Aggregate(
                f"gold_{fact.name}_hourly",
                f"{source.comment.rstrip('.')}: totals per hour",
                source,
                (),
                (hour,),
                tuple(measures),
            )
        )
    return result


def _measures(fact: TablePlan) -> list[ColumnSpec]:
    skip = {fact.primary_key, *fact.foreign_keys, *fact.sequential}
    return [
        c
        for c in fact.columns
        if c.type in NUMERIC_TYPES and c.name not in skip and c.choices is None
    ][:3]


def _category(
    plan: Plan, fact: TablePlan, dims: set[str]
) -> tuple[str, str, tuple[tuple[str, str, str], ...]] | None:
    """What to group by: a category of a referenced dimension (joined to its current rows), else
    one of the fact's own."""
    for column, fk in fact.foreign_keys.items():
        if fk.entity not in dims:
            continue
        for col in plan.table(fk.entity).columns:
            if col.type == "string" and col.choices and len(col.choices) > 1:
                join = ((fk.entity, "d", column),)
                name = (
                    col.name if col.name.startswith(f"{fk.entity}_") else f"{fk.entity}_{col.name}"
                )
                return f"d.{quote(col.name)}", name, join
    for col in fact.columns:
        if col.type == "string" and col.choices and len(col.choices) > 1:
            return f"f.{quote(col.name)}", col.name, ()
    return None

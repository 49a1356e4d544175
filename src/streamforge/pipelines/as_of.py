"""Gold views of facts beside their dimensions *as they stood at the fact's event time* (`--scd 2`).

The generator computes a lookup `<dimension>.<column>` from the dimension after every change-feed
row for that key stamped at or before the fact's event time (engine/versions.py). The pipelines
keep an SCD2 history whose versions are valid from their change timestamp (`__START_AT`) until the
next change of the key (`__END_AT`, NULL while current), so the same value is the history row with

    f.event >= h.__START_AT AND (h.__END_AT IS NULL OR f.event < h.__END_AT)

A change stamped exactly at the event time counts (`>=`), and the version it replaced no longer
does (`<`): intervals are half-open, so exactly one version matches, as in the generator.

One view per fact with an event time that looks up a dimension or references one with a change
feed: the fact's columns, then the dimension's columns at the event time. A dimension without a
change feed never changes: it is joined on its key alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamforge.expr.check import resolve_lookup
from streamforge.expr.parse import parse_expression
from streamforge.pipelines.literals import quote

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from streamforge.pipelines.model import Dimension
    from streamforge.pipelines.sources import Source
    from streamforge.plan import Plan, TablePlan

AS_OF = "gold_{}_as_of"


@dataclass(frozen=True, slots=True)
class AsOfJoin:
    """One dimension beside the fact: its history as of the event time, or its only row."""

    dimension: str
    table: str  # the dataset joined: `<dimension>_history`, or the dimension itself
    alias: str
    via: str  # the fact's foreign-key column
    key: str  # the dimension's key
    history: bool  # joined on the version valid at the event time (else on the key alone)
    columns: tuple[tuple[str, str], ...]  # (dimension column, output column)


@dataclass(frozen=True, slots=True)
class AsOf:
    name: str
    comment: str
    fact: Source
    event_time: str
    joins: tuple[AsOfJoin, ...]


def as_of_views(
    plan: Plan, sources: Mapping[str, Source], dimensions: tuple[Dimension, ...]
) -> tuple[AsOf, ...]:
    """The as-of view of each fact that has one (see the module docstring), in plan order."""
    dims = {d.name: d for d in dimensions}
    views = []
    for table in plan.tables:
        if table.kind != "fact" or table.event_time is None:
            continue
        joins = _joins(plan, table, dims)
        if joins:
            beside = " and ".join(dict.fromkeys(j.dimension for j in joins))
            comment = f"Each {table.name} row beside {beside} as it stood at {table.event_time}"
            view = AsOf(
                AS_OF.format(table.name), comment, sources[table.name], table.event_time, joins
            )
            views.append(view)
    return tuple(views)


def as_of_query(view: AsOf, ref: Callable[[str], str] = lambda name: name) -> str:
    """The SELECT of an as-of view: every silver fact row (LEFT JOINs), dimension columns after."""
    event = f"f.{quote(view.event_time)}"
    selected = [f"f.{quote(c.name)}" for c in view.fact.columns]
    joins = []
    for j in view.joins:
        selected += [f"{j.alias}.{quote(c)} AS {quote(out)}" for c, out in j.columns]
        on = f"f.{quote(j.via)} = {j.alias}.{quote(j.key)}"
        if j.history:
            on += (
                f" AND {event} >= {j.alias}.__START_AT"
                f" AND ({j.alias}.__END_AT IS NULL OR {event} < {j.alias}.__END_AT)"
            )
        joins.append(f" LEFT JOIN {ref(j.table)} {j.alias} ON {on}")
    return f"SELECT {', '.join(selected)} FROM {ref(view.fact.silver)} f{''.join(joins)}"


def _joins(plan: Plan, fact: TablePlan, dims: Mapping[str, Dimension]) -> tuple[AsOfJoin, ...]:
    """Through each foreign key: the columns the fact's expressions look up, else (a dimension
    with a change feed) all its attributes."""
    fks = {column: fk.entity for column, fk in fact.foreign_keys.items() if fk.entity in dims}
    looked_up: dict[str, dict[str, str]] = {}  # via -> dimension column -> qualifier
    specs = {d: plan.table(d).spec for d in dims}
    for col in fact.spec.columns:
        for ref in parse_expression(col.expr).lookups if col.expr else ():
            lookup = resolve_lookup(ref, fks, specs)
            looked_up.setdefault(lookup.via, {}).setdefault(lookup.column, lookup.qualifier)
    taken = {c.name for c in fact.columns}
    joins: list[AsOfJoin] = []
    for via, entity in fks.items():
        d = dims[entity]
        if via in looked_up:
            wanted = looked_up[via]
        elif d.feed is not None:
            wanted = dict.fromkeys(d.attributes, entity)
        else:
            continue
        columns = []
        for column, qualifier in wanted.items():
            out = column if column.startswith(f"{qualifier}_") else f"{qualifier}_{column}"
            if out in taken:  # the fact has a column of that name: keep both, apart
                out = f"{qualifier}__{column}"
            taken.add(out)
            columns.append((column, out))
        table = d.history if d.feed is not None else d.name
        alias = f"d{len(joins) + 1}"
        history = d.feed is not None
        joins.append(AsOfJoin(entity, table, alias, via, d.key, history, tuple(columns)))
    return tuple(joins)

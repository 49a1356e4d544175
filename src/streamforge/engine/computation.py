"""What a table computes beyond drawing values (DESIGN §3, coherent rows), planned once per table
spec: its expressions grouped into levels and stages, the dimension lookups they read, and its
checks with the column an anomaly changes."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamforge.plan import Plan, TablePlan
from streamforge.spec.model import CheckSpec, ColumnSpec

# sqlglot (~0.2 s of CPU to import) loads in the functions below, which run only for a table that
# computes something: a sector without expr or checks never loads it.
if TYPE_CHECKING:
    from streamforge.expr.rowrefs import Lookup


@dataclass(frozen=True, slots=True)
class CheckPlan:
    spec: CheckSpec
    target: ColumnSpec | None  # the written column an anomaly changes


Level = tuple[ColumnSpec, ...]  # computed columns that need only earlier levels' columns


Stage = tuple[Level, ...]  # levels computed by one query


@dataclass(frozen=True, slots=True)
class Computation:
    """What a table computes beyond drawing values: expression stages, lookups, checks."""

    stages: tuple[Stage, ...]
    lookups: tuple[Lookup, ...]
    checks: tuple[CheckPlan, ...]
    drawn: tuple[ColumnSpec, ...]  # columns drawn by generators (hidden ones included)
    running: tuple[ColumnSpec, ...] = ()  # running totals, given by the request (running.py)


def computation(table: TablePlan) -> Computation | None:
    """None for a table without expr, hidden columns or checks: the kernel's plain path."""
    spec = table.spec
    if table.feed is not None:
        return None
    if not spec.checks and not any(
        c.expr is not None or c.hidden or c.running is not None for c in spec.columns
    ):
        return None
    fks = tuple((c, fk.entity) for c, fk in table.foreign_keys.items())
    return _computation(spec, fks, table.primary_key)


@functools.lru_cache(maxsize=256)
def _computation(spec, fks: tuple[tuple[str, str], ...], key: str | None) -> Computation:  # type: ignore[no-untyped-def]
    from streamforge.expr import rowrefs
    from streamforge.expr.order import levels

    computed = {c.name: c for c in spec.columns if c.expr is not None}
    order = levels({name: rowrefs.columns(c.expr) for name, c in computed.items()})
    lookups: dict[str, Lookup] = {}
    for c in computed.values():
        for qualifier, column in rowrefs.lookups(c.expr):
            lookups.setdefault(
                f"{qualifier}.{column}", runtime_lookup(qualifier, column, dict(fks))
            )
    keys = frozenset([c for c, _ in fks] + ([key] if key else []))
    checks = tuple(
        CheckPlan(
            check,
            rowrefs.break_target(spec, check, keys) if check.anomaly_rate > 0 else None,
        )
        for check in spec.checks
    )
    return Computation(
        stages(tuple(tuple(computed[n] for n in level) for level in order)),
        tuple(lookups.values()),
        checks,
        tuple(c for c in spec.columns if c.expr is None and c.running is None),
        tuple(c for c in spec.columns if c.running is not None),
    )


def runtime_lookup(qualifier: str | None, column: str, fks: Mapping[str, str]) -> Lookup:
    """The lookup of an expression that `validate` accepted: through the foreign key named
    `qualifier`, else the one foreign key into the dimension named `qualifier`."""
    from streamforge.expr.rowrefs import Lookup

    assert qualifier is not None
    via = qualifier if qualifier in fks else next(c for c, e in fks.items() if e == qualifier)
    return Lookup(qualifier, column, via, fks[via])


def lookup_columns(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Dimension -> the columns some expression looks up: the only ones kept as versions."""
    wanted: dict[str, dict[str, None]] = {}
    for table in plan.tables:
        comp = computation(table)
        for lookup in comp.lookups if comp is not None else ():
            wanted.setdefault(lookup.entity, {})[lookup.column] = None
    return {entity: tuple(columns) for entity, columns in wanted.items()}


def stages(levels: tuple[Level, ...]) -> tuple[Stage, ...]:
    """Levels grouped into stages, each computed by one query. A level with a column that has
    null_rate or anomaly_rate ends its stage: later levels must read that column as written
    (after its faults), which happen in between, outside the query."""
    result: list[Stage] = []
    current: list[Level] = []
    for level in levels:
        current.append(level)
        if any(c.null_rate > 0 or c.anomaly_rate > 0 for c in level):
            result.append(tuple(current))
            current = []
    if current:
        result.append(tuple(current))
    return tuple(result)

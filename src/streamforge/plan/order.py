"""Dependency order of a sector's tables: parents before children; a cycle between tables is an
error."""

from __future__ import annotations

from streamforge.errors import Issue
from streamforge.plan.issues import table_issue
from streamforge.plan.model import Entity, TablePlan
from streamforge.spec.model import SectorSpec


def dependency_order(
    sector: SectorSpec,
    plans: dict[str, TablePlan],
    entities: dict[str, Entity],
    issues: list[Issue],
) -> list[str]:
    """Topological order (dimensions, then feeds, then facts); reports cycles between tables."""
    deps: dict[str, set[str]] = {}
    for name, plan in plans.items():
        parents = {
            entities[fk.entity].source for fk in plan.foreign_keys.values() if fk.entity in entities
        }
        if plan.feed is not None and not plan.feed.owns_entity:
            parents.add(plan.feed.entity)
        parents.discard(name)  # a self-reference is allowed
        deps[name] = parents
    rank = {"dimension": 0, "change_feed": 1, "fact": 2}
    order: list[str] = []
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(name: str, stack: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = [*stack[stack.index(name) :], name]
            if frozenset(cycle) not in reported:
                reported.add(frozenset(cycle))
                table = sector.table(name)
                assert table is not None  # `name` comes from the sector's own tables
                # Point at the column that makes the first reference of the cycle.
                line = next(
                    (
                        column.line
                        for fk in plans[name].foreign_keys.values()
                        if fk.entity in entities
                        and entities[fk.entity].source == cycle[1]
                        and (column := table.column(fk.column)) is not None
                    ),
                    table.line,
                )
                issues.append(
                    table_issue(
                        table,
                        line,
                        "cycle between tables: " + " -> ".join(cycle),
                        "remove one of these references",
                    )
                )
            return
        state[name] = 1
        for parent in sorted(deps[name], key=lambda n: (rank[plans[n].kind], n)):
            visit(parent, [*stack, name])
        state[name] = 2
        order.append(name)

    for name in sorted(plans, key=lambda n: (rank[plans[n].kind], n)):
        visit(name, [])
    return order

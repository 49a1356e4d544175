"""Resolve keys, foreign keys and change-feed roles of a sector into its Plan (DESIGN §4). Primary
keys are plan/keys.py's, an explicit `references:` plan/references.py's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from streamforge.errors import Issue
from streamforge.plan.ages import check_ages
from streamforge.plan.checks import Capacity, check_unique_capacity
from streamforge.plan.feeds import FeedRoles, resolve_feed
from streamforge.plan.issues import table_issue
from streamforge.plan.keys import check_key_type, default_primary_key, dimension_keys, key_owners
from streamforge.plan.model import Entity, ForeignKey, Plan, TablePlan
from streamforge.plan.order import dependency_order
from streamforge.plan.references import explicit_reference
from streamforge.plan.running import check_running
from streamforge.spec.model import SectorSpec, TableSpec

__all__ = ["default_primary_key", "plan_sector"]  # plan/__init__.py loads both from here


def plan_sector(
    sector: SectorSpec, capacity: Capacity | None = None
) -> tuple[Plan | None, list[Issue]]:
    """Build the plan; return (None, issues) when any error makes it unusable.

    `capacity`: how many distinct values a `unique` column can take (the value generators'
    answer, `streamforge.engine.unique.unique_capacity`); None skips the capacity checks.
    """
    issues: list[Issue] = []
    dims = {t.name: t for t in sector.tables if t.kind == "dimension"}
    keys = dimension_keys(dims)
    dim_keys = key_owners(keys, dims, issues)
    entities: dict[str, Entity] = {}
    for dim in dims.values():
        key = keys[dim.name]
        if key is None:
            issues.append(
                table_issue(
                    dim,
                    dim.line,
                    f"dimension '{dim.name}' has no key column",
                    f"add a column '{dim.name}_id: int' or set primary_key:",
                )
            )
            continue
        check_key_type(dim, key, issues)
        attrs = tuple(c for c in dim.columns if c.name != key and not c.hidden)
        entities[dim.name] = Entity(dim.name, key, dim.name, attrs, None)
    feeds: dict[str, FeedRoles] = {}
    for feed in (t for t in sector.tables if t.kind == "change_feed"):
        roles = resolve_feed(feed, dims, dim_keys, issues)
        if roles is None:
            continue
        feeds[feed.name] = roles
        if roles.owns_entity:
            if roles.entity in entities:
                issues.append(
                    table_issue(
                        feed,
                        feed.line,
                        f"entity '{roles.entity}' of change feed '{feed.name}' is already defined",
                        "set tracks: to it",
                    )
                )
                continue
            entities[roles.entity] = Entity(
                roles.entity, roles.entity_key, feed.name, roles.attributes, feed.name
            )
        else:
            other = entities[roles.entity].tracked_by
            if other is not None:
                issues.append(
                    table_issue(
                        feed,
                        feed.line,
                        f"dimension '{roles.entity}' is already tracked by '{other}'",
                        "one change feed per dimension",
                    )
                )
                continue
            ent = entities[roles.entity]
            entities[roles.entity] = Entity(
                ent.name, ent.key, ent.source, ent.attributes, feed.name
            )
    key_owner = {e.key: e.name for e in entities.values()}
    key_owner.update({k: v for k, v in dim_keys.items() if k})  # ambiguity resolved above
    plans: dict[str, TablePlan] = {}
    for table in sector.tables:
        plans[table.name] = _plan_table(table, sector, entities, key_owner, feeds, issues)
    order = dependency_order(sector, plans, entities, issues)
    issues += _check_expressions(plans, dims, entities)
    issues += check_running(plans, dims)
    issues += check_ages(sector.tables)
    if capacity is not None:
        check_unique_capacity(plans, entities, issues, capacity)
    if any(i.severity == "error" for i in issues):
        return None, issues
    ordered = tuple(plans[name] for name in order)
    return Plan(sector, ordered, MappingProxyType(entities)), issues


def _check_expressions(
    plans: dict[str, TablePlan], dims: dict[str, TableSpec], entities: Mapping[str, Entity]
) -> list[Issue]:
    """Problems of computed columns, lookups and checks (expr/check.py)."""
    coherent = [t for t in plans.values() if t.spec.checks or t.spec.columns != t.spec.written]
    coherent += [t for t in plans.values() if any(c.expr for c in t.spec.columns)]
    if not coherent:
        return []
    from streamforge.expr.check import check_table  # binds with DuckDB: only when needed

    issues: list[Issue] = []
    for table in {t.name: t for t in coherent}.values():
        fks = {c: fk.entity for c, fk in table.foreign_keys.items()}
        keys = frozenset([*fks, *([table.primary_key] if table.primary_key else [])])
        entity = entities.get(table.name)
        tracked = table.kind == "dimension" and entity is not None and bool(entity.tracked_by)
        issues += check_table(table.spec, keys, fks, dims, tracked)
    return issues


def _plan_table(
    table: TableSpec,
    sector: SectorSpec,
    entities: dict[str, Entity],
    key_owner: dict[str, str],
    feeds: dict[str, FeedRoles],
    issues: list[Issue],
) -> TablePlan:
    feed = feeds.get(table.name)
    pk: str | None
    own_entity: str | None
    if feed is not None:
        pk = feed.row_key
        own_entity = feed.entity
        tracked = sector.table(feed.entity)
        if table.locale is None and tracked is not None and tracked.locale is not None:
            # The after-image holds the dimension's people and places: in its locale.
            table = replace(table, locale=tracked.locale)
    else:
        if table.kind == "dimension":
            pk = entities[table.name].key if table.name in entities else None
        else:
            pk = default_primary_key(table, frozenset(key_owner))
        own_entity = table.name if table.kind == "dimension" else None
        if pk is not None and table.kind == "fact":
            check_key_type(table, pk, issues)
    fks: dict[str, ForeignKey] = {}
    sequential: list[str] = []
    columns = feed.columns if feed is not None else table.columns
    for col in columns:
        if col.name == pk or (feed is not None and col.name in feed.role_columns):
            continue
        if col.references:
            fk = explicit_reference(table, col, sector, entities, issues)
            if fk is not None:
                fks[col.name] = fk
        elif col.name in key_owner and key_owner[col.name] != own_entity:
            fks[col.name] = ForeignKey(col.name, key_owner[col.name], col.name)
        elif col.name.endswith("_id") and col.type in ("int", "long") and not col.values:
            if feed is not None and any(a.name == col.name for a in feed.attributes):
                pass  # an attribute of a tracked dimension keeps its own rule
            else:
                sequential.append(col.name)
                issues.append(
                    table_issue(
                        table,
                        col.line,
                        f"column '{col.name}' looks like a foreign "
                        "key but matches no dimension key; it gets sequential values",
                        "add `references: <table>.<column>` or rename it",
                        severity="warning",
                    )
                )
    for name in fks:
        col = next(c for c in columns if c.name == name)
        if col.anomaly_rate > 0 and col.null_rate > 0:
            issues.append(
                table_issue(
                    table,
                    col.line,
                    f"foreign key '{name}' has both null_rate and anomaly_rate; an anomalous "
                    "foreign key is a null, so the two cannot be told apart",
                    "keep one of them",
                )
            )
        if col.type not in ("int", "long"):
            issues.append(
                table_issue(
                    table,
                    col.line,
                    f"foreign key '{name}' must be int or long (keys are integers), not {col.type}",
                )
            )
    written = tuple(c for c in columns if not c.hidden)  # hidden: generated, never written
    return TablePlan(table, pk, MappingProxyType(fks), tuple(sequential), written, feed)

"""Resolve keys, foreign keys and change-feed roles of a sector into its Plan (DESIGN §4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from streamforge.errors import Issue, did_you_mean
from streamforge.plan.ages import check_ages
from streamforge.plan.checks import Capacity, check_unique_capacity
from streamforge.plan.feeds import FeedRoles, resolve_feed
from streamforge.plan.issues import table_issue
from streamforge.plan.model import Entity, ForeignKey, Plan, TablePlan
from streamforge.plan.order import dependency_order
from streamforge.plan.running import check_running
from streamforge.spec.model import ColumnSpec, SectorSpec, TableSpec


def default_primary_key(table: TableSpec, others: frozenset[str] = frozenset()) -> str | None:
    """DESIGN §4: `primary_key:`, else `<table>_id`, else the first `*_id` column that is not
    the key of another table (`others`), so a foreign key listed first never becomes the key."""
    if table.primary_key:
        return table.primary_key
    names = table.column_names
    if f"{table.name}_id" in names:
        return f"{table.name}_id"
    return next((n for n in names if n.endswith("_id") and n not in others), None)


def _dimension_keys(dims: dict[str, TableSpec]) -> dict[str, str | None]:
    """Each dimension's key: explicit and `<table>_id` keys first, then the rest around them."""
    firm = {
        name: (t.primary_key or (f"{name}_id" if f"{name}_id" in t.column_names else None))
        for name, t in dims.items()
    }
    taken = frozenset(k for k in firm.values() if k)
    return {name: firm[name] or default_primary_key(t, taken) for name, t in dims.items()}


def _key_owners(
    keys: dict[str, str | None], dims: dict[str, TableSpec], issues: list[Issue]
) -> dict[str | None, str]:
    """Key column name -> dimension. A name that two dimensions use as key belongs to the one
    named after it (`customer_id` -> customer); otherwise it is ambiguous and reported."""
    owners: dict[str | None, list[str]] = {}
    for name, key in keys.items():
        owners.setdefault(key, []).append(name)
    result: dict[str | None, str] = {}
    for key, names in owners.items():
        if len(names) == 1:
            result[key] = names[0]
            continue
        named = [n for n in names if f"{n}_id" == key]
        if len(named) == 1:
            result[key] = named[0]
            continue
        table = dims[sorted(names)[1]]
        issues.append(
            table_issue(
                table,
                table.line,
                f"key '{key}' is the key of several dimensions: {', '.join(sorted(names))}",
                "give each dimension its own key name (primary_key:), or use references:",
            )
        )
    return result


def plan_sector(
    sector: SectorSpec, capacity: Capacity | None = None
) -> tuple[Plan | None, list[Issue]]:
    """Build the plan; return (None, issues) when any error makes it unusable.

    `capacity`: how many distinct values a `unique` column can take (the value generators'
    answer, `streamforge.engine.unique.unique_capacity`); None skips the capacity checks.
    """
    issues: list[Issue] = []
    dims = {t.name: t for t in sector.tables if t.kind == "dimension"}
    keys = _dimension_keys(dims)
    dim_keys = _key_owners(keys, dims, issues)
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
        _check_key_type(dim, key, issues)
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
            _check_key_type(table, pk, issues)
    fks: dict[str, ForeignKey] = {}
    sequential: list[str] = []
    columns = feed.columns if feed is not None else table.columns
    for col in columns:
        if col.name == pk or (feed is not None and col.name in feed.role_columns):
            continue
        if col.references:
            fk = _explicit_reference(table, col, sector, entities, issues)
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


def _explicit_reference(
    table: TableSpec,
    col: ColumnSpec,
    sector: SectorSpec,
    entities: dict[str, Entity],
    issues: list[Issue],
) -> ForeignKey | None:
    target_table, _, target_col = (col.references or "").partition(".")
    entity = entities.get(target_table)
    if entity is None:
        other = sector.table(target_table)
        if other is not None and other.kind == "fact":
            issues.append(
                table_issue(
                    table,
                    col.line,
                    f"column '{col.name}' references fact "
                    f"'{target_table}'; only dimensions can be referenced",
                    "point it at a dimension",
                )
            )
        elif other is not None and other.kind == "change_feed":
            # its rows are changes; the keys they change belong to the entity it tracks
            changed = next((e for e in entities.values() if e.tracked_by == other.name), None)
            issues.append(
                table_issue(
                    table,
                    col.line,
                    f"column '{col.name}' references change feed '{target_table}'; "
                    "only dimensions (and entities a feed owns) can be referenced",
                    f"reference the entity it changes: {changed.name}.{changed.key}"
                    if changed is not None
                    else "point it at a dimension",
                )
            )
        else:
            names = [*entities, *(t.name for t in sector.tables)]
            issues.append(
                table_issue(
                    table,
                    col.line,
                    f"column '{col.name}' references missing table '{target_table}'",
                    did_you_mean(target_table, names),
                )
            )
        return None
    if target_col != entity.key:
        known = [entity.key, *(a.name for a in entity.attributes)]
        if target_col in known:
            hint = f"reference the key: {target_table}.{entity.key}"
            problem = f"which is not the key of '{target_table}'"
        else:
            hint = did_you_mean(target_col, known) or f"the key of '{target_table}' is {entity.key}"
            problem = f"but '{target_table}' has no column '{target_col}'"
        issues.append(
            table_issue(
                table,
                col.line,
                f"column '{col.name}' references '{col.references}', {problem}",
                hint,
            )
        )
        return None
    return ForeignKey(col.name, entity.name, target_col)


def _check_key_type(table: TableSpec, key: str, issues: list[Issue]) -> None:
    col = table.column(key)
    if col is not None and col.type not in ("int", "long"):
        issues.append(
            table_issue(
                table,
                col.line,
                f"key '{key}' of '{table.name}' must be int or "
                f"long (keys are 1..n and never reused), not {col.type}",
                f"write `{key}: int`",
            )
        )

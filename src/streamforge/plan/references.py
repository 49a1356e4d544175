"""A column's `references: <table>.<column>` resolved to a foreign key (DESIGN §4), or the issue
that says why it cannot be one: a fact, a change feed, a missing table, or a column that is not
the key."""

from __future__ import annotations

from streamforge.errors import Issue, did_you_mean
from streamforge.plan.issues import table_issue
from streamforge.plan.model import Entity, ForeignKey
from streamforge.spec.model import ColumnSpec, SectorSpec, TableSpec


def explicit_reference(
    table: TableSpec,
    col: ColumnSpec,
    sector: SectorSpec,
    entities: dict[str, Entity],
    issues: list[Issue],
) -> ForeignKey | None:
    """The foreign key `col.references` names; None, with an issue added, when it names no
    entity's key."""
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

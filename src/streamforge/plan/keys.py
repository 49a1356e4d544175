"""Primary keys of a sector's tables (DESIGN §4): which column is each table's key, which
dimension owns a key name, and that a key is an integer."""

from __future__ import annotations

from streamforge.errors import Issue
from streamforge.plan.issues import table_issue
from streamforge.spec.model import TableSpec


def default_primary_key(table: TableSpec, others: frozenset[str] = frozenset()) -> str | None:
    """DESIGN §4: `primary_key:`, else `<table>_id`, else the first `*_id` column that is not
    the key of another table (`others`), so a foreign key listed first never becomes the key."""
    if table.primary_key:
        return table.primary_key
    names = table.column_names
    if f"{table.name}_id" in names:
        return f"{table.name}_id"
    return next((n for n in names if n.endswith("_id") and n not in others), None)


def dimension_keys(dims: dict[str, TableSpec]) -> dict[str, str | None]:
    """Each dimension's key: explicit and `<table>_id` keys first, then the rest around them."""
    firm = {
        name: (t.primary_key or (f"{name}_id" if f"{name}_id" in t.column_names else None))
        for name, t in dims.items()
    }
    taken = frozenset(k for k in firm.values() if k)
    return {name: firm[name] or default_primary_key(t, taken) for name, t in dims.items()}


def key_owners(
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


def check_key_type(table: TableSpec, key: str, issues: list[Issue]) -> None:
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

"""Work out what each column of a change feed means (DESIGN §5): entity, key, type, order, image."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from streamforge.errors import Issue, did_you_mean, display_path
from streamforge.spec.model import ColumnSpec, Operation, TableSpec
from streamforge.spec.sequence import is_sequence

if TYPE_CHECKING:
    from streamforge.plan.model import TablePlan

OPERATIONS: tuple[str, ...] = get_args(Operation)
FEED_SUFFIXES = ("_changes", "_cdc", "_updates", "_change_feed")
TYPE_NAMES = ("change_type", "operation", "op", "cdc_operation", "change_operation")
TIME_NAMES = ("change_timestamp", "changed_at", "change_time", "updated_at", "timestamp")


@dataclass(frozen=True, slots=True)
class FeedRoles:
    entity: str
    entity_key: str
    owns_entity: bool
    row_key: str | None
    type_column: str
    timestamp_column: str
    sequence_columns: tuple[str, ...]
    changed_fields_column: str | None
    attributes: tuple[ColumnSpec, ...]  # after-image columns of the entity
    extras: tuple[ColumnSpec, ...]  # other per-row columns (metadata the feed lists)
    columns: tuple[ColumnSpec, ...]  # every output column in file order
    operations: tuple[tuple[str, float], ...]
    # The tracked dimension, whose `checks:` every after-image meets (None: the feed owns it)
    dimension: TableSpec | None = None

    @property
    def role_columns(self) -> frozenset[str]:
        names = {self.entity_key, self.type_column, self.timestamp_column, *self.sequence_columns}
        if self.row_key:
            names.add(self.row_key)
        if self.changed_fields_column:
            names.add(self.changed_fields_column)
        return frozenset(names)


def cdc_sequence(roles: FeedRoles) -> str:
    """The column the pipelines' `SEQUENCE BY` uses: a sequence column, else the timestamp."""
    return roles.sequence_columns[0] if roles.sequence_columns else roles.timestamp_column


def delete_judged(table: TablePlan) -> frozenset[str]:
    """Columns whose rules a DELETE row must pass: its keys, change type and ordering."""
    roles = table.feed
    if roles is None:
        return frozenset()
    names = {roles.entity_key, roles.type_column, roles.timestamp_column, *roles.sequence_columns}
    if table.primary_key:
        names.add(table.primary_key)
    return frozenset(names)


def resolve_feed(
    feed: TableSpec,
    dims: dict[str, TableSpec],
    dim_keys: dict[str | None, str],
    issues: list[Issue],
) -> FeedRoles | None:
    where = display_path(feed.file)
    names = feed.column_names
    row_key = feed.primary_key or next(
        (n for n in ("change_id", f"{feed.name}_id") if n in names), None
    )
    tracked = _tracked_dimension(feed, dims, dim_keys, row_key, issues)
    if tracked is False:
        return None
    if tracked is not None:
        dim = dims[tracked]
        entity, entity_key = tracked, _key_of(dim, dim_keys)
        if entity_key is None:
            issues.append(
                Issue(
                    where,
                    feed.line,
                    f"change feed '{feed.name}' tracks '{entity}', which has no key column",
                    f"give '{entity}' a key such as '{entity}_id: int'",
                )
            )
            return None
        if entity_key not in names:
            issues.append(
                Issue(
                    where,
                    feed.line,
                    f"change feed '{feed.name}' tracks '{entity}' but has no column '{entity_key}'",
                    f"add `{entity_key}: int`",
                )
            )
            return None
    else:
        entity = _strip_suffix(feed.name)
        entity_key = f"{entity}_id"
        if entity_key not in names or entity_key == row_key:
            issues.append(
                Issue(
                    where,
                    feed.line,
                    f"cannot tell which entity change feed '{feed.name}' changes",
                    "add `tracks: <dimension>`",
                )
            )
            return None
    if row_key == entity_key:
        row_key = None
    added: list[ColumnSpec] = []
    type_column = _type_column(feed)
    if type_column is None:
        type_column = "change_type"
        added.append(ColumnSpec("change_type", "string", format="|".join(OPERATIONS)))
    # A datetime the tracked dimension has is one of its attributes (an after-image value), not
    # the feed's change timestamp, unless its name says it is.
    dimension_columns = set(dims[tracked].column_names) if tracked is not None else set()
    ts_column = _timestamp_column(feed, dimension_columns)
    if ts_column is None:
        ts_column = "change_timestamp"
        added.append(ColumnSpec("change_timestamp", "datetime"))
    sequences = tuple(c.name for c in feed.columns if is_sequence(c))
    changed = feed.column("changed_fields")
    if changed is not None and (
        changed.type != "array" or changed.items is None or changed.items.type != "string"
    ):
        issues.append(
            Issue(
                where,
                changed.line,
                "changed_fields must be an array of strings",
                "write `changed_fields: {type: array, items: string}`",
            )
        )
        return None
    roles = {entity_key, type_column, ts_column, *sequences, "changed_fields"}
    if row_key:
        roles.add(row_key)
    if tracked is not None:
        attributes = tuple(c for c in dims[tracked].written if c.name not in roles)
        by_name = {a.name: a for a in attributes}
        if not _same_types_as_dimension(feed, dims[tracked], by_name, issues):
            return None
        listed = tuple(by_name.get(c.name, c) for c in feed.columns)
        extras = tuple(c for c in feed.columns if c.name not in roles and c.name not in by_name)
        tail = tuple(a for a in attributes if a.name not in names)
        columns = (*listed, *added, *tail)
    else:
        attributes = tuple(c for c in feed.columns if c.name not in roles)
        extras = ()
        columns = (*feed.columns, *added)
        if not attributes:
            issues.append(
                Issue(
                    where,
                    feed.line,
                    f"change feed '{feed.name}' owns entity "
                    f"'{entity}' but lists no attribute columns, so its UPDATEs "
                    "change nothing",
                    f"add a `{entity}` dimension file or attribute columns",
                    "warning",
                )
            )
    ops = _operations(feed, type_column)
    return FeedRoles(
        entity,
        entity_key,
        tracked is None,
        row_key,
        type_column,
        ts_column,
        sequences,
        "changed_fields" if changed is not None else None,
        attributes,
        extras,
        columns,
        ops,
        dims[tracked] if tracked is not None else None,
    )


def _same_types_as_dimension(
    feed: TableSpec, dim: TableSpec, by_name: dict[str, ColumnSpec], issues: list[Issue]
) -> bool:
    """A feed column that is also a dimension column must have its type: the feed carries the
    dimension's after-image, so two types for one attribute cannot both be written."""
    ok = True
    for col in feed.columns:
        attr = by_name.get(col.name)
        if attr is not None and _type_text(attr) != _type_text(col):
            issues.append(
                Issue(
                    display_path(feed.file),
                    col.line,
                    f"column '{col.name}' is {_type_text(col)} here but {_type_text(attr)} in "
                    f"dimension '{dim.name}' ({display_path(dim.file)}:{attr.line})",
                    f"a change feed carries the dimension's columns: make it {_type_text(attr)}, "
                    "or leave it out here (the feed adds it)",
                )
            )
            ok = False
    return ok


def _type_text(col: ColumnSpec) -> str:
    """`int`, `decimal(10,2)`, `array<string>`, `map<string,int>`: a column's full type."""
    if col.type == "decimal":
        return f"decimal({col.precision},{col.scale})"
    if col.type == "array" and col.items is not None:
        return f"array<{_type_text(col.items)}>"
    if col.type == "map" and col.map_keys is not None and col.map_values is not None:
        return f"map<{_type_text(col.map_keys)},{_type_text(col.map_values)}>"
    return col.type


def _tracked_dimension(
    feed: TableSpec,
    dims: dict[str, TableSpec],
    dim_keys: dict[str | None, str],
    row_key: str | None,
    issues: list[Issue],
) -> str | Literal[False] | None:
    """The dimension name, None when the feed owns its entity, False on error."""
    if feed.tracks:
        if feed.tracks not in dims:
            issues.append(
                Issue(
                    display_path(feed.file),
                    feed.line,
                    f"change feed '{feed.name}' tracks '{feed.tracks}', which is not "
                    "a dimension of this sector",
                    did_you_mean(feed.tracks, dims) or "add its dimension file",
                )
            )
            return False
        return feed.tracks
    for col in feed.columns:
        if col.name != row_key and col.name in dim_keys:
            return dim_keys[col.name]
    return None


def _key_of(dim: TableSpec, dim_keys: dict[str | None, str]) -> str | None:
    return next((k for k, v in dim_keys.items() if v == dim.name and k is not None), None)


def _strip_suffix(name: str) -> str:
    for suffix in FEED_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _type_column(feed: TableSpec) -> str | None:
    for col in feed.columns:
        choices = col.choices
        if col.type == "string" and choices and set(map(str, choices)) <= set(OPERATIONS):
            return col.name
    return next((c.name for c in feed.columns if c.name in TYPE_NAMES and c.type == "string"), None)


def _timestamp_column(feed: TableSpec, attributes: set[str]) -> str | None:
    stamps = [c.name for c in feed.columns if c.type == "datetime"]
    unnamed = [n for n in stamps if n not in attributes]
    return next((n for n in TIME_NAMES if n in stamps), unnamed[0] if unnamed else None)


def _operations(feed: TableSpec, type_column: str) -> tuple[tuple[str, float], ...]:
    col = feed.column(type_column)
    allowed = set(map(str, col.choices)) if col is not None and col.choices else set(OPERATIONS)
    weights: dict[str, float]
    if feed.operations_given:
        weights = dict(feed.operations)
    elif col is not None and col.values is not None and col.weights is not None:
        weights = dict(zip(map(str, col.values), col.weights, strict=True))
    else:
        weights = dict(feed.operations)
    return tuple((op, float(weights.get(op, 0.0))) for op in OPERATIONS if op in allowed)

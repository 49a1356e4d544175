"""Limits a column must respect beyond its own keys: nesting, map keys, numbers its type holds."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from streamforge.plural import counted
from streamforge.spec import limits
from streamforge.spec.model import INTEGER_TYPES, ColumnSpec
from streamforge.spec.number_limits import bound_hint, bound_problem, to_units, unit_scale

if TYPE_CHECKING:
    from streamforge.spec.yaml_models import ColumnModel

Path_ = tuple[str | int, ...]
# How many distinct values the engine draws for a string column without `values` or `format`
# (its Faker provider's pool, else the word pool). The engine knows; the caller passes its
# answer in (sectors.py), so the spec never imports the engine.
# (map keys, the table's Faker locale or None for en_US) -> distinct values they are drawn from
KeyPool = Callable[[ColumnSpec, str | None], int]


class ColumnProblem(ValueError):
    """A problem at a path inside a column definition."""

    def __init__(self, path: Path_, message: str, hint: str | None = None):
        super().__init__(message)
        self.path, self.message, self.hint = path, message, hint
        # the column's other problems found at the same time (every bad key, not the first)
        self.others: list[ColumnProblem] = []


def nesting(col: ColumnSpec) -> tuple[int, int]:
    """(levels of array/map nesting, most elements one row's value can hold)."""
    inner = col.items if col.type == "array" else col.map_values if col.type == "map" else None
    if inner is None:
        return 0, 1
    depth, elements = nesting(inner)
    return depth + 1, col.max_items * elements


def check_collection(
    name: str,
    m: ColumnModel,
    items: ColumnSpec | None,
    map_keys: ColumnSpec | None,
    map_values: ColumnSpec | None,
    path: Path_,
) -> None:
    inner = items if items is not None else map_values
    assert inner is not None
    depth, elements = nesting(inner)
    if depth + 1 > limits.MAX_DEPTH:
        raise ColumnProblem(
            path,
            f"column '{name}' nests arrays/maps {depth + 1} deep; the limit is {limits.MAX_DEPTH}",
        )
    if m.max_items * elements > limits.MAX_ELEMENTS:
        raise ColumnProblem(
            (*path, "max_items"),
            f"column '{name}' can hold up to {m.max_items * elements:,} elements per row "
            f"(max_items multiplied over its nesting); the limit is {limits.MAX_ELEMENTS:,}",
            "lower max_items here or in the nested items/values",
        )
    keys = _distinct_keys(map_keys) if map_keys is not None else None
    if keys is not None and keys < m.min_items:
        raise _too_few_keys(name, keys, m.min_items, path)
    # elements from a set (values, a pipe format, a code pattern) never repeat in one list
    from_set = items is not None and (items.choices is not None or items.format is not None)
    distinct = _distinct_keys(items) if from_set and items is not None else None
    if distinct is not None and distinct < m.min_items:
        raise ColumnProblem(
            (*path, "min_items"),
            f"array column '{name}' has only {counted(distinct, 'possible distinct value')}, "
            f"fewer than min_items ({m.min_items}); one list never repeats a value",
            f"lower min_items to {distinct} or allow more values",
        )


def check_map_key_pools(
    col: ColumnSpec, path: Path_, pool: KeyPool, locale: str | None = None
) -> None:
    """Each map in `col` (nested ones too) whose string keys come from a pool must have room for
    `min_items` distinct keys: the pool's size is the engine's answer (`pool`) in the table's
    `locale` (de_DE has 507 lorem words, en_US 971).

    Raises:
        ColumnProblem: at the map's `min_items`.
    """
    keys = col.map_keys
    if col.type == "map" and keys is not None and col.min_items > 1 and _from_pool(keys):
        room = pool(keys, locale)
        if room < col.min_items:
            raise _too_few_keys(col.name, room, col.min_items, path)
    if col.items is not None:
        check_map_key_pools(col.items, (*path, "items"), pool, locale)
    if col.map_values is not None:
        check_map_key_pools(col.map_values, (*path, "values"), pool, locale)


def _from_pool(keys: ColumnSpec) -> bool:
    """String keys the engine draws from a finite pool (Faker's values, or plain words)."""
    return keys.type == "string" and keys.choices is None and keys.format is None


def _too_few_keys(name: str, keys: int, min_items: int, path: Path_) -> ColumnProblem:
    return ColumnProblem(
        (*path, "min_items"),
        f"map column '{name}' has only {counted(keys, 'possible distinct key')}, fewer than "
        f"min_items ({min_items}); the keys of one map are distinct",
        f"lower min_items to {keys} or allow more keys",
    )


def _distinct_keys(keys: ColumnSpec) -> int | None:
    """How many distinct map keys the key spec allows, as the engine's key domain holds them
    (engine/generators/nested.py); None when the spec cannot tell (keys drawn from a pool,
    which `check_map_key_pools` counts with the engine's answer) or there is no end."""
    if keys.choices is not None:
        # Counted as the key type holds them: 1 and 1.0 are one int key.
        integer = keys.type in INTEGER_TYPES
        return len({int(Decimal(str(c))) if integer else str(c) for c in keys.choices})
    if keys.type == "bool":
        return 2
    if keys.type in INTEGER_TYPES and keys.min is not None and keys.max is not None:
        return to_units(keys.max, 0, False) - to_units(keys.min, 0, True) + 1  # type: ignore[arg-type]
    if keys.type == "string" and keys.format is not None:
        return 10 ** keys.format.count("#") * 26 ** keys.format.count("?")
    return None


def check_numbers(
    values: list, kind: str, precision: int | None, scale: int | None, path: Path_
) -> None:
    """Each numeric category must fit the type exactly (no digits beyond a decimal's scale)."""
    places = unit_scale(kind, scale)
    for value in values:
        problem = bound_problem(kind, precision, scale, "value", value)
        # `and` short-circuits: the places of a value that is not a number are never computed.
        if (
            problem is None
            and kind == "decimal"
            and to_units(value, places, True) != to_units(value, places, False)
        ):
            problem = f"value {value} has more than {places} decimal places"
        if problem is not None:
            raise ColumnProblem(path, f"values: {problem}", bound_hint(kind))

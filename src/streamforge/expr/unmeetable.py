"""`validate`'s cheap look at a check the rows cannot meet: a comparison of a drawn column with a
constant that no value the column may take satisfies (`level > 10` with `level` in 1..5, or
`status = 'gone'` with status from [open, closed]). A conjunction (`a AND b`) fails when one of
its parts does. Anything else is left to the engine, which refuses to write rows that fail a
check unasked (engine/unmet_checks.py)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from streamforge.expr.kept import recall
from streamforge.spec.model import NUMERIC_TYPES, ColumnSpec, TableSpec

if TYPE_CHECKING:
    from sqlglot import exp

Compare = Callable[[Any, Any], bool]
_OPS: dict[str, Compare] = {
    "GT": operator.gt,
    "GTE": operator.ge,
    "LT": operator.lt,
    "LTE": operator.le,
    "EQ": operator.eq,
    "NEQ": operator.ne,
}
_FLIP = {"GT": "LT", "LT": "GT", "GTE": "LTE", "LTE": "GTE"}  # `10 < x` is `x > 10`
# One `<column> <op> <literal>` part of a rule's conjunction, as plain data (kept across
# processes by expr/kept.py, so a cold `validate` loads no sqlglot for a rule it has seen):
# (operator as _OPS names it, column, the literal's text, whether it is a string, the part's SQL)
Comparison = tuple[str, str, str, bool, str]


def never_holds(rule: str, table: TableSpec) -> str | None:
    """Why no row of `table` can meet the condition `rule` (Spark SQL), or None when it might
    (or we cannot tell): the first of its comparisons that no value of its column meets."""
    for kind, name, literal, is_string, text in comparisons(rule):
        col = table.column(name)
        if col is None or col.expr is not None:
            continue
        why = _no_value(col, _OPS[kind], literal, is_string, text)
        if why is not None:
            return why
    return None


def comparisons(rule: str) -> tuple[Comparison, ...]:
    """The comparisons of a drawn column with a constant that `rule` is a conjunction of (its
    other parts left out), left to right; parse.parse_expression's ExprError when it refuses."""

    def read() -> tuple[Comparison, ...]:
        from streamforge.expr.parse import parse_expression

        return tuple(_comparisons(parse_expression(rule).tree))

    return recall("comparisons", rule, read)


def _comparisons(tree: exp.Expr) -> Iterator[Comparison]:
    from sqlglot import exp

    if isinstance(tree, exp.Paren):
        yield from _comparisons(tree.this)
        return
    if isinstance(tree, exp.And):
        yield from _comparisons(tree.left)
        yield from _comparisons(tree.right)
        return
    kind = type(tree).__name__
    if kind not in _OPS or not isinstance(tree, exp.Binary):
        return
    left, right = tree.left, tree.right
    if isinstance(left, exp.Literal) and isinstance(right, exp.Column):
        left, right = right, left
        kind = _FLIP.get(kind, kind)
    if not isinstance(left, exp.Column) or not isinstance(right, exp.Literal) or left.table:
        return
    yield kind, left.name, str(right.this), bool(right.is_string), tree.sql(dialect="spark")


def _no_value(
    col: ColumnSpec, compare: Compare, literal: str, is_string: bool, text: str
) -> str | None:
    numeric = col.type in NUMERIC_TYPES or col.type.startswith("decimal")
    if col.values is not None:
        if not numeric and not is_string:
            return None  # Spark would cast one side; not the obvious case
        constant: object = literal if is_string else float(literal)
        given = [float(v) if numeric else str(v) for v in col.values]  # type: ignore[arg-type]
        if any(compare(v, constant) for v in given):
            return None
        return f"'{col.name}' takes only {list(col.values)}, none of which meets `{text}`"
    if not numeric or is_string or not isinstance(col.min, int | float):
        return None
    if not isinstance(col.max, int | float):
        return None
    constant = float(literal)
    low, high = float(col.min), float(col.max)
    if compare is operator.eq:
        possible = low <= constant <= high  # type: ignore[operator]
    elif compare is operator.ne:
        possible = not (low == high == constant)
    else:
        possible = compare(low, constant) or compare(high, constant)
    if possible:
        return None
    return f"'{col.name}' lies in {col.min:g}..{col.max:g}, where `{text}` never holds"

"""`validate`'s cheap look at a check the rows cannot meet: a comparison of a drawn column with a
constant that no value the column may take satisfies (`level > 10` with `level` in 1..5, or
`status = 'gone'` with status from [open, closed]). A conjunction (`a AND b`) fails when one of
its parts does. Anything else is left to the engine, which refuses to write rows that fail a
check unasked (engine/unmet_checks.py)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from sqlglot import exp

from streamforge.spec.model import NUMERIC_TYPES, ColumnSpec, TableSpec

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


def never_holds(tree: exp.Expr, table: TableSpec) -> str | None:
    """Why no row can meet the condition `tree`, or None when it might (or we cannot tell)."""
    if isinstance(tree, exp.Paren):
        return never_holds(tree.this, table)
    if isinstance(tree, exp.And):
        return never_holds(tree.left, table) or never_holds(tree.right, table)
    kind = type(tree).__name__
    if kind not in _OPS or not isinstance(tree, exp.Binary):
        return None
    left, right = tree.left, tree.right
    if isinstance(left, exp.Literal) and isinstance(right, exp.Column):
        left, right = right, left
        kind = _FLIP.get(kind, kind)
    if not isinstance(left, exp.Column) or not isinstance(right, exp.Literal) or left.table:
        return None
    col = table.column(left.name)
    if col is None or col.expr is not None:
        return None
    return _no_value(col, _OPS[kind], right, tree.sql(dialect="spark"))


def _no_value(col: ColumnSpec, compare: Compare, literal: exp.Literal, text: str) -> str | None:
    numeric = col.type in NUMERIC_TYPES or col.type.startswith("decimal")
    if col.values is not None:
        if not numeric and not literal.is_string:
            return None  # Spark would cast one side; not the obvious case
        constant: object = literal.this if literal.is_string else float(literal.this)
        given = [float(v) if numeric else str(v) for v in col.values]  # type: ignore[arg-type]
        if any(compare(v, constant) for v in given):
            return None
        return f"'{col.name}' takes only {list(col.values)}, none of which meets `{text}`"
    if not numeric or literal.is_string or not isinstance(col.min, int | float):
        return None
    if not isinstance(col.max, int | float):
        return None
    constant = float(literal.this)
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

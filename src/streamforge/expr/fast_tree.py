"""The DuckDB SQL that expr/fast.py evaluates, read by sqlglot into plain nested tuples, which
expr/kept.py keeps across processes (a warm `generate` then parses nothing).

A node is ("col", name), ("lit", text), ("bool", True | False), ("neg", x),
("Add" | "Sub" | "Mul" | "Div", a, b), ("round", x, digits), ("cast", x, DuckDB type, is_try),
a comparison ("EQ" | "NEQ" | "LT" | "LTE" | "GT" | "GTE", a, b), ("And" | "Or", a, b),
("not", x), ("isnull", x), ("coalesce", x, ...), ("case", ((when, then), ...), else),
("str", text), ("null",), ("in", x, item, ...), ("hour", x) or ("index", ("list", ("lit", n),
...), i) with `i` 1-based as written (expr/fast_text.py evaluates the last five).
A CASE without ELSE is read with ELSE NULL (what SQL means by it). None: some node is none of
these (other functions, a simple CASE x WHEN...), or the SQL does not parse: DuckDB evaluates it.
"""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot import exp

Node = tuple[Any, ...]


class _Unsupported(Exception):
    pass


def read_cast(sql: str, target: str) -> Node | None:
    """`TRY_CAST((sql) AS target)` as a tree of tuples, or None (see the module docstring)."""
    try:
        return _node(sqlglot.parse_one(f"TRY_CAST(({sql}) AS {target})", read="duckdb"))  # type: ignore[arg-type]
    except (_Unsupported, sqlglot.errors.ParseError):
        return None


def _node(node: exp.Expression) -> Node:
    if isinstance(node, exp.Paren):
        return _node(node.this)
    if isinstance(node, exp.Cast):  # TryCast too
        to = node.to.sql(dialect="duckdb").upper()
        return ("cast", _node(node.this), to, isinstance(node, exp.TryCast))
    if isinstance(node, exp.Column) and not node.table:
        return ("col", node.name)
    if isinstance(node, exp.Literal):
        return ("str" if node.is_string else "lit", str(node.this))
    if isinstance(node, exp.Null):
        return ("null",)
    if isinstance(node, exp.In) and not _extra_args(node):
        return ("in", _node(node.this), *(_node(e) for e in node.expressions))
    if isinstance(node, exp.Hour):
        return ("hour", _node(node.this))
    if isinstance(node, exp.Bracket):
        return _list_element(node)
    if isinstance(node, exp.Boolean):
        return ("bool", bool(node.this))
    if isinstance(node, exp.Neg):
        return ("neg", _node(node.this))
    if isinstance(node, exp.Add | exp.Sub | exp.Mul | exp.Div):
        return (type(node).__name__, _node(node.this), _node(node.expression))
    if isinstance(node, exp.EQ | exp.NEQ | exp.LT | exp.LTE | exp.GT | exp.GTE | exp.And | exp.Or):
        return (type(node).__name__, _node(node.this), _node(node.expression))
    if isinstance(node, exp.Not):
        return ("not", _node(node.this))
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        return ("isnull", _node(node.this))
    if isinstance(node, exp.Coalesce):
        return ("coalesce", _node(node.this), *(_node(e) for e in node.expressions))
    if isinstance(node, exp.Case) and node.this is None:
        ifs = tuple((_node(i.this), _node(i.args["true"])) for i in node.args["ifs"])
        default = node.args.get("default")  # none: ELSE NULL, as SQL reads a CASE without one
        return ("case", ifs, ("null",) if default is None else _node(default))
    if isinstance(node, exp.Round) and _digits(node) is not None:
        return ("round", _node(node.this), _digits(node))
    raise _Unsupported(type(node).__name__)


def _list_element(node: exp.Bracket) -> Node:
    """`[n1, n2, ...][i]` over numeric literals, with `i` read as written (1-based): sqlglot keeps
    a bracket's index 0-based only when it can tell the index's type, so the index is read
    again from the SQL sqlglot writes back, which is the SQL as DuckDB reads it."""
    items = node.this.expressions if isinstance(node.this, exp.Array) else []
    if not items or _extra_args(node) or len(node.expressions) != 1:
        raise _Unsupported("a bracket other than a list of literals and one index")
    values = tuple(_node(item) for item in items)
    if any(value[0] != "lit" for value in values):
        raise _Unsupported("a list of other than numbers")
    written, listed = node.sql(dialect="duckdb"), node.this.sql(dialect="duckdb")
    if not (written.startswith(listed + "[") and written.endswith("]")):
        raise _Unsupported(written)
    index = sqlglot.parse_one(written[len(listed) + 1 : -1], read="duckdb")
    return ("index", ("list", *values), _node(index))  # type: ignore[arg-type]


def _extra_args(node: exp.Expression) -> set[str]:
    """Arguments set beyond `this` and `expressions` (IN over a subquery, a safe bracket...)."""
    return {k for k, v in node.args.items() if v} - {"this", "expressions"}


def _digits(node: exp.Round) -> int | None:
    d = node.args.get("decimals")
    if isinstance(d, exp.Literal) and not d.is_string and re.fullmatch(r"\d{1,2}", str(d.this)):
        return int(str(d.this))
    return None

"""The DuckDB SQL that expr/fast.py evaluates, read by sqlglot into plain nested tuples, which
expr/kept.py keeps across processes (a warm `generate` then parses nothing).

A node is ("col", name), ("lit", text), ("bool", True | False), ("neg", x),
("Add" | "Sub" | "Mul" | "Div", a, b), ("round", x, digits), ("cast", x, DuckDB type, is_try),
a comparison ("EQ" | "NEQ" | "LT" | "LTE" | "GT" | "GTE", a, b), ("And" | "Or", a, b),
("not", x), ("isnull", x), ("coalesce", x, ...) or ("case", ((when, then), ...), else).
None: some node is none of these (functions, text, times, a CASE without ELSE...), or the SQL
does not parse: DuckDB evaluates it.
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
    if isinstance(node, exp.Literal) and not node.is_string:
        return ("lit", str(node.this))
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
    if isinstance(node, exp.Case) and node.this is None and node.args.get("default") is not None:
        ifs = tuple((_node(i.this), _node(i.args["true"])) for i in node.args["ifs"])
        return ("case", ifs, _node(node.args["default"]))
    if isinstance(node, exp.Round) and _digits(node) is not None:
        return ("round", _node(node.this), _digits(node))
    raise _Unsupported(type(node).__name__)


def _digits(node: exp.Round) -> int | None:
    d = node.args.get("decimals")
    if isinstance(d, exp.Literal) and not d.is_string and re.fullmatch(r"\d{1,2}", str(d.this)):
        return int(str(d.this))
    return None

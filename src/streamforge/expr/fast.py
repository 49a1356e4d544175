"""The common shapes of row expressions evaluated with numpy, with DuckDB's exact values.

Why: a chunk's expressions through DuckDB cost ~7 ms per 65,536 rows even when they are one
product and a round (registering the Arrow table ~1.4 ms, binding ~1 ms, converting in and out),
against ~0.3 ms of arithmetic. This module evaluates the DuckDB SQL that `expr/bind.py` writes
(Spark's semantics already in it) when every node is one it knows: columns, numeric literals,
+ - *, unary minus, parentheses, `ROUND(x, d)` with a literal d >= 0, and CAST / TRY_CAST to
DECIMAL, DOUBLE, INTEGER, BIGINT or BOOLEAN; `/` of doubles and integers (one IEEE division,
as DuckDB; Spark's division of decimals is an INT128 formula here, not compiled); comparisons,
AND/OR/NOT, IS NULL, COALESCE and CASE over numbers and booleans (expr/fast_logic.py, Spark's
NULL logic); text `=`, `<>` and `IN`, a CASE choosing a text or timestamp column or NULL,
`hour(ts)` and a list of numbers indexed by it (expr/fast_text.py). Anything else (other
functions, text built or ordered, date arithmetic) is not compiled and the stage runs in DuckDB.

Values are exact and follow DuckDB, which tests/engine/test_expr_fast.py holds on random inputs:
- decimals are 64-bit unscaled integers; + - * exact; a scale cut (ROUND, CAST) rounds half
  away from zero; a CAST to DECIMAL(p, s) that does not fit p digits is NULL for TRY_CAST;
- a decimal becomes a double correctly rounded (|unscaled| <= 2^53: one IEEE division);
- ROUND(double, d) rounds the EXACT binary value of x half away from zero at d places (then
  / 10^d; x itself when that is not finite), while a double becomes DECIMAL(p, s) as the
  rounded double x * 10^s rounded half away (NULL when NaN or >= 10^p): DuckDB differs there,
  and so does this module (2888.725 rounds to 2888.72, but casts to 2888.73).
Whenever a value could leave 64 bits, or DuckDB would stop with an error (a plain CAST that
overflows, an INTEGER sum beyond 32 bits), `Bail` is raised and the caller asks DuckDB, which
then computes (or refuses) exactly as before: the fast path never decides an edge case.

This module compiles the tree into functions of the chunk's columns; the values they compute on
are expr/fast_values.py's, the numbers expr/fast_numbers.py's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from streamforge.expr.fast_numbers import (
    arithmetic,
    divide,
    negate,
    round_val,
    to_bool,
    to_decimal,
    to_double,
    to_int,
)
from streamforge.expr.fast_values import Bail, Val, read, to_arrow

_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
_INTS = {"INT": 32, "INTEGER": 32, "BIGINT": 64}

Env = Mapping[str, pa.Array]
Fn = Callable[[Env], Val]
Node = tuple[Any, ...]  # expr/fast_tree.py


def fast_levels(
    table: pa.Table, levels: Sequence[Mapping[str, str]], types: Mapping[str, pa.DataType]
) -> pa.Table | None:
    """What `duck.evaluate_levels` returns for the same arguments, or None when a column needs
    DuckDB (an expression this module does not compile, or values near an overflow)."""
    from streamforge.expr.duck import duck_type

    compiled = [
        {name: compile_cast(sql, duck_type(types[name])) for name, sql in level.items()}
        for level in levels
    ]
    if any(fn is None for level in compiled for fn in level.values()):
        return None
    env: dict[str, pa.Array] = {}
    for name in table.column_names:
        column = table.column(name)
        env[name] = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    names: list[str] = []
    try:
        for level in compiled:
            made = {
                name: to_arrow(fn(env), types[name], table.num_rows)  # type: ignore[misc]
                for name, fn in level.items()
            }
            env.update(made)
            names += made
    except Bail:
        return None
    schema = pa.schema([pa.field(n, types[n]) for n in names])
    return pa.Table.from_arrays([env[n] for n in names], schema=schema)


@functools.lru_cache(maxsize=1024)
def compile_cast(sql: str, target: str) -> Fn | None:
    """`TRY_CAST((sql) AS target)` (the query `evaluate_levels` runs) as a function of the
    row's columns; None when some node is not one this module evaluates. The SQL is read by
    expr/fast_tree.py, kept across processes (expr/kept.py): a warm run loads no sqlglot."""
    from streamforge.expr.kept import recall

    def read() -> Node | None:
        from streamforge.expr.fast_tree import read_cast

        return read_cast(sql, target)

    tree = recall("fast", (sql, target), read)
    if (
        tree is not None
        and tree[0] == "cast"
        and tree[1][0] == "col"
        and tree[2] in ("VARCHAR", "TEXT")
    ):
        return _text_column(tree[1][1])  # a text column (a lookup) written as it is
    try:
        return None if tree is None else _compile(tree)
    except _Unsupported:
        return None


class _Unsupported(Exception):
    pass


def _compile(node: Node) -> Fn:
    kind = node[0]
    if kind == "cast":
        return _cast_fn(_compile(node[1]), node[2], try_=node[3])
    if kind == "col":
        name = node[1]
        return lambda env: read(env[name]) if name in env else _missing(name)
    if kind == "lit":
        value = _literal(node[1])
        return lambda env: value
    if kind == "bool":
        truth = Val("bool", np.array([node[1]]), None)
        return lambda env: truth
    if kind == "neg":
        inner = _compile(node[1])
        return lambda env: negate(inner(env))
    if kind == "Div":
        a, b = _compile(node[1]), _compile(node[2])
        return lambda env: divide(a(env), b(env))
    if kind in ("Add", "Sub", "Mul"):
        a, b = _compile(node[1]), _compile(node[2])
        return lambda env: arithmetic(kind, a(env), b(env))
    if kind == "round":
        inner, digits = _compile(node[1]), node[2]
        return lambda env: round_val(inner(env), digits)
    if kind in ("str", "null", "hour", "index"):
        return _compile_text(node)
    return _compile_logic(node)


def _compile_text(node: Node) -> Fn:
    """Text and NULL literals, `hour(ts)` and a list lookup (expr/fast_text.py)."""
    from streamforge.expr import fast_text as ft

    kind = node[0]
    if kind == "str":
        literal = ft.text_literal(node[1])
        return lambda env: literal
    if kind == "null":
        null = ft.null_literal()
        return lambda env: null
    if kind == "hour":
        inner = _compile(node[1])
        return lambda env: ft.hour(inner(env))
    items = [_compile(item) for item in node[1][1:]]
    index = _compile(node[2])
    return lambda env: ft.element([item(env) for item in items], index(env))


def _compile_logic(node: Node) -> Fn:
    from streamforge.expr import fast_logic as fl

    kind = node[0]
    if kind == "in":  # x IN (a, b): x = a OR x = b, NULL logic included
        x, items = _compile(node[1]), [_compile(item) for item in node[2:]]

        def within(env: Env) -> Val:
            value = x(env)
            found = fl.compare("EQ", value, items[0](env))
            for item in items[1:]:
                found = fl.logic("Or", found, fl.compare("EQ", value, item(env)))
            return found

        return within
    if kind in ("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "And", "Or"):
        a, b = _compile(node[1]), _compile(node[2])
        if kind in ("And", "Or"):
            return lambda env: fl.logic(kind, a(env), b(env))
        return lambda env: fl.compare(kind, a(env), b(env))
    if kind in ("not", "isnull"):
        inner, op = _compile(node[1]), fl.negate if kind == "not" else fl.is_null
        return lambda env: op(inner(env))
    if kind == "coalesce":
        parts = [_compile(part) for part in node[1:]]
        return lambda env: fl.coalesce([part(env) for part in parts])
    if kind == "case":
        whens = [(_compile(c), _compile(v)) for c, v in node[1]]
        default = _compile(node[2])
        return lambda env: fl.choose(
            [c(env) for c, _ in whens], [v(env) for _, v in whens], default(env)
        )
    raise _Unsupported(kind)


def _text_column(name: str) -> Fn:
    def passed(env: Env) -> Val:
        if name not in env or not pa.types.is_string(env[name].type):
            raise Bail(f"{name} is not a text column here")
        return Val("text", np.empty(0), None, text=env[name])

    return passed


def _missing(name: str) -> Val:
    raise Bail(f"no column {name}: DuckDB reports it")


def _cast_fn(inner: Fn, to: str, *, try_: bool) -> Fn:
    found = _DECIMAL.fullmatch(to.replace(" ", ""))
    if found:
        p, s = int(found[1]), int(found[2])
        if s > 18:
            raise _Unsupported(to)
        return lambda env: to_decimal(inner(env), p, s, try_=try_)
    if to == "DOUBLE":
        return lambda env: to_double(inner(env))
    if to == "BOOLEAN":
        return lambda env: to_bool(inner(env))
    if to in _INTS:
        bits = _INTS[to]
        return lambda env: to_int(inner(env), bits, try_=try_)
    if to in ("VARCHAR", "TEXT", "TIMESTAMP"):  # text stays text, an instant an instant
        kept = "text" if to != "TIMESTAMP" else "ts"
        return lambda env: _same_kind(inner(env), kept)
    raise _Unsupported(to)


def _same_kind(v: Val, kind: str) -> Val:
    if v.kind != kind:
        raise Bail(f"a {v.kind} cast to {kind}")
    return v


def _literal(text: str) -> Val:
    """DuckDB's numeric literal: an integer is INTEGER (BIGINT when larger), `1.50` a decimal
    of its written scale; anything else (an exponent) is not compiled."""
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text) or len(text) > 18:
        raise _Unsupported(text)
    whole, _, fraction = text.partition(".")
    one = np.array([int(whole + fraction or "0")], np.int64)
    if "." in text:
        return Val("dec", one, None, scale=len(fraction))
    return Val("int", one, None, bits=32 if one[0] < 2**31 else 64)

"""`validate`'s questions about one expression, answered as plain data kept across processes
(expr/kept.py): what it names, and its type over the types of those names (expr/static_types.py).

A cold `validate` (the first after a table file is edited) then loads sqlglot (~55 ms of a
0.3 s goal, issue 14) only for an expression text it has not answered before under the same
code and packages (check_cache.keep_expressions). Every answer is a pure function of its key;
a refused expression raises ExprError and is never kept, so its message is always sqlglot's.
"""

from __future__ import annotations

from collections.abc import Mapping

from streamforge.expr.kept import recall
from streamforge.expr.rowrefs import Named, Reference, evaluation_names, references


def named(text: str) -> Named:
    """The names of expression `text`; parse.parse_expression's ExprError when it refuses it."""
    return Named(text, tuple(Reference(q, c) for q, c in references(text)))


def static_type_of(text: str, types: Mapping[str, str]) -> str | None:
    """static_types.static_type of `text` over a row of `types` (column or lookup name -> DuckDB
    type), kept on the types of the names it reads (the only ones the rules look at)."""
    typed = tuple((n, types[n]) for n in evaluation_names(text) if n in types)

    def type_it() -> str | None:
        from streamforge.expr.parse import parse_expression
        from streamforge.expr.static_types import static_type

        return static_type(parse_expression(text).tree, dict(typed))

    return recall("static_type", (text, typed), type_it)


def duckdb_type(text: str, types: Mapping[str, str]) -> str:
    """DuckDB's binding of `text` over a row of `types` (bind.result_type; ExprError when it does
    not bind). Not kept: it runs only for what the static rules leave, and DuckDB's words for a
    problem are the message."""
    from streamforge.expr.bind import result_type, to_duckdb
    from streamforge.expr.parse import parse_expression

    return result_type(types, to_duckdb(parse_expression(text), types))

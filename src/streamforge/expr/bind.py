"""Plan time: an expression in DuckDB's SQL, and its result type over a row's column types.

`validate` binds every expression and check (it is not run) to report a type clash or an unknown
function before any data is made. The row is a typed one-row-less relation written in SQL, not
an Arrow table: validate then needs neither pyarrow nor numpy, and DuckDB loads only for a
sector that has expressions. Types are written as DuckDB names the columns the engine writes
(`sql_type`; tests/engine/test_computed.py holds it equal to duck.duck_type of the Arrow type).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from sqlglot import exp

from streamforge.expr import ansi
from streamforge.expr.parse import ExprError, Parsed, lookup_name, parse_expression
from streamforge.expr.row_types import sql_type

__all__ = ["result_type", "sql_type", "to_duckdb", "typed_duckdb"]


def to_duckdb(parsed: Parsed, types: Mapping[str, str] | None = None) -> str:
    """The expression in DuckDB's SQL: lookups renamed to their evaluation columns, every name
    quoted, and Spark's meaning kept where sqlglot's transpilation alone would change it.

    `types` (column or lookup name -> DuckDB type) lets a division of decimals keep Spark's
    result type and exact value (expr/spark_decimal.py); without it, `/` stays DuckDB's."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column):
            name = node.name if not node.table else lookup_name(node.table, node.name)
            return exp.column(name, quoted=True)
        if isinstance(node, exp.Substring):
            start = node.args.get("start")
            # Spark reads position 0 as 1 (the first character); DuckDB as "before the first".
            if isinstance(start, exp.Literal) and not start.is_string and start.this == "0":
                node.set("start", exp.Literal.number(1))
        # Spark SQL with ANSI mode on, as Databricks runs it (expr/ansi.py): a zero divisor, an
        # invalid cast or an overflow stops the query. DuckDB's `%` and `//` already stop on a
        # zero divisor; its `/` gives inf, and sqlglot, reading Spark as non-ANSI, writes
        # `a / NULLIF(b, 0)` and casts as TRY_CAST: both are undone here.
        if isinstance(node, exp.Div):
            node.set("safe", False)  # guarded below, after the decimal rewrites read its types
        if isinstance(node, exp.TryCast) and not node.args.get("safe"):  # CAST, not try_cast
            return exp.Cast(this=node.this, to=node.args["to"])
        if isinstance(node, exp.SafeDivide):  # try_divide: Spark's `/`, NULL for a zero divisor
            divisor = exp.Nullif(this=node.expression, expression=exp.Literal.number(0))
            return exp.Div(this=node.this, expression=divisor)
        return node

    tree = parsed.tree.copy().transform(rewrite)
    if types is not None:
        tree = _spark_divisions(tree, types)
    return tree.transform(ansi.guard_division).sql(dialect="duckdb")


def typed_duckdb(text: str, types: Mapping[str, str]) -> str:
    """`to_duckdb` of the expression `text` over a row of `types`, cached on the types of the
    columns it reads (the engine asks again for every chunk)."""
    parsed = parse_expression(text)
    names = [*parsed.columns, *(lookup_name(r.qualifier or "", r.column) for r in parsed.lookups)]
    return _typed(text, tuple((n, types[n]) for n in names if n in types))


@functools.lru_cache(maxsize=1024)
def _typed(text: str, types: tuple[tuple[str, str], ...]) -> str:
    return to_duckdb(parse_expression(text), dict(types))


def _spark_divisions(tree: exp.Expression, types: Mapping[str, str]) -> exp.Expression:
    """Decimal arithmetic rewritten to Spark's, innermost first: a division of decimals to
    Spark's exact one, and + - * whose Spark type needs more than 18 digits computed in 128 bits
    (DuckDB keeps two 18-digit operands in 64 bits and stops the query on an overflow, where
    Spark's decimal(p1+p2+1, s1+s2) holds the value)."""
    from streamforge.expr import spark_decimal

    def duck(node: exp.Expression) -> str:
        try:
            return result_type(types, node.sql(dialect="duckdb"))
        except ExprError:
            return ""

    def visit(node: exp.Expression) -> exp.Expression:
        for child in list(node.iter_expressions()):
            replaced = visit(child)
            if replaced is not child:
                child.replace(replaced)
        if isinstance(node, exp.Add | exp.Sub | exp.Mul):
            return spark_decimal.wide_arithmetic(node, duck) or node
        if isinstance(node, exp.Cast):  # TryCast too
            return ansi.integral_cast(node, duck(node.this)) or node
        if not isinstance(node, exp.Div):
            return node
        a = spark_decimal.spark_type(node.this, duck)
        b = spark_decimal.spark_type(node.expression, duck)
        if a is None or b is None:
            return node
        exact = spark_decimal.exact_division(node.this, node.expression, a, b)
        return node if exact is None else exact

    return visit(tree)


def result_type(types: Mapping[str, str], sql: str) -> str:
    """DuckDB's type of `sql` over a row whose columns have `types` (name -> DuckDB type); bound,
    not run. ExprError when it does not bind: an unknown function for DuckDB, or arguments of
    the wrong type."""
    import duckdb

    from streamforge.expr.connections import connection

    columns = ", ".join(f"CAST(NULL AS {t}) AS {_quoted(n)}" for n, t in types.items())
    try:
        relation = connection().sql(f"SELECT ({sql}) AS v FROM (SELECT {columns or '1'}) AS row")
        return str(relation.types[0])
    except duckdb.Error as exc:
        message = str(exc).split("\n")[0]
        for prefix in ("Binder Error: ", "Conversion Error: ", "Parser Error: "):
            message = message.removeprefix(prefix)
        raise ExprError(message) from None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'

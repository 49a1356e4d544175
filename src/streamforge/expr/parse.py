"""Read one Spark SQL row expression with sqlglot: what it names, and whether it is a row function.

A row expression may name columns of its own row and lookups `<dimension>.<column>` (or
`<fk_column>.<column>`); it may not aggregate, look at other rows, or draw randomness or clocks:
every generated value must stay a pure function of (seed, table, cycle, chunk).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.dialects.spark import Spark
from sqlglot.errors import ParseError, TokenError

from streamforge.errors import did_you_mean
from streamforge.expr import sql_words
from streamforge.expr.rowrefs import ExprError, Named, Reference, lookup_name

__all__ = ["ExprError", "Parsed", "Reference", "lookup_name", "parse_expression"]

# Functions whose value is not a function of the row: a rerun would write other data.
IMPURE = (exp.Rand, exp.Randn, exp.Uuid)


@dataclass(frozen=True, slots=True)
class Parsed(Named):
    """A parsed expression: what it names (Named) and its sqlglot tree."""

    tree: exp.Expression


@functools.lru_cache(maxsize=1024)
def parse_expression(text: str) -> Parsed:
    """Parse `text` as one Spark SQL scalar expression; raise ExprError when it is not one."""
    try:
        trees = sqlglot.parse(text, read="spark")
    except ParseError as exc:
        raise ExprError(*sql_words.parse_problem(text, exc.errors)) from None
    except TokenError:
        raise ExprError(*sql_words.token_problem(text)) from None
    if len(trees) != 1 or trees[0] is None:
        raise ExprError(f"'{text}' is not one expression", "write a single Spark SQL expression")
    tree: exp.Expression = trees[0]  # type: ignore[assignment]
    if isinstance(tree, exp.Alias):  # `a b` reads as `a AS b`: two values side by side
        raise ExprError(
            f"'{text}' has two values side by side ('{tree.this.sql(dialect='spark')}' and "
            f"'{tree.alias}')",
            "join them with an operator or a comma inside a function, e.g. qty * price",
        )
    if isinstance(tree, exp.Query | exp.DDL | exp.DML) or tree.find(exp.Query) is not None:
        raise ExprError(
            f"'{text}' is a query, not an expression over the row",
            'write an expression such as "price * quantity"',
        )
    _refuse_non_row(tree, text)
    references: dict[Reference, None] = {}
    for column in tree.find_all(exp.Column):
        if isinstance(column.this, exp.Star):
            raise ExprError(f"'{text}' uses *", "name the columns")
        if column.args.get("db") or column.args.get("catalog"):
            raise ExprError(
                f"'{column.sql(dialect='spark')}' in '{text}' has too many parts",
                "write <column>, or <dimension>.<column> for a lookup",
            )
        qualifier = column.table or None
        references[Reference(qualifier, column.name)] = None
    return Parsed(text, tuple(references), tree)


def _refuse_non_row(tree: exp.Expression, text: str) -> None:
    for node in tree.walk():
        if isinstance(node, exp.Anonymous):
            name = str(node.this)
            raise ExprError(
                f"unknown function '{name}' in '{text}'",
                did_you_mean(name.upper(), sorted(Spark.Parser.FUNCTIONS))
                or "see the Spark SQL built-in functions",
            )
        if isinstance(node, exp.AggFunc | exp.Window):
            raise ExprError(
                f"'{node.sql(dialect='spark')}' in '{text}' looks at other rows",
                "an expression computes one row from that row's columns and lookups",
            )
        if isinstance(node, IMPURE) or type(node).__name__.startswith("Current"):
            raise ExprError(
                f"'{node.sql(dialect='spark')}' in '{text}' is not a function of the row",
                "draw randomness from a hidden column (e.g. `type: double, hidden: true`) "
                "and use the row's event time instead of the clock",
            )

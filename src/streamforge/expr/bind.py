"""Plan time: an expression in DuckDB's SQL, and its result type over a row's column types.

`validate` binds every expression and check (it is not run) to report a type clash or an unknown
function before any data is made. The row is a typed one-row-less relation written in SQL, not
an Arrow table: validate then needs neither pyarrow nor numpy, and DuckDB loads only for a
sector that has expressions. Types are written as DuckDB names the columns the engine writes
(`sql_type`; tests/engine/test_computed.py holds it equal to duck.duck_type of the Arrow type).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from streamforge.expr.parse import ExprError, Parsed, lookup_name
from streamforge.spec.model import ColumnSpec

_SCALARS = {
    "int": "INTEGER",
    "long": "BIGINT",
    "float": "DOUBLE",  # the engine writes a float column as a double (plan/columns.py)
    "double": "DOUBLE",
    "string": "VARCHAR",
    "datetime": "TIMESTAMP",  # UTC, zone-less inside DuckDB (see expr/duck.py)
    "date": "DATE",
    "bool": "BOOLEAN",
}


def sql_type(col: ColumnSpec, is_key: bool = False) -> str:
    """The DuckDB type of `col` as the engine writes it: keys are 64-bit (plan/columns.py)."""
    if is_key:
        return "BIGINT"
    if col.type == "decimal":
        scale = col.scale if col.scale is not None else 2
        return f"DECIMAL({col.precision or 10}, {scale})"
    if col.type == "array":
        assert col.items is not None
        return f"{sql_type(col.items)}[]"
    if col.type == "map":
        assert col.map_keys is not None and col.map_values is not None
        return f"MAP({sql_type(col.map_keys)}, {sql_type(col.map_values)})"
    return _SCALARS[col.type]


def to_duckdb(parsed: Parsed) -> str:
    """The expression in DuckDB's SQL: lookups renamed to their evaluation columns, every name
    quoted, and Spark's meaning kept where sqlglot's transpilation alone would change it."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column):
            name = node.name if not node.table else lookup_name(node.table, node.name)
            return exp.column(name, quoted=True)
        if isinstance(node, exp.Substring):
            start = node.args.get("start")
            # Spark reads position 0 as 1 (the first character); DuckDB as "before the first".
            if isinstance(start, exp.Literal) and not start.is_string and start.this == "0":
                node.set("start", exp.Literal.number(1))
        return node

    tree = parsed.tree.copy().transform(rewrite)
    return tree.sql(dialect="duckdb")


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

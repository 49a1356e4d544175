"""Run row expressions on a chunk's Arrow table with DuckDB (zero-copy in, Arrow out).

Why DuckDB: it evaluates a whole chunk vectorised with SQL semantics close to Spark's: exact decimal
arithmetic (decimal(10,2) * 0.0825 is DECIMAL(15,6), as in Spark), `/` as fractional division,
nulls propagating, and casts to DECIMAL rounding half away from zero like Spark's HALF_UP.
sqlglot transpiles the Spark SQL; the few places where the two engines differ are rewritten here.
Each thread has its own single-threaded connection (expr/connections.py).
Timestamps (UTC instants) enter and leave as zone-less UTC timestamps: DuckDB's zone-aware
arithmetic needs its ICU extension, and in UTC the two read the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pyarrow as pa

from streamforge.expr.ansi import AnsiError, ansi_error

if TYPE_CHECKING:  # DuckDB (~0.1 s to import) loads only when the numpy fast path cannot
    import duckdb

FAST = True  # tests turn it off to compare expr/fast.py against DuckDB

_TYPES = {
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE",
    pa.string(): "VARCHAR",
    pa.large_string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
    pa.null(): "INTEGER",
}


def duck_type(arrow: pa.DataType) -> str:
    """The DuckDB SQL type of an Arrow type (the column types StreamForge writes)."""
    if pa.types.is_decimal(arrow):
        return f"DECIMAL({arrow.precision}, {arrow.scale})"
    if pa.types.is_timestamp(arrow):
        return "TIMESTAMP"  # UTC, see the module's docstring
    if pa.types.is_list(arrow):
        return f"{duck_type(arrow.value_type)}[]"
    if pa.types.is_map(arrow):
        return f"MAP({duck_type(arrow.key_type)}, {duck_type(arrow.item_type)})"
    return _TYPES[arrow]


def evaluate(
    table: pa.Table, selects: Mapping[str, str], types: Mapping[str, pa.DataType]
) -> pa.Table:
    """`SELECT TRY_CAST(<sql> AS <type>) AS <name>, ...` over `table`, rows in the same order.

    A value that does not fit its column's declared type becomes null (StreamForge's rule for
    the column; `validate` reports the type clashes that make this likely). Inside `<sql>`,
    Spark's ANSI rules hold (expr/ansi.py).

    Raises:
        AnsiError: an expression stopped as Spark SQL with ANSI mode stops (a zero divisor,
            an invalid cast, an overflow), naming the column.
    """
    return evaluate_levels(table, [selects], types)


def evaluate_levels(
    table: pa.Table, levels: Sequence[Mapping[str, str]], types: Mapping[str, pa.DataType]
) -> pa.Table:
    """Columns that build on each other, in ONE query over `table`: each level's expressions
    may read the columns of earlier levels, as their declared types (each level is a projection
    over the one before). Returns every level's columns, in order, as `types` says.

    One query instead of one per level: registering the chunk, binding and planning the SQL
    cost about as much as computing a column (~1 ms per 65,536-row chunk each).

    The common shapes (arithmetic, round, casts over numbers) skip DuckDB: expr/fast.py computes
    the same values with numpy, and hands back to this query whatever it cannot prove equal.
    """
    if FAST:
        from streamforge.expr.fast import fast_levels

        done = fast_levels(table, levels, types)
        if done is not None:
            return done
    from streamforge.expr.connections import connection

    con = connection()
    query, names = "__chunk", list[str]()
    for i, selects in enumerate(levels):
        parts = [f'"{name}"' for name in names] if i == len(levels) - 1 else ["*"]
        parts += [
            f'TRY_CAST(({sql}) AS {duck_type(types[name])}) AS "{name}"'
            for name, sql in selects.items()
        ]
        # The last level names its columns only: a column of `table` may share a name
        # with one computed here (a check's candidate value for the column it breaks).
        query = f"SELECT {', '.join(parts)} FROM {query if i == 0 else f'({query})'}"
        names += selects
    try:
        result = _run(con, query, table)
    except AnsiError as stopped:
        if len(names) == 1:
            raise AnsiError(stopped.error_class, stopped.detail, stopped.fix, names[0]) from None
        raise _which_column(table, levels, types, stopped) from None
    schema = pa.schema([pa.field(n, types[n]) for n in names])
    return result if result.schema.equals(schema) else result.cast(schema)


def _run(con: duckdb.DuckDBPyConnection, query: str, table: pa.Table) -> pa.Table:
    """`query` over `table` registered as `__chunk`; an ANSI stop as AnsiError (no column)."""
    import duckdb

    stopped: AnsiError | None = None
    con.register("__chunk", _naive(table))
    try:
        result = con.sql(query).to_arrow_table()
    except duckdb.Error as exc:
        stopped = ansi_error(exc)
        if stopped is None:
            raise
    finally:
        con.unregister("__chunk")
    if stopped is not None:
        raise stopped
    return result


def _which_column(
    table: pa.Table,
    levels: Sequence[Mapping[str, str]],
    types: Mapping[str, pa.DataType],
    stopped: AnsiError,
) -> AnsiError:
    """`stopped`, naming the first column whose expression stops alone (error path only: one
    query per column until one stops)."""
    for i, selects in enumerate(levels):
        for name, sql in selects.items():
            try:  # the levels before were run alone already: only this column can stop
                evaluate_levels(table, [*levels[:i], {name: sql}], types)
            except AnsiError as error:
                return error if error.column == name else stopped
    return stopped


def _naive(table: pa.Table) -> pa.Table:
    """`table` with UTC timestamps as zone-less ones (same instants; see the module docstring)."""
    fields = [
        pa.field(f.name, pa.timestamp(f.type.unit)) if pa.types.is_timestamp(f.type) else f
        for f in table.schema
    ]
    schema = pa.schema(fields)
    return table if schema.equals(table.schema) else table.cast(schema)

"""The oracle of the numpy expression path's tests: DuckDB's values for the same levels."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from hypothesis import event

from streamforge.expr import duck
from streamforge.expr.ansi import AnsiError
from streamforge.expr.fast import fast_levels


def duckdb_levels(table: pa.Table, levels, types):  # type: ignore[no-untyped-def]
    """`levels` evaluated by DuckDB alone (the numpy path switched off)."""
    duck.FAST = False
    try:
        return duck.evaluate_levels(table, levels, types)
    finally:
        duck.FAST = True


def fast_and_duckdb(table: pa.Table, sql: str, target: str) -> tuple[pa.Table, pa.Table] | None:
    """(numpy path's result, DuckDB's) of column `v` = `sql` cast to `target`; None when the
    numpy path hands the expression back, or when DuckDB stops (an overflow: then the numpy path
    must not answer, which is asserted here)."""
    levels, types = [{"v": sql}], {"v": target}
    try:
        expected = duckdb_levels(table, levels, types)
    except (duckdb.Error, AnsiError):
        event("DuckDB stops")
        assert fast_levels(table, levels, types) is None, sql
        return None
    got = fast_levels(table, levels, types)
    event("numpy" if got is not None else "handed back")
    return None if got is None else (got, expected)

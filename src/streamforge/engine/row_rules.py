"""Table checks over a chunk's rows (DESIGN §3): whether each row holds a rule, and breaking the
rows an `anomaly_rate` on a check asks for; with the DuckDB row types both need."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.seeding import ANOMALIES, rng_for
from streamforge.expr.ansi import AnsiError
from streamforge.spec.model import ColumnSpec

if TYPE_CHECKING:
    from streamforge.engine.computation import CheckPlan
    from streamforge.engine.rows import BatchRequest


def holds(rows: pa.Table, rule: str) -> np.ndarray:
    """Per row of `rows`, whether the Spark SQL `rule` is true (a NULL result fails, as in the
    pipelines' expectations). Raises AnsiError naming the rule when it cannot be evaluated."""
    from streamforge.expr.duck import evaluate
    from streamforge.expr.kept import duckdb_sql

    sql = duckdb_sql(rule, duck_types(rows.schema, {}))
    try:
        result = evaluate(rows, {"ok": f"coalesce(({sql}), false)"}, {"ok": pa.bool_()})
    except AnsiError as stopped:
        raise stopped.at("a check's rule", rule) from None
    return result.column(0).to_numpy(zero_copy_only=False).astype(bool)


def break_rows(
    req: BatchRequest,
    rows: pa.Table,
    check: CheckPlan,
    chunk: int,
    source: np.ndarray,
    drawn: int,
) -> tuple[pa.Table, np.ndarray]:
    """Break `anomaly_rate` of the rows that satisfy the check by changing its target column,
    trying candidate changes in turn until the rule fails (a NULL result fails, as in the
    pipelines' expectations). Copies of a row are picked and changed alike. Returns the rows
    and the mask of those it broke."""
    from streamforge.expr.duck import evaluate

    target = check.target
    done = np.zeros(rows.num_rows, dtype=bool)
    if target is None:
        return rows, done
    name = f"check:{check.spec.name}"
    rng = rng_for(req.seed, req.table.name, req.cycle, chunk, name, ANOMALIES)
    picked = (rng.random(drawn) < check.spec.anomaly_rate)[source] & holds(rows, check.spec.rule)
    at = rows.schema.get_field_index(target.name)
    column = rows.column(at).combine_chunks()
    for candidate in _breakers(target):
        if not picked.any():
            break
        changed = evaluate(rows, {target.name: candidate}, {target.name: column.type})
        changed_values = changed.column(0).combine_chunks()
        trial = rows.set_column(at, target.name, _mix(picked, changed_values, column))
        broken = picked & ~holds(trial, check.spec.rule)
        column = _mix(broken, changed_values, column)
        rows = rows.set_column(at, target.name, column)
        picked &= ~broken
        done |= broken
    return rows, done


def _mix(mask: np.ndarray, changed: pa.Array, column: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), changed, column)


def _breakers(col: ColumnSpec) -> tuple[str, ...]:
    """DuckDB expressions that change `col`'s value, from the least visible to a NULL."""
    name = f'"{col.name}"'
    if col.type in ("int", "long", "float", "double", "decimal"):
        scale = col.scale if col.scale is not None else 2
        unit = {"int": "1", "long": "1", "float": "1.0", "double": "1.0"}.get(
            col.type, f"{10**-scale:.{scale}f}"
        )
        return (f"{name} + {unit}", f"-(abs({name}) + {unit})", "NULL")
    if col.type == "string":
        return (f"{name} || '~'", "NULL")
    if col.type == "bool":
        return (f"NOT {name}", "NULL")
    if col.type in ("date", "datetime"):
        return (f"{name} + INTERVAL 1 DAY", f"{name} - INTERVAL 3650 DAY", "NULL")
    return ("NULL",)


def duck_types(schema: pa.Schema, declared: Mapping[str, pa.DataType]) -> dict[str, str]:
    """Column name -> DuckDB type of a row: `schema`'s columns and the `declared` computed ones
    (a division of decimals follows Spark's result type, which depends on them)."""
    from streamforge.expr.duck import duck_type

    types = {}
    for f in schema:
        try:
            types[f.name] = duck_type(f.type)
        except KeyError:  # a type no expression can divide (e.g. a struct): left unnamed
            continue
    types.update({name: duck_type(t) for name, t in declared.items()})
    return types

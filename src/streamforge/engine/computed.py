"""Computed columns, lookups and table checks of one chunk (DESIGN §3, coherent rows).

Runs after the chunk's drawn columns and event-time faults are settled, so an expression sees the
row as it is written: the final event time (lookups read the dimension as it stood then), the
final foreign keys, and its inputs after their null_rate and anomaly_rate. Whole chunks go through
DuckDB, all levels (inputs first) in one query unless a computed input has faults to apply in
between (see `stages`); nothing here loops over rows.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.key_time import micros_of
from streamforge.engine.seeding import ANOMALIES, rng_for
from streamforge.engine.unmet_checks import excused, refuse_unmet
from streamforge.engine.versions import Versions
from streamforge.expr.ansi import AnsiError
from streamforge.plan import Plan, TablePlan
from streamforge.plan.columns import arrow_type
from streamforge.spec.model import CheckSpec, ColumnSpec

# sqlglot and DuckDB (~0.2 s of CPU to import) load in the functions below, which run only for
# a table that computes something: a sector without expr or checks never loads them.
if TYPE_CHECKING:
    from streamforge.engine.rows import BatchRequest
    from streamforge.expr.rowrefs import Lookup

FAR_FUTURE = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class CheckPlan:
    spec: CheckSpec
    target: ColumnSpec | None  # the written column an anomaly changes


Level = tuple[ColumnSpec, ...]  # computed columns that need only earlier levels' columns
Stage = tuple[Level, ...]  # levels computed by one query


@dataclass(frozen=True, slots=True)
class Computation:
    """What a table computes beyond drawing values: expression stages, lookups, checks."""

    stages: tuple[Stage, ...]
    lookups: tuple[Lookup, ...]
    checks: tuple[CheckPlan, ...]
    drawn: tuple[ColumnSpec, ...]  # columns drawn by generators (hidden ones included)
    running: tuple[ColumnSpec, ...] = ()  # running totals, given by the request (running.py)


def computation(table: TablePlan) -> Computation | None:
    """None for a table without expr, hidden columns or checks: the kernel's plain path."""
    spec = table.spec
    if table.feed is not None:
        return None
    if not spec.checks and not any(
        c.expr is not None or c.hidden or c.running is not None for c in spec.columns
    ):
        return None
    fks = tuple((c, fk.entity) for c, fk in table.foreign_keys.items())
    return _computation(spec, fks, table.primary_key)


@functools.lru_cache(maxsize=256)
def _computation(spec, fks: tuple[tuple[str, str], ...], key: str | None) -> Computation:  # type: ignore[no-untyped-def]
    from streamforge.expr import rowrefs
    from streamforge.expr.order import levels

    computed = {c.name: c for c in spec.columns if c.expr is not None}
    order = levels({name: rowrefs.columns(c.expr) for name, c in computed.items()})
    lookups: dict[str, Lookup] = {}
    for c in computed.values():
        for qualifier, column in rowrefs.lookups(c.expr):
            lookups.setdefault(
                f"{qualifier}.{column}", runtime_lookup(qualifier, column, dict(fks))
            )
    keys = frozenset([c for c, _ in fks] + ([key] if key else []))
    checks = tuple(
        CheckPlan(
            check,
            rowrefs.break_target(spec, check, keys) if check.anomaly_rate > 0 else None,
        )
        for check in spec.checks
    )
    return Computation(
        stages(tuple(tuple(computed[n] for n in level) for level in order)),
        tuple(lookups.values()),
        checks,
        tuple(c for c in spec.columns if c.expr is None and c.running is None),
        tuple(c for c in spec.columns if c.running is not None),
    )


def runtime_lookup(qualifier: str | None, column: str, fks: Mapping[str, str]) -> Lookup:
    """The lookup of an expression that `validate` accepted: through the foreign key named
    `qualifier`, else the one foreign key into the dimension named `qualifier`."""
    from streamforge.expr.rowrefs import Lookup

    assert qualifier is not None
    via = qualifier if qualifier in fks else next(c for c, e in fks.items() if e == qualifier)
    return Lookup(qualifier, column, via, fks[via])


def lookup_columns(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Dimension -> the columns some expression looks up: the only ones kept as versions."""
    wanted: dict[str, dict[str, None]] = {}
    for table in plan.tables:
        comp = computation(table)
        for lookup in comp.lookups if comp is not None else ():
            wanted.setdefault(lookup.entity, {})[lookup.column] = None
    return {entity: tuple(columns) for entity, columns in wanted.items()}


def finish_chunk(
    req: BatchRequest,
    comp: Computation,
    batch: pa.RecordBatch,
    source: np.ndarray,
    chunk: int,
    lo: int,
    hi: int,
    drawn_faults: Mapping[str, np.ndarray],
) -> tuple[pa.RecordBatch, dict[str, np.ndarray]]:
    """The chunk's written batch (computed columns added in file order, hidden ones dropped)
    and the anomaly mask of each computed column and check, aligned with the final rows.

    `drawn_faults`: the drawn columns' anomaly masks, aligned with the final rows (a check may
    fail where they are set). Raises UnmetCheck when rows fail a check unasked.

    `source`: row i of `batch` is a copy of drawn row source[i] (duplicates are exact copies,
    so a computed column's nulls and anomalies follow the row they copy).
    """
    from streamforge.engine.faults import apply_quality
    from streamforge.engine.rows import column_context
    from streamforge.engine.running_pass import draft_columns, draft_stages, running_values
    from streamforge.expr.duck import evaluate_levels
    from streamforge.expr.kept import duckdb_sql
    from streamforge.plan.columns import table_schema

    rows = pa.Table.from_batches([batch])
    if comp.lookups:
        rows = _with_lookups(req, rows)
    for col in comp.running:
        rows = rows.append_column(col.name, running_values(req, col, rows))
    masks: dict[str, np.ndarray] = {}
    drawn = hi - lo
    first = _first_copies(source, drawn)
    moved = not np.array_equal(source, np.arange(len(source)))  # duplicates copied rows
    for stage in draft_stages(comp) if req.draft else comp.stages:
        types = {c.name: arrow_type(c) for level in stage for c in level}
        inputs = rows.select(_inputs(stage, rows.column_names))
        row_types = _duck_types(inputs.schema, types)  # a level reads earlier ones as declared
        levels = [{c.name: duckdb_sql(c.expr or "", row_types) for c in level} for level in stage]
        try:
            values = evaluate_levels(inputs, levels, types)
        except AnsiError as stopped:  # name the table, cycle and the expression as written
            texts = {c.name: c.expr or "" for level in stage for c in level}
            where = f"{req.table.name}.{stopped.column} (cycle {req.cycle}, chunk {chunk})"
            raise stopped.at(where, texts.get(stopped.column or "", "")) from None
        for col in (c for level in stage for c in level):
            made = values.column(col.name).combine_chunks()
            if col.null_rate <= 0 and col.anomaly_rate <= 0:
                rows = rows.append_column(col.name, made)  # a function of the row: copies agree
                continue
            ctx = column_context(req, col.name, lo, hi, chunk)
            drawn_order = made.take(pa.array(first)) if moved else made
            final, mask = apply_quality(req, col, drawn_order, ctx, chunk)
            rows = rows.append_column(col.name, final.take(pa.array(source)) if moved else final)
            if mask is not None:
                masks[col.name] = mask[source]
    if req.draft:  # what the running totals add up, in the rows as they land
        return _one_batch(rows.select(draft_columns(req.table, comp)).combine_chunks(), None), masks
    faults = {**drawn_faults, **masks}  # rows whose breaking a check was asked for
    for check in comp.checks:
        rows, faults[f"check:{check.spec.name}"] = _break(req, rows, check, chunk, source, drawn)
    for check in comp.checks:  # judged once every check has broken its rows
        fails = ~holds(rows, check.spec.rule)
        unasked = fails & ~excused(rows, check.spec.rule, faults)
        refuse_unmet(req.table.spec, check.spec, rows, unasked, req.cycle)
        masks[check.spec.name] = fails
    schema = table_schema(req.table)
    written = rows.select(schema.names)
    if not written.schema.equals(schema):
        written = written.cast(schema)
    if any(column.num_chunks > 1 for column in written.columns):
        written = written.combine_chunks()
    return _one_batch(written, schema), masks


def _inputs(stage: Stage, present: list[str]) -> list[str]:
    """The columns a stage's expressions read (DuckDB then converts only those)."""
    from streamforge.expr.rowrefs import evaluation_names

    names: dict[str, None] = {}
    for col in (c for level in stage for c in level):
        names.update(dict.fromkeys(evaluation_names(col.expr or "")))
    return [n for n in names if n in present]


def stages(levels: tuple[Level, ...]) -> tuple[Stage, ...]:
    """Levels grouped into stages, each computed by one query. A level with a column that has
    null_rate or anomaly_rate ends its stage: later levels must read that column as written
    (after its faults), which happen in between, outside the query."""
    result: list[Stage] = []
    current: list[Level] = []
    for level in levels:
        current.append(level)
        if any(c.null_rate > 0 or c.anomaly_rate > 0 for c in level):
            result.append(tuple(current))
            current = []
    if current:
        result.append(tuple(current))
    return tuple(result)


def _one_batch(table: pa.Table, schema: pa.Schema | None) -> pa.RecordBatch:
    batches = table.to_batches()
    if not batches:
        if schema is None:
            schema = table.schema
        return pa.RecordBatch.from_arrays([pa.array([], f.type) for f in schema], schema=schema)
    return batches[0]


def _first_copies(source: np.ndarray, drawn: int) -> np.ndarray:
    """For each drawn row, a final row that copies it (any, for a row no longer there)."""
    first = np.zeros(drawn, dtype=np.int64)
    first[source[::-1]] = np.arange(len(source) - 1, -1, -1, dtype=np.int64)
    return first


def _with_lookups(req: BatchRequest, rows: pa.Table) -> pa.Table:
    comp = computation(req.table)
    assert comp is not None
    times: np.ndarray | None = None
    for lookup in comp.lookups:
        versions: Versions | None = req.lookups.get(lookup.entity)
        assert versions is not None, f"no versions of '{lookup.entity}' kept"
        if times is None and not versions.snapshot_only:  # unchanged: any time reads the same
            times = lookup_times(req, rows)
        keys, present = micros_of(rows.column(lookup.via).combine_chunks())
        found = versions.at(np.where(present, keys, -1), times).column(lookup.column)
        rows = rows.append_column(lookup.name, found)
    return rows


def lookup_times(req: BatchRequest, rows: pa.Table) -> np.ndarray:
    """The moment each row reads its dimensions at: its event time, else the batch's end."""
    event = req.table.event_time
    if event is not None and event in rows.column_names:
        times, timed = micros_of(rows.column(event).combine_chunks())
        return np.where(timed, times, req.window[1] - 1)
    if req.table.kind == "dimension":
        return np.full(rows.num_rows, FAR_FUTURE, np.int64)
    return np.full(rows.num_rows, req.window[1] - 1, np.int64)


def _break(
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


def holds(rows: pa.Table, rule: str) -> np.ndarray:
    """Per row of `rows`, whether the Spark SQL `rule` is true (a NULL result fails, as in the
    pipelines' expectations). Raises AnsiError naming the rule when it cannot be evaluated."""
    from streamforge.expr.duck import evaluate
    from streamforge.expr.kept import duckdb_sql

    sql = duckdb_sql(rule, _duck_types(rows.schema, {}))
    try:
        result = evaluate(rows, {"ok": f"coalesce(({sql}), false)"}, {"ok": pa.bool_()})
    except AnsiError as stopped:
        raise stopped.at("a check's rule", rule) from None
    return result.column(0).to_numpy(zero_copy_only=False).astype(bool)


def _duck_types(schema: pa.Schema, declared: Mapping[str, pa.DataType]) -> dict[str, str]:
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


def compute_images(
    req: BatchRequest, attrs: list[ColumnSpec], columns: Mapping[str, pa.Array], rows: int
) -> dict[str, pa.Array]:
    """The computed attributes of a change feed's after-images, from the other columns of the
    same row (validate keeps a tracked dimension's expressions to its key and attributes)."""
    from streamforge.engine.faults import apply_quality
    from streamforge.engine.rows import column_context
    from streamforge.expr.duck import evaluate
    from streamforge.expr.kept import duckdb_sql
    from streamforge.expr.order import levels
    from streamforge.expr.rowrefs import columns as reads

    computed = {a.name: a for a in attrs if a.expr is not None}
    present = [name for name in columns if name not in computed]  # the entity key included
    images = pa.table({name: columns[name] for name in present})
    result: dict[str, pa.Array] = {}
    for level in levels({name: reads(a.expr or "") for name, a in computed.items()}):
        types = {name: arrow_type(computed[name]) for name in level}
        row_types = _duck_types(images.schema, types)
        sql = {name: duckdb_sql(computed[name].expr or "", row_types) for name in level}
        values = evaluate(images, sql, types)
        for name in level:
            ctx = column_context(req, name, 0, rows, 0)
            made = values[name].combine_chunks()
            result[name], _ = apply_quality(req, computed[name], made, ctx, 0)
            images = images.append_column(name, result[name])
    return result

"""Computed columns, lookups and table checks of one chunk (DESIGN §3, coherent rows).

Runs after the chunk's drawn columns and event-time faults are settled, so an expression sees the
row as it is written: the final event time (lookups read the dimension as it stood then), the
final foreign keys, and its inputs after their null_rate and anomaly_rate. Whole chunks go through
DuckDB, all levels (inputs first) in one query unless a computed input has faults to apply in
between (see `stages` in engine/computation.py); nothing here loops over rows. Checks are
judged and broken by engine/row_rules.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from streamforge.engine.computation import Computation, Stage, computation
from streamforge.engine.computation import lookup_columns as lookup_columns  # session.py
from streamforge.engine.key_time import micros_of
from streamforge.engine.row_rules import break_rows, duck_types, holds
from streamforge.engine.unmet_checks import excused, refuse_unmet
from streamforge.engine.versions import Versions
from streamforge.expr.ansi import AnsiError
from streamforge.plan.columns import arrow_type
from streamforge.spec.model import ColumnSpec

# sqlglot and DuckDB (~0.2 s of CPU to import) load in the functions below, which run only for
# a table that computes something: a sector without expr or checks never loads them.
if TYPE_CHECKING:
    from streamforge.engine.rows import BatchRequest


FAR_FUTURE = np.iinfo(np.int64).max


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
        row_types = duck_types(inputs.schema, types)  # a level reads earlier ones as declared
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
        broken = break_rows(req, rows, check, chunk, source, drawn)
        rows, faults[f"check:{check.spec.name}"] = broken
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
        row_types = duck_types(images.schema, types)
        sql = {name: duckdb_sql(computed[name].expr or "", row_types) for name in level}
        values = evaluate(images, sql, types)
        for name in level:
            ctx = column_context(req, name, 0, rows, 0)
            made = values[name].combine_chunks()
            result[name], _ = apply_quality(req, computed[name], made, ctx, 0)
            images = images.append_column(name, result[name])
    return result

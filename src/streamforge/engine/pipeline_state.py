"""The dimension a generated pipeline must end with: its drop rules applied, then AUTO CDC.

One rule for snapshot rows and change rows alike (README, Change feeds): a row that breaks a drop
expectation never reaches the dimension. A DELETE row is judged on its keys, change type and
sequence only: its attributes are a stale image, and quarantining a DELETE would keep a dead key
alive. The rows that pass are applied by sequence (the latest version of a key wins; a DELETE
leaves a tombstone so an older row arriving late cannot bring the key back), exactly what
`AUTO CDC ... SEQUENCE BY ... APPLY AS DELETE WHEN` computes. The rules mirror
`pipelines/expectations.py`, which turns the same column specs into SQL.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.feed_checks import check_failures
from streamforge.engine.rules import broken_rows
from streamforge.plan import TablePlan
from streamforge.plan.feeds import cdc_sequence, delete_judged
from streamforge.plan.rules import ColumnRule, column_rules
from streamforge.spec.model import ColumnSpec

SEQUENCE, DELETED = "_sequence", "_deleted"  # bookkeeping columns of the expected state
SNAPSHOT_SEQUENCE = 0  # snapshot rows come before every change (the pipelines' sequence floor)


def is_cdc_sequence(table: TablePlan, col: ColumnSpec) -> bool:
    """The column AUTO CDC sequences by: a NULL there fails the whole micro-batch, so the
    pipelines always check it (not null, then its bounds) and drop the row unless told to fail."""
    return table.feed is not None and col.name == cdc_sequence(table.feed)


def rule_action(table: TablePlan, col: ColumnSpec) -> str:
    """The action of the column's rule (plan/rules.py), as the pipelines apply it."""
    rule = _rules(table).get(col.name)
    return rule.action if rule is not None else (col.expect or "warn")


def has_rule(table: TablePlan, col: ColumnSpec) -> bool:
    """Whether the column has a rule (plan/rules.py), hence an expectation in every pipeline."""
    return col.name in _rules(table)


def breaks(table: TablePlan, col: ColumnSpec, values: pa.Array) -> np.ndarray:
    """Rows whose value breaks the column's rule (plan/rules.py); none when it has no rule."""
    rule = _rules(table).get(col.name)
    if rule is None:
        return np.zeros(len(values), dtype=bool)
    return broken_rows(rule, values)


def _rules(table: TablePlan) -> dict[str, ColumnRule]:
    return {r.column.name: r for r in column_rules(table)}


def passing_rows(table: TablePlan, data: pa.Table | pa.RecordBatch) -> np.ndarray:
    """Rows that pass every drop rule of `table` (a DELETE row: only those of `delete_judged`)."""
    passing = np.ones(data.num_rows, dtype=bool)
    judged_on_delete = delete_judged(table)
    deletes = None
    if table.feed is not None:
        ops = data.column(table.feed.type_column)
        deletes = pc.fill_null(pc.equal(ops, "DELETE"), False).to_numpy(zero_copy_only=False)
    for col in table.columns:
        if col.name not in data.schema.names or rule_action(table, col) != "drop":
            continue
        if not has_rule(table, col):
            continue
        failed = breaks(table, col, _array(data.column(col.name)))
        if deletes is not None and col.name not in judged_on_delete:
            failed &= ~deletes
        passing &= ~failed
    return passing


def anomaly_counts(table: TablePlan, batch: pa.RecordBatch) -> tuple[dict[str, int], int]:
    """Per anomalous column, the rows of a change-feed file that break its rule, and the rows
    breaking any: what the manifest announces. DELETE rows count only for the columns they are
    judged on, as the pipelines judge them."""
    roles = table.feed
    assert roles is not None
    judged = delete_judged(table)
    ops = batch.column(roles.type_column)
    deletes = pc.fill_null(pc.equal(ops, "DELETE"), False).to_numpy(zero_copy_only=False)
    counts: dict[str, int] = {}
    flagged = np.zeros(batch.num_rows, dtype=bool)
    rules = _rules(table)
    for col in table.columns:
        rule = rules.get(col.name)
        if col.anomaly_rate <= 0 or col.name not in batch.schema.names or rule is None:
            continue
        mask = broken_rows(rule, _array(batch.column(col.name)))
        if col.name not in judged:
            mask &= ~deletes
        counts[col.name] = int(mask.sum())
        flagged |= mask
    if roles.dimension is not None and roles.dimension.checks:
        for name, fails in check_failures(roles.dimension, batch).items():
            counts[name] = int(fails.sum())
            flagged |= fails
    return counts, int(flagged.sum())


def snapshot_state(dimension: TablePlan, rows: pa.Table, columns: list[str]) -> pa.Table:
    """The expected state after the snapshot: its rows that pass the dimension's drop rules."""
    kept = rows.filter(pa.array(passing_rows(dimension, rows))).select(columns)
    n = kept.num_rows
    kept = kept.append_column(SEQUENCE, pa.array(np.full(n, SNAPSHOT_SEQUENCE), pa.int64()))
    return kept.append_column(DELETED, pa.array(np.zeros(n, dtype=bool)))


def apply_landed(
    state: pa.Table, feed: TablePlan, batch: pa.RecordBatch, in_flight: np.ndarray
) -> pa.Table:
    """The expected state after the change rows of one landed file (in any order, duplicates
    included). `in_flight`: entity keys of rows still held back; tombstones of other keys are
    forgotten, since no row of theirs can arrive any more."""
    roles = feed.feed
    assert roles is not None
    rows = pa.Table.from_batches([batch]).filter(pa.array(passing_rows(feed, batch)))
    columns = [c for c in state.column_names if c not in (SEQUENCE, DELETED)]
    order = pc.cast(rows.column(cdc_sequence(roles)), pa.int64())
    deleted = pc.equal(rows.column(roles.type_column), "DELETE")
    changes = rows.select(columns).append_column(SEQUENCE, order).append_column(DELETED, deleted)
    merged = pa.concat_tables([state, changes.cast(state.schema)])
    merged = merged.sort_by([(columns[0], "ascending"), (SEQUENCE, "ascending")])
    keys = merged.column(columns[0]).to_numpy()
    latest = np.append(keys[1:] != keys[:-1], True) if len(keys) else np.zeros(0, dtype=bool)
    dead = merged.column(DELETED).to_numpy(zero_copy_only=False)
    forgotten = dead & ~np.isin(keys, in_flight)
    return merged.filter(pa.array(latest & ~forgotten)).combine_chunks()


def current_rows(state: pa.Table) -> pa.Table:
    """The dimension's rows as the pipeline shows them: live keys only, bookkeeping dropped."""
    live = state.filter(pc.invert(state.column(DELETED)))
    return live.drop_columns([SEQUENCE, DELETED])


def _array(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column

"""A change feed's after-images meet the tracked dimension's `checks:` (DESIGN §3, §5).

Each INSERT or UPDATE row is the dimension row as it now stands, so the rules that hold on every
dimension row hold on it, and the unmet-check stop (engine/unmet_checks.py) applies: a row the
feed made that fails a check nobody asked to break stops the batch before it lands, naming the
dimension's check and its file:line. A feed breaks no check on purpose (its manifest counts no
anomalies of its dimension's checks, and verify judges the steady ones with zero failures), so a
check with an `anomaly_rate` is judged only where the dimension judges it unasked too.

Excused, as in the dimension: a row with an announced column anomaly or a NULL the rule reads,
and a row whose failing values it carries over unchanged from an image already judged when it
was made (a DELETE, or an UPDATE of other attributes, repeats the old image).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.unmet_checks import excused, read_columns, refuse_unmet
from streamforge.spec.model import CheckSpec, TableSpec


def judge_after_images(
    dimension: TableSpec,
    columns: Mapping[str, pa.Array],
    old: pa.Table | None,
    is_insert: np.ndarray,
    flagged: np.ndarray,
    cycle: int,
    feed: str,
) -> dict[str, np.ndarray]:
    """Check name -> the batch's rows failing it, all asked for (counted in the manifest as a
    dimension counts them); raises UnmetCheck naming `feed` when a row fails a check unasked.

    `columns`: the batch's columns by name (rows in batch order); `old`: the previous image of
    each row's key (any row for an INSERT, which has none), None in a feed's first batch;
    `is_insert`: rows that are INSERTs; `flagged`: rows carrying an announced column anomaly.
    A check that reads a column the feed does not write (hidden, a lookup) is left to the
    dimension, as verify leaves it.
    """
    failing: dict[str, np.ndarray] = {}
    from streamforge.engine.row_rules import holds

    for check, reads in _judged(dimension, columns):
        rows = pa.table({name: columns[name] for name in columns if name in reads})
        fails = ~holds(rows, check.rule)
        if not fails.any():
            continue
        asked = excused(rows, check.rule, {"anomalies": flagged})
        if old is not None and reads <= set(old.column_names):
            carried = ~is_insert & _same_values(
                rows, old, read_columns(check.rule, rows.column_names)
            )
            asked |= carried & ~holds(old, check.rule)
        refuse_unmet(dimension, check, rows, fails & ~asked, cycle, feed)
        failing[check.name] = fails
    return failing


def check_failures(dimension: TableSpec, batch: pa.RecordBatch) -> dict[str, np.ndarray]:
    """Check name -> rows of a landed change-feed file failing that check of `dimension` (DELETE
    rows too: they carry the old image, and verify judges every row of the file). What the
    manifest announces for the file, as a dimension's manifest counts its checks' failures."""
    from streamforge.engine.row_rules import holds

    columns = {name: batch.column(name) for name in batch.schema.names}
    failing = {}
    for check, reads in _judged(dimension, columns):
        fails = ~holds(pa.table({n: columns[n] for n in reads}), check.rule)
        if fails.any():
            failing[check.name] = fails
    return failing


def _judged(
    dimension: TableSpec, columns: Mapping[str, pa.Array]
) -> list[tuple[CheckSpec, set[str]]]:
    """The checks of `dimension` a feed row can be judged by, with the columns each reads: a
    check that reads a column the feed does not write (hidden, a lookup) is the dimension's."""
    from streamforge.expr.rowrefs import evaluation_names

    judged = []
    for check in dimension.checks:
        reads = set(evaluation_names(check.rule))
        if reads <= set(columns):
            judged.append((check, reads))
    return judged


def _same_values(rows: pa.Table, old: pa.Table, names: list[str]) -> np.ndarray:
    """Rows whose `names` columns equal the old image's (NULL equal to NULL)."""
    same = np.ones(rows.num_rows, dtype=bool)
    for name in names:
        if name in rows.column_names:
            previous = old.column(name).combine_chunks()
            new = rows.column(name).combine_chunks().cast(previous.type)
            equal = pc.fill_null(pc.equal(new, previous), False).to_numpy(zero_copy_only=False)
            both_null = pc.and_(pc.is_null(new), pc.is_null(previous))
            same &= equal | both_null.to_numpy(zero_copy_only=False)
    return same

"""A check without `anomaly_rate` holds for every generated row (DESIGN §3, table `checks:`).

The engine breaks a check only where it was asked to: the check's own `anomaly_rate`, or a row
that carries an anomaly or a NULL the rule reads (a column's `anomaly_rate`/`null_rate`, which the
manifest announces too). Any other row that fails the rule means the columns, as declared, cannot
meet it (`level > 10` with level in 1..5): generating stops before the batch lands, naming the
check, its file:line and the fix, instead of writing rows that a pipeline then quarantines.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa

from streamforge.errors import StreamForgeError, display_path
from streamforge.spec.model import CheckSpec, TableSpec


class UnmetCheck(StreamForgeError):
    """Generated rows fail a table check nobody asked to break."""

    exit_code = 2  # the schema asks for the impossible, like a schema error


def read_columns(rule: str, present: list[str]) -> list[str]:
    """The row's columns (lookups included) the rule reads."""
    from streamforge.expr.rowrefs import evaluation_names

    names = evaluation_names(rule)
    return [n for n in dict.fromkeys(names) if n in present]


def excused(rows: pa.Table, rule: str, faults: Mapping[str, np.ndarray]) -> np.ndarray:
    """Rows whose failing a check was asked for: an anomaly in any column or check (`faults`,
    aligned with `rows`), or a NULL in a column the rule reads."""
    asked = np.zeros(rows.num_rows, dtype=bool)
    for mask in faults.values():
        asked |= mask
    for name in read_columns(rule, rows.column_names):
        column = rows.column(name)
        if column.null_count:
            asked |= column.is_null().to_numpy(zero_copy_only=False)
    return asked


def refuse_unmet(
    table: TableSpec,
    check: CheckSpec,
    rows: pa.Table,
    unasked: np.ndarray,
    cycle: int,
    feed: str | None = None,
) -> None:
    """Raise UnmetCheck when any row fails `check` unasked (`unasked` True for those rows).
    `feed`: the change feed whose after-images of `table` the rows are (None: `table`'s own)."""
    count = int(unasked.sum())
    if count == 0:
        return
    shown = read_columns(check.rule, rows.column_names)
    first = int(np.flatnonzero(unasked)[0])
    example = ", ".join(f"{n}={rows.column(n)[first].as_py()!r}" for n in shown)
    where = f"{display_path(table.file)}:{check.line}" if table.file else table.name
    rows_of = f"after-images in change feed '{feed}'" if feed else "rows"
    raise UnmetCheck(
        f"{where}: check '{check.name}' (`{check.rule}`) of table '{table.name}' fails for "
        f"{count:,} of {rows.num_rows:,} {rows_of} (cycle {cycle}, e.g. {example or 'a row'}), "
        "but it has no anomaly_rate: the columns as declared cannot meet it, and nothing was "
        "written for this batch; constrain the columns it reads (min/max/values) so every row "
        "meets it, or compute one of them with expr: from the others, or give the check an "
        "anomaly_rate if breaking it is intended"
    )

"""`unique` for as long as the stream runs (DESIGN §3): each unique column's capacity, and the stop
when a batch would need more values than are left.

Row i of a unique column (its run-wide row number: the row key minus 1, or the entity key minus 1
for a change feed's after-image) gets element perm(i) of the column's finite space, a seeded
permutation. Values never repeat while i < capacity and no memory of used values is needed: the
checkpoint's row and key counters are all a restart needs. At i = capacity the run stops with this
module's message instead of wrapping around into repeats.
"""

from __future__ import annotations

from collections.abc import Iterator

from streamforge.engine.generators import generator_for
from streamforge.errors import StreamForgeError
from streamforge.plan import TablePlan
from streamforge.plan import checks as plan_checks
from streamforge.spec.locales import DEFAULT_LOCALE
from streamforge.spec.model import ColumnSpec


class UniqueExhausted(StreamForgeError):
    """A unique column has no value left that it has not written already."""


def unique_capacity(col: ColumnSpec, locale: str | None = None) -> int | None:
    """Distinct values a `unique` column of a table in `locale` (None: en_US) can take; None:
    not unique, or no end."""
    if not col.unique:
        return None
    return generator_for(col).locale_capacity(col, locale or DEFAULT_LOCALE)


def bounded_columns(table: TablePlan) -> Iterator[tuple[ColumnSpec, int]]:
    """(column, capacity) of the table's unique columns whose values can run out."""
    return plan_checks.bounded_columns(table, unique_capacity)


def check_room(table: TablePlan, last_index: int, cycle: int) -> None:
    """Raise UniqueExhausted when row number `last_index` (0-based; for a change feed the largest
    entity key minus 1) is past the space of one of the table's unique columns."""
    for col, room in bounded_columns(table):
        if last_index >= room:
            where = "the dimension" if table.kind == "dimension" else f"cycle {cycle}"
            raise UniqueExhausted(
                f"unique column '{table.name}.{col.name}' has no unused value left: its "
                f"{room:,} possible values are used up by row {last_index + 1:,} ({where}); "
                f"the run stops rather than repeat a value; {plan_checks.unique_fix(col)}, "
                "then start over with --fresh"
            )

"""What a value generator may know about the rows it fills: their place in time and in the run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from streamforge.spec.locales import DEFAULT_LOCALE
from streamforge.spec.model import TableSpec

if TYPE_CHECKING:
    from streamforge.engine.load_profile import EventClock


@dataclass(frozen=True, slots=True)
class RowSource:
    """The rest of the row, for fields that must agree with each other (one person, one place).

    A field never reads another column's output: it re-makes what it needs from the same seeds
    (`context(name)` is the context that column gets for these rows), so every column of a chunk
    can still be made alone, in any order, on any thread.
    """

    table: TableSpec  # every column of the table, whatever part of it is being made
    context: Callable[[str], ColumnContext]  # the context of another column of these rows
    stream: Callable[[str], np.random.Generator]  # the draws one entity's fields share
    # shared(name, make): make() once per chunk for every column that asks for `name`
    shared: Callable[[str, Callable[[], np.ndarray]], np.ndarray]
    # column -> its values already fixed for these rows (a change feed's kept sex on a rename):
    # a field that follows that column reads them instead of re-making a fresh draw
    known: Mapping[str, pa.Array] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ColumnContext:
    """Inputs of one column of one chunk. Generators must use only these (no clocks, no globals)."""

    rng: np.random.Generator
    stable: np.random.Generator  # same in every chunk and cycle: permutations for unique values
    rows: int
    row_index: np.ndarray  # run-wide row number of each row (dimension: key - 1); drives `unique`
    batch_position: np.ndarray  # index of each row inside its batch; orders event times
    batch_rows: int
    window: tuple[int, int]  # [start, end) of the batch's event time, microseconds since epoch
    history: tuple[int, int]  # [start, end) for dates of records that already exist
    event_time: bool  # True for facts and change feeds: datetimes fall in `window`
    clock: EventClock | None = None  # the table's `profile:` over `window`: where event times fall
    row: RowSource | None = None  # None for array elements and anomalies: no row to agree with
    # the table's Faker locale: array elements and map entries have no row, yet draw from the
    # table's people, places and providers (de_DE items were en_US before)
    locale: str = DEFAULT_LOCALE

    def child(self, rows: int) -> ColumnContext:
        """Context for the flattened elements of an array or map column."""
        index = np.arange(rows, dtype=np.int64)
        return ColumnContext(
            self.rng,
            self.stable,
            rows,
            index,
            index,
            rows,
            self.window,
            self.history,
            self.event_time,
            self.clock,
            locale=self.locale,
        )

"""Keys consistent in time (DESIGN §4): a row never references a key before the key's INSERT.

Each live key carries its birth: the change timestamp of the INSERT that made it, or `BEFORE_RUN`
for keys of a snapshot. A foreign key of a row with event time `t` is drawn among the keys born at
or before `t`; deleted keys are never live, so no row references a key after its DELETE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from streamforge.plan import TablePlan

BEFORE_RUN = np.iinfo(np.int64).min  # birth of a key that existed before the run began


@dataclass(frozen=True, slots=True)
class KeyBirths:
    """The live keys of one entity ordered by birth, for drawing keys born before a time.

    Most keys usually come from the snapshot (born BEFORE_RUN); only the keys born during the
    run (`new`, a short tail) are ever searched, so a lookup costs log(inserted keys) per row.
    """

    keys: np.ndarray  # int64 keys, ordered by birth
    born: np.ndarray  # int64 microseconds, non-decreasing, aligned with `keys`
    old: int  # how many keys (a prefix) were born before the run
    new_keys: np.ndarray  # keys born during the run, ascending
    new_born: np.ndarray  # their births, aligned with `new_keys`

    @classmethod
    def of(cls, keys: np.ndarray, born: np.ndarray) -> KeyBirths:
        """`keys` ascending (as entities hold them), `born` aligned with them."""
        # Keys are handed out in time order, so births usually rise with keys already.
        if len(born) > 1 and not bool(np.all(born[1:] >= born[:-1])):
            order = np.argsort(born, kind="stable")
            keys, born = keys[order], born[order]
        old = int(np.searchsorted(born, BEFORE_RUN, side="right"))
        by_key = np.argsort(keys[old:], kind="stable")
        return cls(keys, born, old, keys[old:][by_key], born[old:][by_key])

    @property
    def latest(self) -> int:
        return int(self.born[-1]) if len(self.born) else BEFORE_RUN

    def born_by(self, event_us: np.ndarray) -> np.ndarray:
        """How many keys (a prefix of `keys`) were born at or before each event time."""
        return self.old + np.searchsorted(self.born[self.old :], event_us, side="right")

    def birth_of(self, keys: np.ndarray) -> np.ndarray:
        """Birth of each of `keys`; BEFORE_RUN for a key from the snapshot or not live."""
        if not len(self.new_keys):
            return np.full(len(keys), BEFORE_RUN, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.new_keys, keys), len(self.new_keys) - 1)
        return np.where(self.new_keys[at] == keys, self.new_born[at], BEFORE_RUN)


def births_of(
    keys: Mapping[str, np.ndarray], born: Mapping[str, np.ndarray]
) -> dict[str, KeyBirths]:
    """KeyBirths of every entity that has a key born during the run (the others need no care)."""
    return {
        name: KeyBirths.of(keys[name], dates)
        for name, dates in born.items()
        if len(dates) and int(dates.max()) > BEFORE_RUN
    }


def draw_born_before(
    births: KeyBirths,
    event_us: np.ndarray,
    uniform: np.ndarray | None,
    zipf: np.ndarray | None = None,
) -> np.ndarray:
    """One key per row among those born at or before its event time (`uniform` in [0, 1), or
    `zipf` ranks from 1). A row before every birth gets the first-born key: the caller moves it."""
    count = births.born_by(event_us)
    if zipf is not None:
        index = np.mod(zipf - 1, np.maximum(count, 1))
    else:
        assert uniform is not None
        index = np.floor(uniform * count).astype(np.int64)
    return births.keys[np.minimum(index, len(births.keys) - 1)]


def micros_of(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(microseconds, valid) of a timestamp column; nulls have no place in time."""
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    filled = column.cast(pa.int64()).fill_null(0)
    return filled.to_numpy(zero_copy_only=False).astype(np.int64), valid


def keep_in_time(
    table: TablePlan,
    batch: pa.RecordBatch,
    births: Mapping[str, KeyBirths],
    rng: np.random.Generator,
    source: np.ndarray,
    faulted: bool,
) -> pa.RecordBatch:
    """A fact batch whose foreign keys were all born by their row's event time.

    Rows drawn in time are right already; this mends rows that event-time faults moved back (a
    late row), by redrawing the key among those born by then, and moves a row that precedes
    every birth (the first batch of an owned entity) to the birth of its keys. `source` maps
    rows to the rows before duplication, so an exact duplicate stays an exact copy; `faulted`:
    whether event-time faults moved rows.
    """
    event = table.event_time
    fks = table.foreign_keys.items()
    targets = [(c, births[fk.entity]) for c, fk in fks if fk.entity in births]
    if event is None or not targets or batch.num_rows == 0:
        return batch
    if not faulted and all(known.old for _, known in targets):
        return batch  # drawn in time, and every row had a key born before the run to draw
    schema = batch.schema
    stamp_at = schema.get_field_index(event)
    micros, timed = micros_of(batch.column(stamp_at))
    uniform = rng.random((int(source.max()) + 1, len(targets)))[source]
    floor = np.full(batch.num_rows, BEFORE_RUN, dtype=np.int64)
    for j, (name, key_births) in enumerate(targets):
        at = schema.get_field_index(name)
        keys, present = micros_of(batch.column(at))
        born = key_births.birth_of(keys)
        early = timed & present & (born > micros)
        if early.any():
            keys[early] = draw_born_before(key_births, micros[early], uniform[early, j])
            born = key_births.birth_of(keys)
            column = pa.array(keys, pa.int64(), mask=~present).cast(schema.field(at).type)
            batch = batch.set_column(at, schema.field(at), column)
        floor = np.maximum(floor, np.where(present, born, BEFORE_RUN))
    moved = timed & (floor > micros)
    if moved.any():
        micros[moved] = floor[moved]
        stamps = pa.array(micros, pa.int64(), mask=~timed).cast(schema.field(stamp_at).type)
        batch = batch.set_column(stamp_at, schema.field(stamp_at), stamps)
    return batch

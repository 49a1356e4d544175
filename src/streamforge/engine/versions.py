"""Dimension values as they stood at a moment: the state behind point-in-time lookups.

For each dimension that some expression looks into, the run keeps the looked-up columns only, as
versions `(key, valid_from, values)`: the snapshot's rows from BEFORE_RUN, and one version per
INSERT or UPDATE of its change feed from the change's timestamp (a DELETE leaves a tombstone).
A row with event time `t` reads the last version of its key with valid_from <= t: the dimension
after every change stamped at or before `t`, which is what an SCD2 history joined as of `t` gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from streamforge.engine.key_time import BEFORE_RUN

KEY, FROM, GONE = "__key", "__valid_from_us", "__deleted"
LATEST = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class Versions:
    keys: np.ndarray  # int64, ordered by (key, valid_from)
    valid_from: np.ndarray  # int64 microseconds; BEFORE_RUN for the snapshot's rows
    deleted: np.ndarray  # bool: a tombstone (the key's DELETE)
    values: pa.Table  # the looked-up columns, aligned with `keys`
    # bounds[k]: position of key k's first version (k from 0 to max key + 1): a lookup gathers
    # its key's range instead of a binary search over every key (a third of a lookup's time)
    bounds: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        top = int(self.keys[-1]) + 2 if len(self.keys) else 2
        object.__setattr__(self, "bounds", np.searchsorted(self.keys, np.arange(top)))

    @classmethod
    def snapshot(cls, keys: np.ndarray, values: pa.Table) -> Versions:
        order = np.argsort(keys, kind="stable")
        keys = keys[order].astype(np.int64)
        return cls(
            keys,
            np.full(len(keys), BEFORE_RUN, np.int64),
            np.zeros(len(keys), bool),
            values.take(pa.array(order)).combine_chunks(),
        )

    def at(self, keys: np.ndarray, times: np.ndarray) -> pa.Table:
        """The values of each key's last version with valid_from <= its time (a vectorised
        binary search within each key's versions); nulls where there is none."""
        inside = (keys >= 0) & (keys < len(self.bounds) - 1)
        at = np.where(inside, keys, 0)
        start = np.where(inside, self.bounds[at], 0)
        lo, hi = start.copy(), np.where(inside, self.bounds[at + 1], 0)
        active = lo < hi
        while active.any():
            mid = (lo + hi) // 2
            safe = np.minimum(mid, len(self.keys) - 1)
            before = self.valid_from[safe] <= times
            lo = np.where(active & before, mid + 1, lo)
            hi = np.where(active & ~before, mid, hi)
            active = lo < hi
        found = lo > start
        index = np.where(found, lo - 1, 0)
        if len(self.keys):
            found &= ~self.deleted[index]
        else:
            return _nulls(self.values.schema, len(keys))
        return self.values.take(pa.array(index, mask=~found))

    def changed(
        self, keys: np.ndarray, stamps: np.ndarray, deleted: np.ndarray, images: pa.Table
    ) -> Versions:
        """With one new version per change row (`keys`, their `stamps`, DELETEs flagged).
        Columns missing from `images` (the feed does not carry them) keep their last value."""
        latest = self.at(keys, np.full(len(keys), LATEST, np.int64))
        columns = [
            images.column(name).cast(field.type) if name in images.column_names else latest[name]
            for name, field in zip(self.values.column_names, self.values.schema, strict=True)
        ]
        added = pa.Table.from_arrays(columns, schema=self.values.schema)
        all_keys = np.concatenate([self.keys, keys.astype(np.int64)])
        all_from = np.concatenate([self.valid_from, stamps.astype(np.int64)])
        order = np.lexsort((all_from, all_keys))
        values = pa.concat_tables([self.values, added]).take(pa.array(order)).combine_chunks()
        gone = np.concatenate([self.deleted, deleted.astype(bool)])
        return Versions(all_keys[order], all_from[order], gone[order], values)

    def pruned(self, horizon: int) -> Versions:
        """Without the versions no row can ask for any more: those replaced at or before
        `horizon` (the earliest event time still to come), and keys deleted by then."""
        same_next = np.zeros(len(self.keys), bool)
        same_next[:-1] = self.keys[1:] == self.keys[:-1]
        next_from = np.append(self.valid_from[1:], LATEST)
        keep = ~(same_next & (next_from <= horizon))
        keep &= ~(self.deleted & (self.valid_from <= horizon))
        if keep.all():
            return self
        return Versions(
            self.keys[keep],
            self.valid_from[keep],
            self.deleted[keep],
            self.values.filter(pa.array(keep)),
        )

    def to_table(self) -> pa.Table:
        """One table for the checkpoint: the values beside key, valid_from and tombstone."""
        return (
            self.values.append_column(KEY, pa.array(self.keys, pa.int64()))
            .append_column(FROM, pa.array(self.valid_from, pa.int64()))
            .append_column(GONE, pa.array(self.deleted, pa.bool_()))
        )

    @classmethod
    def from_table(cls, table: pa.Table) -> Versions:
        return cls(
            table.column(KEY).to_numpy().astype(np.int64),
            table.column(FROM).to_numpy().astype(np.int64),
            table.column(GONE).to_numpy(zero_copy_only=False).astype(bool),
            table.drop_columns([KEY, FROM, GONE]),
        )


def _nulls(schema: pa.Schema, rows: int) -> pa.Table:
    return pa.Table.from_arrays([pa.nulls(rows, f.type) for f in schema], schema=schema)

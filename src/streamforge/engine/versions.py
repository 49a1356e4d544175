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
    # bounds[k + 1]: position of key k's first version, for k from -1 to max key + 2: a lookup
    # gathers its key's range instead of a binary search over every key (a third of a lookup's
    # time); keys outside are clipped to -1 or max key + 1, which have no versions.
    bounds: np.ndarray = field(init=False, repr=False, compare=False)
    # every key has one version from before the run, none deleted: a lookup is one gather
    snapshot_only: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        top = int(self.keys[-1]) if len(self.keys) else 0
        object.__setattr__(self, "bounds", np.searchsorted(self.keys, np.arange(-1, top + 3)))
        plain = bool(
            len(self.keys)
            and self.keys[0] >= 0
            and (self.valid_from == BEFORE_RUN).all()
            and not self.deleted.any()
            and (self.keys[1:] != self.keys[:-1]).all()
        )
        object.__setattr__(self, "snapshot_only", plain)

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

    def at(self, keys: np.ndarray, times: np.ndarray | None) -> pa.Table:
        """The values of each key's last version with valid_from <= its time; nulls where there
        is none (`times` may be None when `snapshot_only`: every time then reads the same).
        Most keys have one version (the snapshot's, never changed): those are read in one step,
        and only keys with several versions take a vectorised binary search."""
        if not len(self.keys):
            return _nulls(self.values.schema, len(keys))
        index, found = self.locate(keys, times)
        return self.values.take(pa.array(index, mask=~found))

    def locate(self, keys: np.ndarray, times: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(index, found) per key: the position of its last version with valid_from <= its time
        (0 where there is none or that version is a tombstone, then found is False)."""
        if not len(self.keys):
            return np.zeros(len(keys), np.int64), np.zeros(len(keys), bool)
        at = np.clip(keys, -1, len(self.bounds) - 3) + 1
        start = self.bounds[at]
        count = self.bounds[at + 1] - start
        if self.snapshot_only:
            found = count > 0
            return np.where(found, start, 0), found
        assert times is not None, "versions with changes need the rows' times"
        first = np.minimum(start, len(self.keys) - 1)
        # lo: one past the last version at or before the time (start when there is none)
        lo = start + ((count > 0) & (self.valid_from[first] <= times))
        several = np.flatnonzero(count > 1)
        if several.size:
            lo[several] = self._search(start[several], count[several], times[several])
        found = lo > start
        index = np.where(found, lo - 1, 0)
        found &= ~self.deleted[index]
        return index, found

    def _search(self, start: np.ndarray, count: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Binary search within each key's versions [start, start + count): one past the last
        with valid_from <= time."""
        lo, hi = start.copy(), start + count
        active = lo < hi
        while active.any():
            mid = (lo + hi) // 2
            before = self.valid_from[np.minimum(mid, len(self.keys) - 1)] <= times
            lo = np.where(active & before, mid + 1, lo)
            hi = np.where(active & ~before, mid, hi)
            active = lo < hi
        return lo

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

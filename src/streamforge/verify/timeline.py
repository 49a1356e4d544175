"""When each key of an entity lives: born at its INSERT, dead at its DELETE, in sequence and time.

Built from every change feed file before anything is judged, so a late change row (one that lands
in a later cycle's file, keeping its own sequence and timestamp) still dates its key correctly.
Snapshot keys (a dimension's cycle-0 file) are born before everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

EARLIEST = np.iinfo(np.int64).min
LATEST = np.iinfo(np.int64).max


@dataclass(slots=True)
class Lookup:
    """Per looked-up key: whether it ever existed, and its birth and death (order and µs)."""

    found: np.ndarray
    born_order: np.ndarray
    born_time: np.ndarray
    dead_order: np.ndarray
    dead_time: np.ndarray


@dataclass(slots=True)
class Timeline:
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    born_order: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    born_time: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    dead_order: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    dead_time: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    _births: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    _deaths: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)

    def born(self, keys: np.ndarray, order: np.ndarray | None = None, time=None) -> None:
        keys = np.asarray(keys, np.int64)
        order = np.full(len(keys), EARLIEST) if order is None else np.asarray(order, np.int64)
        time = np.full(len(keys), EARLIEST) if time is None else np.asarray(time, np.int64)
        self._births.append((keys, order, time))

    def died(self, keys: np.ndarray, order: np.ndarray, time: np.ndarray) -> None:
        self._deaths.append(tuple(np.asarray(a, np.int64) for a in (keys, order, time)))  # type: ignore[arg-type]

    def seal(self) -> None:
        """Fold what `born`/`died` collected: each key's earliest INSERT and earliest DELETE."""
        if self._births:
            keys, order, time = (np.concatenate(p) for p in zip(*self._births, strict=True))
            first = np.lexsort((order, keys))
            keys, order, time = keys[first], order[first], time[first]
            head = np.ones(len(keys), dtype=bool)
            head[1:] = keys[1:] != keys[:-1]
            self.keys, self.born_order, self.born_time = keys[head], order[head], time[head]
        self.dead_order = np.full(len(self.keys), LATEST)
        self.dead_time = np.full(len(self.keys), LATEST)
        if self._deaths:
            keys, order, time = (np.concatenate(p) for p in zip(*self._deaths, strict=True))
            last = np.lexsort((-order, keys))  # descending order: the earliest DELETE wins
            keys, order, time = keys[last], order[last], time[last]
            at = self._index(keys)
            hit = at >= 0
            self.dead_order[at[hit]] = order[hit]
            self.dead_time[at[hit]] = time[hit]
        self._births, self._deaths = [], []

    def _index(self, keys: np.ndarray) -> np.ndarray:
        at = np.searchsorted(self.keys, keys)
        clipped = np.minimum(at, max(len(self.keys) - 1, 0))
        found = (
            (at < len(self.keys)) & (self.keys[clipped] == keys)
            if len(self.keys)
            else (np.zeros(len(keys), dtype=bool))
        )
        return np.where(found, clipped, -1)

    def lookup(self, keys: np.ndarray) -> Lookup:
        at = self._index(np.asarray(keys, np.int64))
        found = at >= 0
        safe = np.maximum(at, 0)

        def pick(a: np.ndarray, missing: int) -> np.ndarray:
            return np.where(found, a[safe], missing) if len(a) else np.full(len(at), missing)

        return Lookup(
            found,
            pick(self.born_order, LATEST),
            pick(self.born_time, LATEST),
            pick(self.dead_order, EARLIEST),
            pick(self.dead_time, EARLIEST),
        )

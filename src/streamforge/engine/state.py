"""The run's memory between cycles: live keys, next keys, sequences, and change-feed entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from streamforge.engine.key_time import BEFORE_RUN, KeyBirths, births_of
from streamforge.engine.versions import Versions

if TYPE_CHECKING:
    from streamforge.engine.running import Totals


@dataclass(slots=True)
class EntityState:
    """Live keys of a dimension or owned entity; `table`: current rows, when a feed changes it."""

    key: str
    keys: np.ndarray  # sorted int64
    next_key: int
    table: pa.Table | None = None
    # Birth of each key (aligned with `keys`): its INSERT's change timestamp in microseconds,
    # BEFORE_RUN for keys of the snapshot. None: every key is from the snapshot.
    born: np.ndarray | None = None

    @classmethod
    def from_range(cls, key: str, rows: int) -> EntityState:
        return cls(key, np.arange(1, rows + 1, dtype=np.int64), rows + 1)

    def births(self) -> np.ndarray:
        if self.born is None:
            return np.full(len(self.keys), BEFORE_RUN, dtype=np.int64)
        return self.born


@dataclass(slots=True)
class FeedState:
    next_sequence: int = 1
    last_change_us: int = 0


@dataclass(slots=True)
class RunState:
    next_cycle: int = 0
    dimensions_written: bool = False
    next_row_key: dict[str, int] = field(default_factory=dict)
    entities: dict[str, EntityState] = field(default_factory=dict)
    feeds: dict[str, FeedState] = field(default_factory=dict)
    # Keys of changing entities that rows written once (other dimensions) reference: never deleted.
    pinned: dict[str, np.ndarray] = field(default_factory=dict)
    # Change rows held back by `late_rate`, per feed, until the cycle in their `_due_cycle`.
    held: dict[str, pa.Table] = field(default_factory=dict)
    # Per tracked dimension, what a pipeline with drop rules must hold: the replay of the landed
    # rows that pass the rules (engine/pipeline_state.py), beside the source state in `entities`.
    expected: dict[str, pa.Table] = field(default_factory=dict)
    # Per dimension that expressions look into, the looked-up columns as they changed over time
    # (engine/versions.py): point-in-time lookups read them.
    versions: dict[str, Versions] = field(default_factory=dict)
    # Per "<dimension>.<column>" that running totals start from, its postings: the values set by
    # the snapshot and by change rows that changed the column (engine/running.py) ...
    postings: dict[str, Versions] = field(default_factory=dict)
    # ... and per "<fact>.<column>" running total, the sums since each posting (Totals).
    totals: dict[str, Totals] = field(default_factory=dict)

    def live_keys(self) -> dict[str, np.ndarray]:
        return {name: entity.keys for name, entity in self.entities.items()}

    def births(self) -> dict[str, KeyBirths]:
        """Live keys by birth, of the entities that gained keys during the run."""
        born = {n: e.born for n, e in self.entities.items() if e.born is not None}
        return births_of(self.live_keys(), born)

"""The run's memory between cycles: live keys, next keys, sequences, and change-feed entities."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa


@dataclass(slots=True)
class EntityState:
    """Live keys of a dimension or owned entity; `table`: current rows, when a feed changes it."""

    key: str
    keys: np.ndarray  # sorted int64
    next_key: int
    table: pa.Table | None = None

    @classmethod
    def from_range(cls, key: str, rows: int) -> EntityState:
        return cls(key, np.arange(1, rows + 1, dtype=np.int64), rows + 1)


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

    def live_keys(self) -> dict[str, np.ndarray]:
        return {name: entity.keys for name, entity in self.entities.items()}

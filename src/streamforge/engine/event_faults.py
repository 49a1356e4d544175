"""Event-time faults of a fact batch: late rows, exact duplicates and out-of-order event times.

Real streams deliver late, twice and out of order; a pipeline's watermarks and de-duplication must
cope. Every faulty row is counted so tests and pipelines know the ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from streamforge.engine.late_rows import LateShare, late_rows_of_chunk, late_times
from streamforge.engine.seeding import FAULTS, rng_for
from streamforge.plan import TablePlan
from streamforge.plan.times import MAX_LATE_CYCLES


@dataclass(frozen=True, slots=True)
class FaultResult:
    batch: pa.RecordBatch
    source: np.ndarray  # row i of the result is row source[i] of the input
    counts: dict[str, int]


def has_faults(table: TablePlan) -> bool:
    spec = table.spec
    return bool(spec.late_rate or spec.duplicate_rate or spec.out_of_order_rate)


def apply_event_faults(
    table: TablePlan,
    batch: pa.RecordBatch,
    seed: int,
    cycle: int,
    chunk: int,
    interval_us: int,
    share: LateShare | None = None,
    batch_rows: int = 0,
) -> FaultResult:
    """`share`: a profiled fact's split of its batch (of `batch_rows` rows) into on-time and late
    rows (engine/late_rows.py); without it, each row is late with probability `late_rate`."""
    spec = table.spec
    rows = batch.num_rows
    rng = rng_for(seed, table.name, cycle, chunk, "", FAULTS)
    counts = {"late": 0, "duplicate": 0, "out_of_order": 0}
    source = np.arange(rows, dtype=np.int64)
    late = np.zeros(rows, dtype=bool)
    moved = np.zeros(rows, dtype=bool)
    event = table.event_time
    if event is not None and (rows > 1 or share is not None):
        index = batch.schema.get_field_index(event)
        stamps = batch.column(index)
        # A null event time (null_rate) has no time to move: such rows are never late or swapped.
        valid = stamps.is_valid().to_numpy(zero_copy_only=False)
        micros = stamps.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False).copy()
        if spec.out_of_order_rate:
            # Swap event times among a random subset: those rows now arrive out of time order.
            picked = np.flatnonzero((rng.random(rows) < spec.out_of_order_rate) & valid)
            shuffled = rng.permutation(picked)
            moved[picked[micros[picked] != micros[shuffled]]] = True
            micros[picked] = micros[shuffled]
        if share is not None:
            # The late rows that earlier cycles sent here, at times of their own windows.
            positions, back = late_rows_of_chunk(share, batch_rows, seed, table.name, cycle, chunk)
            placed = late_times(share, back, rng.random(len(back)))
            late[positions] = valid[positions]  # a null event time has no time to move
            micros[positions] = np.where(valid[positions], placed, micros[positions])
        elif spec.late_rate:
            # Late rows belong to an earlier cycle's window but arrive in this file.
            late = (rng.random(rows) < spec.late_rate) & valid
            cycles_back = rng.integers(1, MAX_LATE_CYCLES + 1, rows)
            micros = np.where(late, micros - cycles_back * interval_us, micros)
        column = pa.array(micros, pa.int64(), mask=~valid).cast(batch.schema.field(index).type)
        batch = batch.set_column(index, batch.schema.field(index), column)
    if spec.duplicate_rate and rows > 1:
        # A duplicate repeats an earlier row of the same file exactly (at-least-once delivery).
        dup = rng.random(rows) < spec.duplicate_rate
        dup[0] = False
        positions = np.flatnonzero(dup)
        source[positions] = np.floor(rng.random(len(positions)) * positions).astype(np.int64)
        source = _resolve(source)
        counts["duplicate"] = len(positions)
        batch = batch.take(pa.array(source))
    # Counted after duplication: a copy of a late row is late too, an overwritten one is gone.
    counts["late"] = int(late[source].sum())
    counts["out_of_order"] = int(moved[source].sum())
    return FaultResult(batch, source, counts)


def _resolve(source: np.ndarray) -> np.ndarray:
    """Follow copies of copies to the original row, so every duplicate is of an original."""
    resolved = source.copy()
    for _ in range(64):
        nxt = resolved[resolved]
        if np.array_equal(nxt, resolved):
            break
        resolved = nxt
    return resolved

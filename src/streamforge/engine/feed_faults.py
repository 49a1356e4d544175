"""Event-time faults of a change feed: late change rows, exact duplicates, rows out of order.

A change row's timestamp and sequence are its identity (`SEQUENCE BY` orders by them), so unlike a
fact's faults these never alter a value: they only change *which file* a row lands in and *where*
in it. A late row is held back and lands in a later cycle's file with its own timestamp and
sequence; a duplicate is an exact copy placed after its original; an out-of-order row is moved to
another position of the file. Replaying every landed row by sequence therefore still rebuilds the
generator's state once the held rows have landed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.seeding import FAULTS, rng_for
from streamforge.plan import TablePlan
from streamforge.plan.times import MAX_LATE_CYCLES  # the pipelines' watermark covers it

__all__ = ["DUE", "MAX_LATE_CYCLES", "FeedDelivery", "deliver_changes"]
DUE = "_due_cycle"  # column of a held row: the cycle whose file it lands in


@dataclass(frozen=True, slots=True)
class FeedDelivery:
    """What one cycle's file of a change feed holds, and the rows still held back after it."""

    batch: pa.RecordBatch  # the file's rows, in file order
    held: pa.Table | None  # feed columns + `_due_cycle`; None when nothing is held
    counts: dict[str, int]  # late / duplicate / out_of_order rows in this file; {} without faults


def deliver_changes(
    table: TablePlan,
    batch: pa.RecordBatch,
    held: pa.Table | None,
    seed: int,
    cycle: int,
    flush: bool = False,
) -> FeedDelivery:
    """Hold back, let arrive, copy and move the rows of this cycle's change batch.

    `held`: rows held back by earlier cycles (from the run state). `flush`: every held row lands
    now (the last cycle of a finite `generate`, so its landing holds every change).
    """
    spec = table.spec
    if not (spec.late_rate or spec.duplicate_rate or spec.out_of_order_rate) and held is None:
        return FeedDelivery(batch, None, {})
    rng = rng_for(seed, table.name, cycle, 0, "", FAULTS)
    rows = batch.num_rows
    fresh = pa.Table.from_batches([batch], batch.schema)
    late = rng.random(rows) < spec.late_rate
    due = cycle + rng.integers(1, MAX_LATE_CYCLES + 1, rows)
    arriving, still_held = _arrivals(held, cycle, flush, batch.schema)
    if late.any() and not flush:
        delayed = fresh.filter(pa.array(late)).append_column(DUE, pa.array(due[late], pa.int64()))
        still_held = delayed if still_held is None else pa.concat_tables([still_held, delayed])
        fresh = fresh.filter(pa.array(~late))
    landing = pa.concat_tables([fresh, arriving]) if arriving is not None else fresh
    n = landing.num_rows
    # Out of order: a random subset of rows trade places (each keeps its timestamp and sequence).
    order = np.arange(n, dtype=np.int64)
    picked = np.flatnonzero(rng.random(n) < spec.out_of_order_rate)
    order[picked] = rng.permutation(picked)
    moved = int((order != np.arange(n)).sum())
    # Duplicates: exact copies, each placed somewhere after its original (at-least-once delivery).
    copies = np.flatnonzero(rng.random(n) < spec.duplicate_rate)
    place = np.concatenate([np.arange(n, dtype=np.float64), copies + 0.5 + rng.random(len(copies))])
    place[n:] += np.floor(rng.random(len(copies)) * (n - copies)).astype(np.int64)
    source = np.concatenate([order, order[copies]])[np.argsort(place, kind="stable")]
    # Rows that came from an earlier cycle's batch are late, copies of them too.
    from_before = np.arange(n) >= fresh.num_rows
    counts = {
        "late": int(from_before[source].sum()),
        "duplicate": len(copies),
        "out_of_order": moved,
    }
    result = landing.take(pa.array(source)).combine_chunks().to_batches()
    out = result[0] if result else batch.slice(0, 0)  # every row held back: an empty file
    if still_held is not None and still_held.num_rows == 0:
        still_held = None
    return FeedDelivery(out, still_held, counts)


def _arrivals(
    held: pa.Table | None, cycle: int, flush: bool, schema: pa.Schema
) -> tuple[pa.Table | None, pa.Table | None]:
    """(rows of `held` that land in this cycle, rows still held afterwards)."""
    if held is None or held.num_rows == 0:
        return None, None
    # A checkpoint's Parquet may name list items differently: one schema for every held row.
    held = held.cast(schema.append(pa.field(DUE, pa.int64())))
    due = held.column(DUE)
    now = pa.array(np.ones(held.num_rows, dtype=bool)) if flush else pc.less_equal(due, cycle)
    arriving = held.filter(now).drop_columns([DUE]).cast(schema)
    rest = held.filter(pc.invert(now))
    return arriving, rest if rest.num_rows else None

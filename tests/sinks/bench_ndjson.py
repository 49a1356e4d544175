"""Measure `encode_ndjson` throughput on a typical fact batch (not collected by pytest).

Run on one core:  taskset -c 0 python tests/sinks/bench_ndjson.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pyarrow as pa

from streamforge.sinks._fast.json_text import encode_ndjson

ROWS = 262_144
RUNS = 20


def make_batch(rows: int = ROWS, seed: int = 7) -> pa.RecordBatch:
    """int64 ×3, timestamp[us, UTC], float64 (2 decimals), categorical string."""
    rng = np.random.default_rng(seed)
    start = 1_795_000_000_000_000  # late 2026, in microseconds
    statuses = np.array(["ACTIVE", "INACTIVE", "MAINTENANCE", "DECOMMISSIONED"])
    return pa.record_batch(
        {
            "reading_id": pa.array(np.arange(1, rows + 1, dtype=np.int64)),
            "meter_id": pa.array(rng.integers(1, 10_000, rows)),
            "customer_id": pa.array(rng.integers(1, 1_000_000, rows)),
            "reading_time": pa.array(
                start + np.sort(rng.integers(0, 30_000_000, rows)), pa.timestamp("us", "UTC")
            ),
            "kwh": pa.array(np.round(rng.random(rows) * 1000, 2)),
            "status": pa.array(statuses[rng.integers(0, len(statuses), rows)]),
        }
    )


def measure(label: str, batch: pa.RecordBatch) -> None:
    size = len(encode_ndjson(batch))  # warm-up
    seconds = []
    for _ in range(RUNS):
        began = time.perf_counter()
        encode_ndjson(batch)
        seconds.append(time.perf_counter() - began)
    median, best = statistics.median(seconds), min(seconds)
    print(
        f"{label:<22} median {median * 1e3:5.1f} ms = {ROWS / median / 1e6:4.2f} M rows/s, "
        f"best {best * 1e3:5.1f} ms = {ROWS / best / 1e6:4.2f} M rows/s, {size / ROWS:.0f} B/row"
    )


def main() -> None:
    batch = make_batch()
    measure("status as string", batch)
    status = batch.schema.get_field_index("status")
    encoded = batch.column(status).dictionary_encode()
    measure("status as dictionary", batch.set_column(status, "status", encoded))


if __name__ == "__main__":
    main()

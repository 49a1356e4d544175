"""The function Spark runs on executors, without Spark: each chunk number becomes the local
kernel's rows, then one tally row with that chunk's counts (what the manifest records)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pytest
from tests.times import micros

from streamforge import api
from streamforge.engine.rows import make_chunk
from streamforge.engine.session import Session
from streamforge.engine.settings import RunSettings
from streamforge.engine_spark.kernel import TALLY, Tally, chunk_batches

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
START = micros("2026-01-01T00:00:00Z")


def fact_request(sector: str, table: str, rows: int):
    """The request of `table` (a fact) in cycle 0, after the dimensions, made `rows` long."""
    plan = api.load_plan(sector, SCHEMA)
    session = Session(plan, RunSettings(seed=5, start_us=START))
    for output in session.dimensions():
        for _ in output.chunks:
            pass
    for output in session.cycle(0):
        if output.table.name == table:
            assert output.request is not None
            return replace(output.request, rows=rows)
        for _ in output.chunks:
            pass
    raise AssertionError(f"{sector} has no fact {table}")


# A fact with a column anomaly and event-time faults; one with a `checks:` rule and expressions.
@pytest.mark.parametrize(
    ("sector", "table"),
    [("Retail", "inventory_movements"), ("Retail", "order_lines"), ("Energy", "meter_readings")],
)
def test_each_chunk_is_the_kernels_rows_then_its_tally(sector: str, table: str) -> None:
    request = fact_request(sector, table, rows=140_000)  # three chunks
    numbers = pa.record_batch({"id": pa.array([2, 0], pa.int64())})  # any order, any partition
    out = list(chunk_batches(request, iter([numbers])))
    assert len(out) == 4
    for (data, counts), number in zip([out[0:2], out[2:4]], [2, 0], strict=True):
        chunk = make_chunk(request, number)
        assert data.column(TALLY).null_count == data.num_rows
        names = chunk.batch.schema.names
        assert (
            pa.Table.from_batches([data]).select(names).equals(pa.Table.from_batches([chunk.batch]))
        )
        assert counts.num_rows == 1
        assert all(counts.column(n).null_count == 1 for n in names)
        tally = json.loads(counts.column(TALLY)[0].as_py())
        assert tally == {
            "anomalies": dict(chunk.anomalies),
            "anomalous_rows": chunk.anomalous_rows,
            "faults": dict(chunk.faults),
        }


def test_the_tally_of_the_observed_counts_is_the_sum_over_chunks() -> None:
    request = fact_request("Retail", "order_lines", rows=140_000)
    chunks = [make_chunk(request, i) for i in range(request.chunk_count)]
    tally = Tally.of_chunks(chunks)
    assert tally.rows == sum(c.batch.num_rows for c in chunks) >= 140_000
    for name in chunks[0].anomalies:  # every name the kernel reports, zero counts included
        assert tally.anomalies[name] == sum(c.anomalies[name] for c in chunks)
    assert tally.anomalous_rows == sum(c.anomalous_rows for c in chunks)
    assert tally.faults == {k: sum(c.faults[k] for c in chunks) for k in chunks[0].faults}
    assert "line_amount_adds_up" in tally.anomalies  # a check's count, not only columns'


def test_an_empty_batch_records_no_counts() -> None:
    assert Tally.of_counts(0, []) == Tally(0, {}, 0, {})

"""The function Spark runs on executors, without Spark: each chunk number becomes the local
kernel's rows, then one tally row with that chunk's counts (what the manifest records)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from streamforge import api
from streamforge.engine.rows import make_chunk
from streamforge.engine.seeding import CHUNK_ROWS
from streamforge.engine.session import Session
from streamforge.engine.settings import RunSettings
from streamforge.engine_spark.kernel import MARK, Tally, TallyColumns, chunk_batches

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
START = api.parse_start("2026-01-01T00:00:00Z")


def first_fact(sector: str, rows: int):
    """The request of the first fact of cycle 0 that has anomalies, after the dimensions, made
    `rows` long."""
    plan = api.load_plan(sector, SCHEMA)
    session = Session(plan, RunSettings(seed=5, start_us=START))
    for output in session.dimensions():
        for _ in output.chunks:
            pass
    for output in session.cycle(0):
        if output.request is not None and TallyColumns.of(output.request).anomalies:
            return replace(output.request, rows=rows)
        for _ in output.chunks:
            pass
    raise AssertionError(f"{sector} has no fact with anomaly_rate")


@pytest.mark.parametrize("sector", ["Retail", "Energy"])
def test_each_chunk_is_the_kernels_rows_then_its_tally(sector: str) -> None:
    request = first_fact(sector, rows=200_000)  # several chunks
    assert request.chunk_count >= 2
    tally = TallyColumns.of(request)
    numbers = pa.record_batch({"id": pa.array([1, 0], pa.int64())})  # any order, any partition
    out = list(chunk_batches(request, tally, iter([numbers])))
    assert len(out) == 4
    for (data, counts), number in zip([out[0:2], out[2:4]], [1, 0], strict=True):
        chunk = make_chunk(request, number)
        assert not any(data.column(MARK).to_pylist())
        names = chunk.batch.schema.names
        assert (
            pa.Table.from_batches([data]).select(names).equals(pa.Table.from_batches([chunk.batch]))
        )
        assert counts.num_rows == 1 and counts.column(MARK).to_pylist() == [True]
        sums = {name: counts.column(name)[0].as_py() for name in tally.names()}
        read = tally.read(1, sums)
        assert read.anomalies == dict(chunk.anomalies)
        assert read.anomalous_rows == chunk.anomalous_rows
        assert read.faults == dict(chunk.faults)


def test_tally_of_the_observed_sums_matches_the_chunks() -> None:
    request = first_fact("Retail", rows=150_000)
    tally = TallyColumns.of(request)
    chunks = [make_chunk(request, i) for i in range(request.chunk_count)]
    sums = np.sum([tally.tally(c) for c in chunks], axis=0)
    rows = sum(c.batch.num_rows for c in chunks)
    observed = tally.read(rows, dict(zip(tally.names(), sums.tolist(), strict=True)))
    assert observed == Tally.of_chunks(chunks)
    assert rows >= CHUNK_ROWS  # the sums span chunks


def test_an_empty_batch_records_no_counts() -> None:
    request = first_fact("Retail", rows=10)
    assert TallyColumns.of(request).read(0, {}) == Tally(0, {}, 0, {})

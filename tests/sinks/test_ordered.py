"""Slices are encoded on the pool in any order and written in order; errors reach the caller."""

from __future__ import annotations

import io
import random
import threading
import time

import pyarrow as pa
import pytest

from streamforge.sinks._fast import ordered
from streamforge.sinks._fast.ordered import OrderedEncoder


def numbers(start: int, rows: int) -> pa.RecordBatch:
    return pa.record_batch({"n": pa.array(range(start, start + rows), pa.int64())})


def slow_text(batch: pa.RecordBatch) -> pa.Buffer:
    time.sleep(random.uniform(0, 0.01))  # finish out of order
    return pa.py_buffer("".join(f"{n}\n" for n in batch.column("n").to_pylist()).encode())


def test_slices_are_written_in_order_whatever_order_they_finish() -> None:
    stream = io.BytesIO()
    encoder = OrderedEncoder(stream, slow_text, slice_rows=7)
    for start in range(0, 300, 50):
        encoder.write(numbers(start, 50))
    encoder.close()
    assert stream.getvalue().decode().split() == [str(n) for n in range(300)]


def test_at_most_a_few_slices_are_held() -> None:
    gate, held = threading.Event(), []

    def blocked(batch: pa.RecordBatch) -> pa.Buffer:
        held.append(batch.num_rows)
        gate.wait(10)
        return pa.py_buffer(b"x")

    encoder = OrderedEncoder(io.BytesIO(), blocked, slice_rows=1)
    writer = threading.Thread(target=encoder.write, args=(numbers(0, 20),))
    writer.start()
    time.sleep(0.2)
    assert writer.is_alive() and len(held) <= ordered._IN_FLIGHT  # the caller waits
    gate.set()
    writer.join(10)
    encoder.close()
    assert len(held) == 20


def test_an_encoding_error_is_raised_to_the_caller() -> None:
    def broken(batch: pa.RecordBatch) -> pa.Buffer:
        if batch.column("n")[0].as_py() == 3:
            raise ValueError("cannot encode row 3")
        return pa.py_buffer(b".")

    encoder = OrderedEncoder(io.BytesIO(), broken, slice_rows=1)
    with pytest.raises(ValueError, match="row 3"):
        encoder.write(numbers(0, 40))
        encoder.close()


def test_a_write_error_is_raised_to_the_caller() -> None:
    class Full(io.BytesIO):
        def write(self, data) -> int:
            raise OSError(28, "No space left on device")

    encoder = OrderedEncoder(Full(), slow_text, slice_rows=5)
    encoder.write(numbers(0, 10))
    with pytest.raises(OSError, match="No space"):
        encoder.close()

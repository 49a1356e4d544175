"""The `json` format: newline-delimited JSON objects, the landing format Auto Loader reads best."""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

import pyarrow as pa

from .formats import check_batch, register_format
from .json_text import encode_ndjson

# Encoding is the costly part (Arrow compute, which releases the GIL), so batches are encoded on a
# small pool while earlier ones are written: on 2 cores this took 1.5M to over 2.5M rows/s.
# Batches are cut into slices first, so that even a single batch (a 100k-row dimension) keeps
# every encoder busy, and the first slice is written while the next ones are still encoded.
_ENCODERS = ThreadPoolExecutor(
    max_workers=max(2, min(4, os.cpu_count() or 2)), thread_name_prefix="ndjson"
)
SLICE_ROWS = 32_768
_IN_FLIGHT = 4  # slices encoded or being encoded beyond the one being written


class _NdjsonWriter:
    def __init__(self, stream: BinaryIO, schema: pa.Schema) -> None:
        self._stream = stream
        self._schema = schema
        self._pending: deque[Future[pa.Buffer]] = deque()

    def write(self, batch: pa.RecordBatch) -> None:
        check_batch(batch, self._schema)
        for start in range(0, batch.num_rows, SLICE_ROWS):
            self._pending.append(_ENCODERS.submit(encode_ndjson, batch.slice(start, SLICE_ROWS)))
            while len(self._pending) > _IN_FLIGHT:
                self._stream.write(self._pending.popleft().result())

    def close(self) -> None:
        # NDJSON has no footer: every written line is already a complete record.
        while self._pending:
            self._stream.write(self._pending.popleft().result())
        self._stream.flush()


class JsonFormat:
    """One JSON object per line, UTF-8; nested values stay nested, timestamps ISO-8601."""

    name = "json"
    extension = "json"

    def open(self, stream: BinaryIO, schema: pa.Schema) -> _NdjsonWriter:
        return _NdjsonWriter(stream, schema)


JSON = register_format(JsonFormat())

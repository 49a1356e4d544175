"""The `json` format: newline-delimited JSON objects, the landing format Auto Loader reads best."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

import pyarrow as pa

from .formats import check_batch, register_format
from .json_text import encode_ndjson

# Encoding text is the costly part (Arrow compute, which releases the GIL), so batches are encoded
# on a small pool while earlier ones are written: on 2 cores this took 1.5M to over 2.5M rows/s.
# Batches are cut into slices first, so that even a single batch (a 100k-row dimension) keeps
# every encoder busy, and the first slice is written while the next ones are still encoded.
ENCODERS = ThreadPoolExecutor(
    max_workers=max(2, min(4, os.cpu_count() or 2)), thread_name_prefix="encode"
)
SLICE_ROWS = 32_768
_IN_FLIGHT = 4  # slices encoded or being encoded beyond the one being written


class WrittenPages:
    """Asks the OS to drop a file's pages from its cache once they are written (Linux).

    A landing file can be gigabytes that nobody reads back soon: cached, it evicts the machine's
    useful pages, and each fresh page costs the writer (on a 2-core VM 1.5 GB took 1.9-5 s with
    fresh pages, 0.6-1 s recycling them); the closing fsync also finds little left to flush.
    `POSIX_FADV_DONTNEED` never loses data: dirty pages are only queued for writing, and dropped
    by a later call once clean. Streams without a file descriptor are left alone.
    """

    STEP = 16 << 20  # advise every 16 MiB, on all but the last 16 MiB written

    def __init__(self, stream: BinaryIO) -> None:
        self._fd: int | None = None
        if hasattr(os, "posix_fadvise"):
            try:
                self._fd = stream.fileno()
            except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
                self._fd = None
        self._written = self._advised = 0

    def wrote(self, size: int) -> None:
        if self._fd is None:
            return
        self._written += size
        if self._written - self._advised >= 2 * self.STEP:
            self._advised = self._written - self.STEP
            try:
                os.posix_fadvise(self._fd, 0, self._advised, os.POSIX_FADV_DONTNEED)
            except OSError:
                self._fd = None  # e.g. a pipe or a FUSE mount that refuses: stop asking


class OrderedEncoder:
    """Encode batches slice by slice on `ENCODERS`; write the bytes to `stream` in order.

    Text formats whose rows encode independently (NDJSON, CSV without its header) use it.
    """

    def __init__(self, stream: BinaryIO, encode: Callable[[pa.RecordBatch], pa.Buffer]) -> None:
        self._stream = stream
        self._encode = encode
        self._pages = WrittenPages(stream)
        self._pending: deque[Future[pa.Buffer]] = deque()

    def write(self, batch: pa.RecordBatch) -> None:
        for start in range(0, batch.num_rows, SLICE_ROWS):
            self._pending.append(ENCODERS.submit(self._encode, batch.slice(start, SLICE_ROWS)))
            while len(self._pending) > _IN_FLIGHT:
                self._write_next()

    def close(self) -> None:
        while self._pending:
            self._write_next()
        self._stream.flush()

    def _write_next(self) -> None:
        data = self._pending.popleft().result()
        self._stream.write(data)
        self._pages.wrote(data.size)


class _NdjsonWriter:
    def __init__(self, stream: BinaryIO, schema: pa.Schema) -> None:
        self._schema = schema
        self._encoder = OrderedEncoder(stream, encode_ndjson)

    def write(self, batch: pa.RecordBatch) -> None:
        check_batch(batch, self._schema)
        self._encoder.write(batch)

    def close(self) -> None:
        # NDJSON has no footer: every written line is already a complete record.
        self._encoder.close()


class JsonFormat:
    """One JSON object per line, UTF-8; nested values stay nested, timestamps ISO-8601."""

    name = "json"
    extension = "json"

    def open(self, stream: BinaryIO, schema: pa.Schema) -> _NdjsonWriter:
        return _NdjsonWriter(stream, schema)


JSON = register_format(JsonFormat())

"""Encode batches on the shared thread pool, write the results in order: used by every format.

Encoding is the costly part of writing (Arrow compute and the Parquet encoder release the GIL),
so batches are encoded on the pool (`streamforge.threads`, encoding first) while earlier ones
are written: on 2 cores this took NDJSON
from 1.5M to over 2.5M rows/s. Batches are cut into slices first, so that even a single batch
(a 100k-row dimension) keeps every encoder busy, and the first slice is written while the next
ones are still encoded.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import BinaryIO, Generic, TypeVar

import pyarrow as pa

from streamforge.threads import ENCODE, POOL

SLICE_ROWS = 32_768
_IN_FLIGHT = 4  # slices encoded or being encoded beyond the one being written

Encoded = TypeVar("Encoded")


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


class OrderedEncoder(Generic[Encoded]):
    """Encode slices of batches on the shared pool; hand the results to `emit` in order.

    By default a slice encodes to bytes that are written to `stream` (NDJSON, CSV without its
    header). A format with more structure (Parquet) encodes to its own type and emits it itself;
    `emit` returns how many bytes it wrote to `stream`.
    """

    def __init__(
        self,
        stream: BinaryIO,
        encode: Callable[[pa.RecordBatch], Encoded],
        emit: Callable[[Encoded], int] | None = None,
        slice_rows: int = SLICE_ROWS,
    ) -> None:
        self._stream = stream
        self._encode = encode
        self._emit = emit or self._write_bytes
        self._slice_rows = slice_rows
        self._pages = WrittenPages(stream)
        self._pending: deque[Future[Encoded]] = deque()

    def write(self, batch: pa.RecordBatch) -> None:
        # Slices of equal size: 34,464 rows make two of 17,232, not 32,768 and a straggler.
        count = -(-batch.num_rows // self._slice_rows)
        size = -(-batch.num_rows // count) if count else 0
        for start in range(0, batch.num_rows, size or 1):
            piece = batch.slice(start, size)
            self._pending.append(POOL.submit(ENCODE, self._encode, piece))
            while len(self._pending) > _IN_FLIGHT:
                self._emit_next()

    def close(self) -> None:
        """Emit every slice still pending (the caller writes any footer, then flushes)."""
        while self._pending:
            self._emit_next()
        self._stream.flush()

    def _emit_next(self) -> None:
        self._pages.wrote(self._emit(self._pending.popleft().result()))

    def _write_bytes(self, data: Encoded) -> int:
        assert isinstance(data, pa.Buffer)
        self._stream.write(data)
        return data.size

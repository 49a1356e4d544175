"""Encode batches on the shared thread pool, write the results in order: used by every format.

Encoding is the costly part of writing (Arrow compute and the Parquet encoder release the GIL),
so batches are encoded on the pool (`streamforge.threads`, encoding first) while earlier ones
are written: on 2 cores this took NDJSON
from 1.5M to over 2.5M rows/s. Batches are cut into slices first, so that even a single batch
(a 100k-row dimension) keeps every encoder busy, and the first slice is written while the next
ones are still encoded.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
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

    Queuing early also starts the disk writes while later slices are still encoded: with advice
    every 4 MiB (not 16) the closing fsync of a 20 MB file waited 3-14 ms instead of 17-25.
    """

    STEP = 4 << 20  # advise every 4 MiB, on all but the last 4 MiB written

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


def release_pages(fd: int) -> None:
    """Return a file's cached pages to the kernel once it is fsynced (all its pages are clean).

    On a VM, pages the kernel recycles while they are still warm are several times cheaper to
    write into than fresh ones: on the 2-core VM here, 20 MB files written one after another
    took ~48 ms each when their pages stayed cached and ~5 ms when each was released after its
    fsync. Landing files are read later, by another process, if at all.
    """
    if hasattr(os, "posix_fadvise"):
        # A file system that does not take advice loses nothing.
        with contextlib.suppress(OSError):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


class OrderedEncoder(Generic[Encoded]):
    """Encode slices of batches on the shared pool; hand the results to `emit` in order.

    By default a slice encodes to bytes that are written to `stream` (NDJSON, CSV without its
    header). A format with more structure (Parquet) encodes to its own type and emits it itself;
    `emit` returns how many bytes it wrote to `stream`.

    Results are emitted by the pool thread that finishes the next slice in order, as soon as it
    is ready: the caller's thread is mostly waiting for the engine's next chunk, and writing a
    file can take longer than encoding it (20 MB into the page cache took 8-75 ms on a 2-core
    VM). At most `_IN_FLIGHT` slices are held; an encoding or writing error is raised to the
    caller by the next `write` or by `close`.
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
        self._state = threading.Condition()
        self._ready: dict[int, Encoded] = {}  # encoded, waiting for earlier slices
        self._submitted = self._emitted = 0
        self._emitting = False  # a pool thread is writing results in order
        self._error: BaseException | None = None

    def write(self, batch: pa.RecordBatch) -> None:
        # Slices of equal size: 34,464 rows make two of 17,232, not 32,768 and a straggler.
        count = -(-batch.num_rows // self._slice_rows)
        size = -(-batch.num_rows // count) if count else 0
        for start in range(0, batch.num_rows, size or 1):
            with self._state:
                self._state.wait_for(lambda: self._in_flight() < _IN_FLIGHT or self._error)
                self._raise_error()
                index = self._submitted
                self._submitted += 1
            POOL.submit(ENCODE, self._encode_and_emit, index, batch.slice(start, size))

    def close(self) -> None:
        """Wait until every slice is written (the caller writes any footer, then flushes)."""
        with self._state:
            self._state.wait_for(lambda: self._in_flight() == 0 or self._error)
            self._raise_error()
        self._stream.flush()

    def _in_flight(self) -> int:
        return self._submitted - self._emitted

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _encode_and_emit(self, index: int, piece: pa.RecordBatch) -> None:
        try:
            encoded = self._encode(piece)
        except BaseException as error:
            self._fail(error)
            return
        with self._state:
            self._ready[index] = encoded
            if self._emitting:
                return  # the thread writing now takes this one too, in its turn
            self._emitting = True
        try:
            while True:
                with self._state:
                    if self._error is not None or self._emitted not in self._ready:
                        self._emitting = False
                        return
                    encoded = self._ready.pop(self._emitted)
                written = self._emit(encoded)  # outside the lock: writing takes long
                self._pages.wrote(written)
                with self._state:
                    self._emitted += 1
                    self._state.notify_all()
        except BaseException as error:
            self._fail(error)

    def _fail(self, error: BaseException) -> None:
        with self._state:
            self._error = self._error or error
            self._emitting = False
            self._ready.clear()
            self._state.notify_all()

    def _write_bytes(self, data: Encoded) -> int:
        assert isinstance(data, pa.Buffer)
        self._stream.write(data)
        return data.size

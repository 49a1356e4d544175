"""Files landed together in a local folder: their fsyncs overlap, their manifest lines wait.

Landing one file at a time costs three fsyncs (the file, its folder, the manifest line), each a
journal commit waited for in turn: on the 2-core VM here ten small files took ~140 ms of fsyncs,
more than generating a shipped sector. In a group, each file is fsynced and renamed into place on
a thread of its own while the next table is made (the file system commits the waiting fsyncs
together), and at the end the folders are fsynced at once and the group's manifest lines are
appended with one fsync: ten files took ~12 ms.

What a crash can leave is unchanged: a file's final name only ever holds its whole, fsynced
content (the rename follows the fsync), and the manifest names a file only once the file and
its folder's entry are on disk. A file whose fsync or rename failed gets no manifest line; its
temp file is removed and the error is raised when the group ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from ._fast.ordered import release_pages

# Threads that only wait in fsync (the GIL is released there): more than the cores, so the
# files of one cycle are committed together.
SYNC_THREADS = 8


class LandingGroup:
    """The pending files and manifest lines of one group (`LocalLanding.landed_together`)."""

    def __init__(self) -> None:
        self._threads = ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="streamforge-sync")
        self._files: dict[Path, Future[None]] = {}
        self._lines: list[tuple[Path | None, bytes]] = []  # (the file it names, the line)

    def write(self, final: Path, temp: Path, fill: Callable[[BinaryIO], object]) -> int:
        """Fill `temp` here; fsync it and rename it to `final` on a thread. Returns its size."""
        # O_EXCL: never share a temp file; mode 0o666 lets the umask decide, like open() does.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        stream = os.fdopen(fd, "wb")
        try:
            fill(stream)
            stream.flush()
            size = os.fstat(stream.fileno()).st_size
        except BaseException:
            stream.close()
            temp.unlink(missing_ok=True)
            raise
        self._files[final] = self._threads.submit(_land, stream, temp, final)
        return size

    def append(self, file: Path | None, line: bytes) -> None:
        """Hold a manifest line (naming `file`, or no file) until the group ends."""
        self._lines.append((file, line))

    def finish(self, append: Callable[[bytes], None]) -> tuple[Path, BaseException] | None:
        """Wait for every file, fsync their folders, `append` the held lines at once, but for
        those naming a file of this group that did not land; the first failed file and its
        error, if any. A line naming a file the group did not write (the Spark engine's
        executors write their own) is appended as it is."""
        failed: tuple[Path, BaseException] | None = None
        landed, lost = [], set()
        try:
            for final, pending in self._files.items():
                try:
                    pending.result()
                    landed.append(final)
                except BaseException as error:
                    failed = failed or (final, error)
                    lost.add(final)
            folders = sorted({final.parent for final in landed})
            for done in [self._threads.submit(fsync_directory, f) for f in folders]:
                done.result()  # raises: then no line is appended, as when a file's fsync fails
        finally:
            self._threads.shutdown(wait=True)
        lines = [line for file, line in self._lines if file not in lost]
        if lines:
            append(b"".join(lines))
        return failed


def _land(stream: BinaryIO, temp: Path, final: Path) -> None:
    try:
        with stream:
            os.fsync(stream.fileno())
            release_pages(stream.fileno())
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def fsync_directory(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX); Windows cannot open a folder to fsync it."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def named_file(root: Path, entry: Mapping[str, Any]) -> Path | None:
    """The landed file a manifest entry names (None: a folder of part files, or none)."""
    file = entry.get("file")
    return root / file if isinstance(file, str) else None

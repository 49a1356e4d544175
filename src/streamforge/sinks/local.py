"""The landing area as a local folder: atomic file writes, an append-only manifest, text state."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from streamforge.errors import storage_error

from ._fast.ordered import release_pages
from .formats import FileFormat
from .landing import (
    CONTROL_DIR,
    MANIFEST_PATH,
    FileRecord,
    LandingLocked,
    check_relpath,
    data_file_path,
)
from .local_clear import clear_landing, sweep_temp_files
from .local_group import LandingGroup, fsync_directory, named_file

__all__ = ["LocalLanding", "write_data_file"]


class LocalLanding:
    """A landing area in a local (or mounted) folder; implements `Landing`."""

    # Bytes written here cost a copy into the page cache, not an upload: the checkpoint keeps its
    # tables uncompressed (checkpoint.save).
    local = True

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._group: LandingGroup | None = None

    @contextlib.contextmanager
    def landed_together(self) -> Iterator[None]:
        """Within the block, data files are fsynced and renamed into place on threads of their
        own and manifest lines are held; at its end (also on an error) every file is waited
        for and the lines of those that landed are appended with one fsync (local_group.py).
        A block inside another joins the outer group.

        Raises:
            StorageError: a file or folder could not be made durable (raised at the end,
                unless another error is already on its way out).
        """
        if self._group is not None:
            yield
            return
        group = self._group = LandingGroup()
        failing = True
        try:
            yield
            failing = False
        finally:
            self._group = None
            # An error already on its way out wins over one of the group's end.
            with contextlib.suppress(Exception) if failing else contextlib.nullcontext():
                with _storage(self.root / MANIFEST_PATH):
                    failed = group.finish(self._append_lines)
                if failed is not None:
                    final, error = failed
                    problem = storage_error(error, final)
                    if problem is None:
                        raise error
                    raise problem from error

    def __repr__(self) -> str:
        return f"LocalLanding({str(self.root)!r})"

    def write_file(
        self,
        table: str,
        cycle: int,
        file_id: str,
        fmt: FileFormat,
        batches: Iterable[pa.RecordBatch],
        schema: pa.Schema,
    ) -> FileRecord:
        """Stream the batches into `<root>/<table>/<table>-c<cycle>-<file_id>.<ext>`, atomically."""
        if fmt.writes == "tables":  # a table format (Delta): one commit per cycle
            with _storage(self.root / table):
                commit = fmt.append_cycle(self.root / table, cycle, batches, schema)  # type: ignore[attr-defined]
            return FileRecord(table, cycle, table, commit.rows, 0, commit.version)
        relpath = data_file_path(table, cycle, file_id, fmt.extension)
        rows = 0

        def counted() -> Iterator[pa.RecordBatch]:
            nonlocal rows
            for batch in batches:
                rows += batch.num_rows
                yield batch

        final = self.root / relpath
        if self._group is None:
            size = write_data_file(final, fmt, counted(), schema)
        else:
            with _storage(final):
                final.parent.mkdir(parents=True, exist_ok=True)
                size = self._group.write(final, _temp_name(final), _filler(fmt, counted(), schema))
        return FileRecord(table=table, cycle=cycle, path=relpath, rows=rows, bytes=size)

    def append_manifest(self, entry: Mapping[str, Any]) -> None:
        """Append `entry` as one JSON line to `_streamforge/manifest.jsonl`, flushed to disk (in
        a `landed_together` block: once the file it names has landed, at the block's end)."""
        line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        if self._group is not None:
            self._group.append(named_file(self.root, entry), line)
        else:
            self._append_lines(line)

    def _append_lines(self, lines: bytes) -> None:
        path = self.root / MANIFEST_PATH
        with _storage(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            # A write cut short by a full disk leaves a torn last line: ignored when read, and
            # cut before the next entry is appended.
            with open(path, "a+b") as stream:
                _drop_torn_line(stream)
                stream.write(lines)
                stream.flush()
                os.fsync(stream.fileno())

    def read_manifest(self) -> list[dict[str, Any]]:
        """Every complete manifest line, oldest first; [] before the first append."""
        try:
            data = (self.root / MANIFEST_PATH).read_bytes()
        except FileNotFoundError:
            return []
        # A last line without its newline was cut off by a crash: that entry was never recorded.
        complete = data[: data.rfind(b"\n") + 1]
        return [json.loads(line) for line in complete.splitlines() if line.strip()]

    def write_text_atomic(self, relpath: str, text: str) -> None:
        """Replace `<root>/<relpath>` with `text` (UTF-8) so that readers see old or new, whole."""
        check_relpath(relpath)
        data = text.encode("utf-8")
        _replace_atomically(self.root / relpath, lambda stream: stream.write(data))

    def write_bytes_atomic(self, relpath: str, data: bytes) -> None:
        """Replace `<root>/<relpath>` with `data`, all at once."""
        check_relpath(relpath)
        _replace_atomically(self.root / relpath, lambda stream: stream.write(data))

    def read_bytes(self, relpath: str) -> bytes | None:
        check_relpath(relpath)
        try:
            return (self.root / relpath).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, relpath: str) -> None:
        """Remove a file if it exists."""
        check_relpath(relpath)
        (self.root / relpath).unlink(missing_ok=True)

    def rewrite_manifest(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Replace the whole manifest (a redone cycle drops the entries of its first attempt)."""
        text = "".join(
            json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in entries
        )
        self.write_text_atomic(MANIFEST_PATH, text)

    def clear(self) -> None:
        """Remove what StreamForge wrote here: every table folder in the manifest, and its state
        (moved aside at once, deleted on a thread: `local_clear.clear_landing`)."""
        clear_landing(self.root, {entry["table"] for entry in self.read_manifest()})

    def exists(self) -> bool:
        """True when a StreamForge run has written here (a manifest or a checkpoint)."""
        control = self.root / CONTROL_DIR
        return (control / "manifest.jsonl").exists() or (control / "state.json").exists()

    @contextlib.contextmanager
    def lock(self, owner: str, break_lock: bool = False) -> Iterator[str | None]:
        """Hold `_streamforge/lock` for the whole run: a second runner on this folder is refused.

        An OS lock (flock) dies with its process, so a crash never leaves a stale lock behind,
        and there is never one to take over: `break_lock` changes nothing, and the block
        receives None.
        """
        path = self.root / CONTROL_DIR / "lock"
        with _storage(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            stream = open(path, "a+")  # noqa: SIM115 - held open for the lock's lifetime
        try:
            try:
                fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                stream.seek(0)
                holder = stream.read().strip() or "another process"
                raise LandingLocked(f"{self.root} is in use by {holder}") from None
            with _storage(path):
                stream.seek(0)
                stream.truncate()
                stream.write(owner)
                stream.flush()
                sweep_temp_files(self.root)  # safe: we hold the lock
            yield None
        finally:
            stream.close()

    def read_text(self, relpath: str) -> str | None:
        """The UTF-8 text at `<root>/<relpath>`, or None if the file does not exist."""
        check_relpath(relpath)
        try:
            return (self.root / relpath).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None


def write_data_file(
    final: Path, fmt: FileFormat, batches: Iterable[pa.RecordBatch], schema: pa.Schema
) -> int:
    """Write `batches` as one `fmt` file at `final`, atomically (see `_replace_atomically`);
    returns its size in bytes. Also what the Spark engine's executors write each part with."""
    return _replace_atomically(final, _filler(fmt, batches, schema))


def _filler(
    fmt: FileFormat, batches: Iterable[pa.RecordBatch], schema: pa.Schema
) -> Callable[[BinaryIO], None]:
    def fill(stream: BinaryIO) -> None:
        writer = fmt.open(stream, schema)
        for batch in batches:
            writer.write(batch)
        writer.close()

    return fill


def _temp_name(final: Path) -> Path:
    """A hidden name beside `final`: Auto Loader skips it, and the rename stays on one file
    system, where it is atomic."""
    return final.with_name(f".{final.name}.{secrets.token_hex(4)}.tmp")


def _replace_atomically(final: Path, fill: Callable[[BinaryIO], object]) -> int:
    """Write via a hidden temp file beside `final`, fsync, rename over it; returns the size.

    The temp name starts with "." so Auto Loader ignores it, and lives in the same folder so the
    rename stays on one file system, where it is atomic.
    """
    with _storage(final):
        return _replace(final, fill)


def _replace(final: Path, fill: Callable[[BinaryIO], object]) -> int:
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_name(final)
    try:
        # O_EXCL: never share a temp file; mode 0o666 lets the umask decide, like open() does.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as stream:
            fill(stream)
            stream.flush()
            os.fsync(stream.fileno())
            size = os.fstat(stream.fileno()).st_size
            release_pages(stream.fileno())
        os.replace(temp, final)
    except BaseException:
        # Also on KeyboardInterrupt: a stopped run must not leave its half-written file behind.
        temp.unlink(missing_ok=True)
        raise
    fsync_directory(final.parent)
    return size


@contextlib.contextmanager
def _storage(path: Path) -> Iterator[None]:
    """Say a full disk or a refused path as such (a StorageError, which the CLI prints as one line),
    naming `path` when the OS error names none (a write or an fsync on an open file)."""
    try:
        yield
    except Exception as exc:
        problem = storage_error(exc, path)
        if problem is None:
            raise
        raise problem from exc


def _drop_torn_line(stream: BinaryIO) -> None:
    """Cut a last line left without its newline by a crash, so the next entry starts clean."""
    end = stream.seek(0, os.SEEK_END)
    if end == 0:
        return
    stream.seek(end - 1)
    if stream.read(1) == b"\n":
        return
    stream.seek(0)
    data = stream.read()
    stream.truncate(data.rfind(b"\n") + 1)

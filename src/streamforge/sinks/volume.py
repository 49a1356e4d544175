"""The landing area in a Unity Catalog Volume, written through the Databricks Files API.

`/Volumes` is not mounted inside Databricks Apps, so every byte goes through `databricks-sdk`'s
`WorkspaceClient().files`. The Files API has no rename and no append, which shapes this sink:

- a data file is built whole first (in memory, spilling to a local temp file past `spool_bytes`),
  then uploaded once under its final name; one PUT is all-or-nothing for readers, so no temp name
  is ever needed (and Auto Loader never sees one);
- the manifest is held in memory after the first read and uploaded whole. Entries are batched
  until the next checkpoint write, which flushes them first, so state.json never lists a cycle the
  manifest lacks; an entry for a table the manifest does not name yet is uploaded at once, so
  `clear()` can always find every table folder;
- the lock is `_streamforge/lock.json` with a heartbeat that a daemon thread refreshes: best effort,
  as object storage offers no lock that dies with its process (`volume_lock.py`).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from posixpath import dirname
from typing import IO, Any

import pyarrow as pa

from streamforge.errors import StorageError, StreamForgeError, storage_error

from .formats import FileFormat
from .landing import (
    CONTROL_DIR,
    MANIFEST_PATH,
    STATE_PATH,
    FileRecord,
    check_relpath,
    data_file_path,
)
from .volume_files import RetryPolicy, VolumeFiles, VolumePath
from .volume_lock import HeartbeatLock

__all__ = ["LOCK_PATH", "RetryPolicy", "VolumeLanding", "VolumePath"]

LOCK_PATH = f"{CONTROL_DIR}/lock.json"
_MIB = 1024 * 1024
_MAX_PENDING = 256  # entries held back at most, should nothing write a checkpoint for a while
_LOG = logging.getLogger(__name__)


class VolumeLanding:
    """A landing area under `/Volumes/<catalog>/<schema>/<volume>/...`; implements `Landing`."""

    def __init__(
        self,
        where: VolumePath,
        client: Any,
        *,
        retry: RetryPolicy | None = None,
        lock_timeout: float = 75.0,
        heartbeat_every: float = 15.0,
        batch_manifest: bool = True,
        spool_bytes: int = 64 * _MIB,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.where, self.root = where, where.root
        host = getattr(getattr(client, "config", None), "host", "") or ""
        self._io = VolumeFiles(client.files, where, retry or RetryPolicy(), host)
        self._lock = HeartbeatLock(
            self._io,
            where.file(LOCK_PATH),
            where.root,
            timeout=lock_timeout,
            every=heartbeat_every,
            now=wall_clock,
        )
        self._batch, self._spool_bytes = batch_manifest, spool_bytes
        self._manifest: list[dict[str, Any]] | None = None  # None until first read
        self._listed: set[str] = set()  # tables named by the manifest as uploaded
        self._pending = 0  # entries appended since the last upload
        self._opened = False
        self._folders: set[str] = set()

    @classmethod
    def from_path(cls, dest: str, client: Any | None = None, **options: Any) -> VolumeLanding:
        """`/Volumes/c/s/v/path` or `dbfs:/Volumes/...`; the client defaults to `WorkspaceClient()`,
        which authenticates the SDK's usual way (DATABRICKS_HOST + DATABRICKS_TOKEN, a profile, or
        a Databricks App's service principal)."""
        where = VolumePath.parse(str(dest))
        if client is None:
            from databricks.sdk import WorkspaceClient

            try:
                client = WorkspaceClient()
            except ValueError as exc:  # the SDK found no credentials to use
                raise StreamForgeError(
                    f"cannot connect to Databricks to write {dest}: {exc}. Set DATABRICKS_HOST and "
                    "DATABRICKS_TOKEN, or DATABRICKS_CONFIG_PROFILE; a Databricks App uses its "
                    "service principal"
                ) from None
        return cls(where, client, **options)

    def __repr__(self) -> str:
        return f"VolumeLanding({self.root!r})"

    def write_file(
        self,
        table: str,
        cycle: int,
        file_id: str,
        fmt: FileFormat,
        batches: Iterable[pa.RecordBatch],
        schema: pa.Schema,
    ) -> FileRecord:
        """Build the file whole, then upload it once under `<table>/<table>-c<cycle>-<id>.<ext>`."""
        relpath = data_file_path(table, cycle, file_id, fmt.extension)
        self._check_held()
        rows = 0
        with tempfile.SpooledTemporaryFile(max_size=self._spool_bytes) as spool:
            try:
                writer = fmt.open(spool, schema)  # type: ignore[arg-type]
                for batch in batches:
                    writer.write(batch)
                    rows += batch.num_rows
                writer.close()
                size = spool.seek(0, io.SEEK_END)
            except OSError as exc:  # past spool_bytes the file is built in the local temp folder
                problem = storage_error(exc, tempfile.gettempdir())
                if problem is None:
                    raise
                raise StorageError(
                    f"building {relpath} before its upload, in the local temp folder: {problem}; "
                    "or set TMPDIR to a folder with room"
                ) from exc
            self._folder(table)
            self._io.put(self.where.file(relpath), _Body(spool))
        return FileRecord(table=table, cycle=cycle, path=relpath, rows=rows, bytes=size)

    def append_manifest(self, entry: Mapping[str, Any]) -> None:
        """Record `entry`; uploaded with the next checkpoint, or now if its table is new."""
        self._check_held()
        entries = self._entries()
        record = json.loads(_line(entry))  # a copy, and proof that it serialises, before keeping it
        entries.append(record)
        self._pending += 1
        new_table = str(record.get("table")) not in self._listed
        if not self._batch or new_table or self._pending >= _MAX_PENDING:
            self.flush()

    def flush(self) -> None:
        """Upload manifest entries that are held back, if any."""
        if self._pending and self._manifest is not None:
            self._upload_manifest()

    def read_manifest(self) -> list[dict[str, Any]]:
        """Every entry, oldest first (held-back ones included); downloaded once, then cached."""
        return [dict(entry) for entry in self._entries()]

    def rewrite_manifest(self, entries: Iterable[Mapping[str, Any]]) -> None:
        self._check_held()
        self._manifest = [json.loads(_line(entry)) for entry in entries]
        self._upload_manifest()

    def write_text_atomic(self, relpath: str, text: str) -> None:
        """One PUT with overwrite: readers see the old file or the new one, whole."""
        self.write_bytes_atomic(relpath, text.encode("utf-8"))

    def write_bytes_atomic(self, relpath: str, data: bytes) -> None:
        check_relpath(relpath)
        self._check_held()
        if relpath != MANIFEST_PATH:
            self.flush()  # a checkpoint must never get ahead of the manifest
        self._upload(relpath, data)
        if relpath == MANIFEST_PATH:  # written behind the cache's back: read it again next time
            self._manifest, self._pending = None, 0

    def read_text(self, relpath: str) -> str | None:
        data = self.read_bytes(relpath)
        return None if data is None else data.decode("utf-8")

    def read_bytes(self, relpath: str) -> bytes | None:
        check_relpath(relpath)
        return self._io.get(self.where.file(relpath))

    def delete(self, relpath: str) -> None:
        """Remove a file if it exists (a 404 is what deleting wanted)."""
        check_relpath(relpath)
        self._check_held()
        self._io.delete(self.where.file(relpath))

    def clear(self) -> None:
        """Remove every table folder in the manifest, and the control files but the lock."""
        self._check_held()
        for table in sorted({entry["table"] for entry in self._entries()}):
            check_relpath(table)
            self._io.remove_tree(self.where.file(table), keep=lambda path: False)
        lock = self.where.file(LOCK_PATH)
        control = self.where.file(CONTROL_DIR)
        self._io.remove_tree(control, keep=lambda path: path == lock, remove_root=False)
        self._manifest, self._listed, self._pending = [], set(), 0
        self._folders.clear()

    def exists(self) -> bool:
        """True when a StreamForge run has written here (a manifest or a checkpoint)."""
        if self._manifest:
            return True
        return any(self._io.exists(self.where.file(p)) for p in (MANIFEST_PATH, STATE_PATH))

    @contextlib.contextmanager
    def lock(self, owner: str, break_lock: bool = False) -> Iterator[str | None]:
        """Hold `_streamforge/lock.json` while the run lasts, refreshing its heartbeat.

        Refused (LandingLocked) while another holder may be alive: its heartbeat is younger than
        `lock_timeout` (five heartbeats by default) and it is not a process of this machine that
        has exited. A lock whose holder is gone, or any with `break_lock`, is taken over; the
        block then receives a sentence saying from whom and why (else None).
        """
        self._folder(CONTROL_DIR)
        with self._lock.hold(owner, break_lock) as taken_over:
            if not self._pending:
                self._manifest = None  # another runner may have written since we last read
            yield taken_over
            self.flush()

    def _check_held(self) -> None:
        if self._lock.lost_to is not None:
            raise StreamForgeError(
                f"lost the lock on {self.root} to {self._lock.lost_to}, which took it over when "
                "this run's heartbeat went stale; stopped so that two runs never write one landing "
                "area"
            )

    def _entries(self) -> list[dict[str, Any]]:
        if self._manifest is None:
            data = self._io.get(self.where.file(MANIFEST_PATH)) or b""
            complete = data[: data.rfind(b"\n") + 1]  # a torn last line was never recorded
            self._manifest = [json.loads(line) for line in complete.splitlines() if line.strip()]
            self._listed = {str(entry.get("table")) for entry in self._manifest}
            self._pending = 0
        return self._manifest

    def _upload_manifest(self) -> None:
        entries = self._manifest or []
        self._upload(MANIFEST_PATH, "".join(_line(entry) for entry in entries).encode("utf-8"))
        self._listed = {str(entry.get("table")) for entry in entries}
        self._pending = 0

    def _upload(self, relpath: str, data: bytes) -> None:
        self._folder(dirname(relpath))
        self._io.put(self.where.file(relpath), io.BytesIO(data))

    def _folder(self, relfolder: str) -> None:
        """mkdir -p, once per folder and landing object; before the first, check the volume."""
        if not self._opened:
            self._io.check_volume()
            self._opened = True
        if relfolder not in self._folders:
            self._io.makedirs(self.where.file(relfolder) if relfolder else self.root)
            self._folders.add(relfolder)


class _Body(io.RawIOBase):
    """The spooled file as an upload body, without `fileno()`: requests sizes a body through
    fileno() when it can, and SpooledTemporaryFile.fileno() would move a small file to disk."""

    def __init__(self, spool: IO[bytes]) -> None:
        super().__init__()
        self._spool = spool

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._spool.seek(offset, whence)

    def tell(self) -> int:
        return self._spool.tell()

    def readinto(self, buffer: Any) -> int:
        data = self._spool.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _line(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"

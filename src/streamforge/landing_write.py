"""Write one table's batch to a landing area: the file (one per table per cycle), then its
manifest line (rows, anomalies, faults, window); and claim the landing for a new finite run."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from streamforge.engine.rows import Chunk
from streamforge.engine.session import Session, TableOutput
from streamforge.errors import StreamForgeError
from streamforge.sinks.formats import FileFormat
from streamforge.sinks.landing import Landing

ProgressCallback = Callable[[str, int], None]  # (table, rows just written)
FileCallback = Callable[["WrittenFile"], None]


class WriteStopped(Exception):
    """The stop event was set while a file was being written: the file was not landed (its
    temporary file is removed; nothing was uploaded or committed) and no manifest line written."""


@dataclass(frozen=True, slots=True)
class WrittenFile:
    table: str
    kind: str
    cycle: int
    path: str
    rows: int
    bytes: int
    anomalies: dict[str, int]
    anomalous_rows: int


def claim_landing(landing: Landing, where: str, fresh: bool) -> None:
    """Refuse to mix two runs in one landing area (`where` names it); with `fresh`, clear what
    StreamForge wrote there first, under the landing's lock. Raises StreamForgeError."""
    if not landing.exists():
        return
    if not fresh:
        raise StreamForgeError(
            f"{where} already holds a StreamForge landing area; pass --fresh (fresh=True) to "
            "replace it, or `streamforge run` to continue it, or choose another destination"
        )
    with landing.lock(f"streamforge generate (pid {os.getpid()})"):
        landing.clear()


@dataclass(slots=True)
class GenerateResult:
    """What a finite generate wrote: the files, in the order they landed."""

    sector: str
    out: Path
    seed: int
    cycles: int
    files: list[WrittenFile] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


def file_id(seed: int, cycle: int) -> str:
    """Eight hex digits from the seed and the cycle: a redone cycle writes the same names."""
    return hashlib.sha256(f"streamforge:{seed}:{cycle}".encode()).hexdigest()[:8]


class OutputWriter(Protocol):
    """Lands one TableOutput and records it in the manifest: `write_output` (this process), or
    the Spark engine's writer (`engine_spark.writer.SparkFiles`)."""

    def __call__(
        self,
        landing: Landing,
        output: TableOutput,
        fmt: FileFormat,
        seed: int,
        window: tuple[int, int],
        on_rows: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        scenario: dict | None = None,
    ) -> WrittenFile: ...


def write_session(
    session: Session,
    landing: Landing,
    fmt: FileFormat,
    cycles: int,
    write: OutputWriter | None = None,
    on_rows: ProgressCallback | None = None,
    on_file: FileCallback | None = None,
) -> None:
    """A finite run without waiting: the dimensions, then `cycles` batches of every fact and
    change feed, each handed to `write` (default `write_output`) and then to `on_file`."""
    write = write or write_output
    settings, seed = session.settings, session.settings.seed
    with landed_together(landing):
        for output in session.dimensions():
            written = write(landing, output, fmt, seed, (settings.start(),) * 2, on_rows)
            if on_file is not None:
                on_file(written)
    for cycle in range(cycles):
        window = settings.window(cycle)
        with landed_together(landing):  # a cycle's files: memory stays bounded by one cycle
            # A finite run lands every change: rows held back as late arrive in its last file.
            for output in session.cycle(cycle, final=cycle == cycles - 1):
                written = write(landing, output, fmt, seed, window, on_rows)
                if on_file is not None:
                    on_file(written)


def landed_together(landing: Landing) -> contextlib.AbstractContextManager[None]:
    """The landing's group of files made durable together, where it has one (a local folder:
    `LocalLanding.landed_together`); else each file and line lands on its own."""
    together = getattr(landing, "landed_together", None)
    return together() if together is not None else contextlib.nullcontext()


def write_output(
    landing: Landing,
    output: TableOutput,
    fmt: FileFormat,
    seed: int,
    window: tuple[int, int],
    on_rows: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    scenario: dict | None = None,
) -> WrittenFile:
    """Stream one table's batch into its landing file, then record it in the manifest.

    Raises:
        WriteStopped: `stop` was set between two chunks (65,536 rows at most), so a stop asked in
            the middle of a large dimension is honoured within a chunk, not after the table.
    """
    anomalies: dict[str, int] = {}
    faults: dict[str, int] = {}
    flagged = [0]

    def batches(chunks: Iterator[Chunk]) -> Iterator[pa.RecordBatch]:
        for chunk in chunks:
            if stop is not None and stop.is_set():
                raise WriteStopped(output.table.name)
            for column, count in chunk.anomalies.items():
                anomalies[column] = anomalies.get(column, 0) + count
            flagged[0] += chunk.anomalous_rows
            for fault, count in chunk.faults.items():
                faults[fault] = faults.get(fault, 0) + count
            if on_rows is not None:
                on_rows(output.table.name, chunk.batch.num_rows)
            yield chunk.batch

    record = landing.write_file(
        output.table.name,
        output.cycle,
        file_id(seed, output.cycle),
        fmt,
        batches(output.chunks),
        output.schema,
    )
    written = WrittenFile(
        output.table.name,
        output.table.kind,
        output.cycle,
        record.path,
        record.rows,
        record.bytes,
        anomalies,
        flagged[0],
    )
    record_written(landing, written, fmt, faults, window, record.version, scenario, output.record)
    return written


def record_written(
    landing: Landing,
    written: WrittenFile,
    fmt: FileFormat,
    faults: dict[str, int],
    window: tuple[int, int],
    version: int | None = None,
    scenario: dict | None = None,
    run: dict | None = None,
) -> None:
    """Append the manifest line of one landed file (or, from the Spark engine, one cycle's
    folder of part files): what `verify`, the landing view and the quality report read. `run`:
    seed, scale, run start and expected rows (TableOutput.record), for `verify`'s row count."""
    landing.append_manifest(
        {
            "table": written.table,
            "kind": written.kind,
            "cycle": written.cycle,
            "file": written.path,
            "format": fmt.name,
            "rows": written.rows,
            "bytes": written.bytes,
            "anomalies": written.anomalies,
            "anomalous_rows": written.anomalous_rows,
            "faults": faults,
            **({"version": version} if version is not None else {}),
            **({"scenario": scenario} if scenario else {}),
            "window_start": _iso(window[0]),
            "window_end": _iso(window[1]),
            **(run or {}),
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )


def _iso(micros: int) -> str:
    return datetime.fromtimestamp(micros / 1_000_000, UTC).isoformat().replace("+00:00", "Z")

"""Write one table's batch to a landing area: the file (one per table per cycle), then its
manifest line (rows, anomalies, faults, window)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa

from streamforge.engine.rows import Chunk
from streamforge.engine.session import TableOutput
from streamforge.sinks.formats import FileFormat
from streamforge.sinks.landing import Landing

ProgressCallback = Callable[[str, int], None]  # (table, rows just written)


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


def file_id(seed: int, cycle: int) -> str:
    """Eight hex digits from the seed and the cycle: a redone cycle writes the same names."""
    return hashlib.sha256(f"streamforge:{seed}:{cycle}".encode()).hexdigest()[:8]


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
            **({"version": record.version} if record.version is not None else {}),
            **({"scenario": scenario} if scenario else {}),
            "window_start": _iso(window[0]),
            "window_end": _iso(window[1]),
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    return written


def _iso(micros: int) -> str:
    return datetime.fromtimestamp(micros / 1_000_000, UTC).isoformat().replace("+00:00", "Z")

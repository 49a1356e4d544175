"""The table variant: each batch appended to a catalog table with `saveAsTable` (Delta on
Databricks), instead of a landing folder; the manifest lines stay in memory."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamforge.engine_spark.kernel import Made
from streamforge.engine_spark.writer import batch_frame, settle
from streamforge.publish import ProgressCallback, WrittenFile, record_written
from streamforge.sinks.formats import FileFormat

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from streamforge.engine.session import TableOutput


@dataclass
class TableManifest:
    """Where `record_written` puts the manifest lines of a table run: a list."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def append_manifest(self, entry: Mapping[str, Any]) -> None:
        self.entries.append(dict(entry))

    def read_manifest(self) -> list[dict[str, Any]]:
        return list(self.entries)

    def rewrite_manifest(self, entries: Iterable[Mapping[str, Any]]) -> None:
        self.entries = [dict(e) for e in entries]


@dataclass
class SparkTables:
    """A writer with `publish.write_output`'s signature: batch -> `<database>.<table>`."""

    spark: SparkSession
    database: str
    table_format: str = "delta"
    _made: set[str] = field(default_factory=set)

    def __call__(
        self,
        landing: Any,
        output: TableOutput,
        fmt: FileFormat,
        seed: int,
        window: tuple[int, int],
        on_rows: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        scenario: dict | None = None,
    ) -> WrittenFile:
        name = output.table.name
        target = f"{self.database}.{name}"
        frame, counted = batch_frame(self.spark, output)
        mode = "append" if name in self._made else "overwrite"  # this run's first batch replaces
        frame.write.format(self.table_format).mode(mode).saveAsTable(target)
        self._made.add(name)
        tally = counted.result() if isinstance(counted, Made) else counted
        settle(output)
        if on_rows is not None:
            on_rows(name, tally.rows)
        written = WrittenFile(
            name,
            output.table.kind,
            output.cycle,
            target,
            tally.rows,
            0,
            tally.anomalies,
            tally.anomalous_rows,
        )
        record_written(landing, written, fmt, tally.faults, window, None, scenario)
        return written

"""The table variant: each batch appended to a catalog table with `saveAsTable` (Delta on
Databricks), instead of a landing folder; the manifest lines stay in memory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamforge.engine_spark.writer import SparkWriter
from streamforge.sinks.formats import FileFormat

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

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
class SparkTables(SparkWriter):
    """Each batch appended to `<database>.<table>`; this run's first batch replaces the table."""

    spark: SparkSession
    database: str
    table_format: str = "delta"
    _made: set[str] = field(default_factory=set)

    def place(self, output: TableOutput, fmt: FileFormat, seed: int, frame: DataFrame) -> str:
        name = output.table.name
        target = f"{self.database}.{name}"
        mode = "append" if name in self._made else "overwrite"
        frame.write.format(self.table_format).mode(mode).saveAsTable(target)
        self._made.add(name)
        return target

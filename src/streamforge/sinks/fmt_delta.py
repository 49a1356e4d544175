"""The `delta` format: each landing table is a Delta table, one append (commit) per cycle.

Written with delta-rs (`deltalake`), no JVM. A cycle's commit carries a Delta transaction
identifier (app id `streamforge`, version = cycle), the protocol's own idempotent-write marker, so a
cycle redone after a crash sees its commit already there and is not appended twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import pyarrow as pa

from .formats import SparkWrite, register_format

APP_ID = "streamforge"


@dataclass(frozen=True, slots=True)
class DeltaCommit:
    rows: int
    version: int | None  # table version holding the cycle; None when nothing was written
    skipped: bool  # the cycle was already committed by an earlier attempt


class DeltaFormat:
    """A table format: it writes whole tables, so landings call `append_cycle`, not `open`."""

    name = "delta"
    extension = ""
    writes: Literal["files", "tables"] = "tables"
    data_format = "parquet"  # each commit adds Parquet files
    header = False
    nested_as_text = False
    text_map_keys = False
    carries_schema = True
    # Pipelines ingest landing files with Auto Loader; a landed Delta table is no such source.
    spark_source: str | None = None
    spark_write: SparkWrite | None = None  # needs the delta-spark package

    def open(self, stream: BinaryIO, schema: pa.Schema):  # pragma: no cover - contract guard
        raise TypeError("delta writes tables, not files: use append_cycle()")

    def data_files(self, path: Path, version: int | None = None) -> list[str]:
        """The files of the commit `version` (None: the first commit)."""
        return cycle_files(path, version or 0)

    def append_cycle(
        self, path: Path, cycle: int, batches: Iterable[pa.RecordBatch], schema: pa.Schema
    ) -> DeltaCommit:
        from deltalake import CommitProperties, DeltaTable, Transaction, write_deltalake

        counted = _Counter(batches)
        done = _committed_version(path)
        if done is not None and done >= cycle:
            for _ in counted:  # the engine must still advance its state through the rows
                pass
            return DeltaCommit(counted.rows, _version_of_cycle(path, cycle), skipped=True)
        reader = pa.RecordBatchReader.from_batches(schema, iter(counted))
        write_deltalake(
            str(path),
            reader,
            mode="append",
            commit_properties=CommitProperties(
                app_transactions=[Transaction(APP_ID, cycle)],
                custom_metadata={"streamforge.cycle": str(cycle)},
            ),
        )
        return DeltaCommit(counted.rows, DeltaTable(str(path)).version(), skipped=False)


def _committed_version(path: Path) -> int | None:
    """The last cycle this table has a commit for, from its Delta transaction identifiers."""
    from deltalake import DeltaTable

    if not (path / "_delta_log").is_dir():
        return None
    return DeltaTable(str(path)).transaction_version(APP_ID)


def _version_of_cycle(path: Path, cycle: int) -> int | None:
    from deltalake import DeltaTable

    for commit in DeltaTable(str(path)).history():
        if commit.get("streamforge.cycle") == str(cycle):
            return int(commit["version"])
    return None


def cycle_files(path: Path, version: int) -> list[str]:
    """The data files that the commit `version` added: exactly one cycle's rows."""
    from deltalake import DeltaTable

    table = DeltaTable(str(path), version=version)
    now = set(table.file_uris())
    before: set[str] = set()
    if version > 0:
        table.load_as_version(version - 1)
        before = set(table.file_uris())
    return sorted(now - before)


class _Counter:
    def __init__(self, batches: Iterable[pa.RecordBatch]):
        self._batches, self.rows = batches, 0

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        for batch in self._batches:
            self.rows += batch.num_rows
            yield batch


DELTA = register_format(DeltaFormat())

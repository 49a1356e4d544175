"""What a landing area holds, as the app's explorer shows it: per table the files, rows, bytes and
last write; the newest files; the manifest per cycle (anomalies and faults injected); and a sample
of one landed file read back. Local folders and Volumes alike, through the `Landing` interface.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from streamforge.errors import StreamForgeError
from streamforge.plan import Plan
from streamforge.plan.columns import table_schema
from streamforge.readback import read_file
from streamforge.sinks.formats import get_format
from streamforge.sinks.landing import Landing

NEWEST = 10  # newest files listed per table


@dataclass(slots=True)
class TableFiles:
    name: str
    kind: str
    files: int = 0
    rows: int = 0
    bytes: int = 0
    last_write: str | None = None  # ISO-8601 UTC, from the manifest
    newest: list[dict[str, Any]] = field(default_factory=list)  # newest first


@dataclass(frozen=True, slots=True)
class LandingView:
    tables: list[TableFiles]
    cycles: list[dict[str, Any]]  # per cycle: rows, files, anomalies and faults by table


def view_landing(landing: Landing, plan: Plan) -> LandingView:
    """Summarise the manifest of `landing` for `plan`'s tables (tables not written yet included)."""
    tables = {t.name: TableFiles(t.name, t.kind) for t in plan.tables}
    cycles: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"rows": 0, "files": 0, "anomalies": {}, "faults": {}}
    )
    for entry in landing.read_manifest():
        table = tables.setdefault(entry["table"], TableFiles(entry["table"], entry.get("kind", "")))
        table.files += 1
        table.rows += int(entry.get("rows", 0))
        table.bytes += int(entry.get("bytes", 0))
        table.last_write = entry.get("written_at") or table.last_write
        table.newest.insert(0, _file_json(entry))
        del table.newest[NEWEST:]
        cycle = cycles[int(entry.get("cycle", 0))]
        cycle["rows"] += int(entry.get("rows", 0))
        cycle["files"] += 1
        _add_counts(cycle["anomalies"], entry["table"], entry.get("anomalies") or {})
        _add_counts(cycle["faults"], entry["table"], entry.get("faults") or {})
    ordered = [{"cycle": c, **cycles[c]} for c in sorted(cycles, reverse=True)]
    return LandingView(list(tables.values()), ordered)


def sample_file(landing: Landing, plan: Plan, relpath: str, rows: int = 20) -> pa.Table:
    """The first `rows` rows of one landed file, read back with the table's types.

    Raises:
        StreamForgeError: the file is not in the manifest, or cannot be read here (Delta tables
            are sampled from local landings only).
    """
    entry = next((e for e in landing.read_manifest() if e.get("file") == relpath), None)
    if entry is None:
        raise StreamForgeError(f"'{relpath}' is not a file of this landing's manifest")
    fmt = entry.get("format", relpath.rsplit(".", 1)[-1])
    schema = table_schema(plan.table(entry["table"]))
    if get_format(fmt).writes == "tables":  # read through the table's log, not as one file
        root = getattr(landing, "root", None)
        if root is None:
            raise StreamForgeError(
                f"{fmt} tables on a Volume are read with Spark, not from the app"
            )
        return read_file(root / entry["file"], schema, fmt, entry.get("version")).slice(0, rows)
    data = landing.read_bytes(relpath)
    if data is None:
        raise StreamForgeError(f"'{relpath}' is listed in the manifest but is not there")
    return read_file(io.BytesIO(data), schema, fmt).slice(0, rows)  # type: ignore[arg-type]


def _file_json(entry: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("file", "cycle", "rows", "bytes", "written_at", "anomalous_rows")
    return {k: entry.get(k) for k in keys}


def _add_counts(into: dict[str, dict[str, int]], table: str, counts: Mapping[str, Any]) -> None:
    """Add one file's counts (per column, or per fault kind) to its table's, skipping zeros."""
    for name, value in counts.items():
        if isinstance(value, int | float) and value:
            per_table = into.setdefault(table, {})
            per_table[name] = per_table.get(name, 0) + int(value)

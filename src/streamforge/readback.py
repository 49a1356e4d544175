"""Read a landing area back into Arrow, file by file, typed by the plan (for checks and tests)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from streamforge.plan import Plan
from streamforge.plan.columns import table_schema
from streamforge.sinks.formats import cycle_parser

MANIFEST = Path("_streamforge") / "manifest.jsonl"


@dataclass(frozen=True, slots=True)
class LandedFile:
    table: str
    cycle: int
    path: Path
    manifest: dict
    data: pa.Table


def read_manifest(root: Path) -> list[dict]:
    path = Path(root) / MANIFEST
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def read_landing(root: Path, plan: Plan) -> dict[str, list[LandedFile]]:
    """Every file the manifest lists, grouped by table, in cycle order."""
    root = Path(root)
    result: dict[str, list[LandedFile]] = {t.name: [] for t in plan.tables}
    for entry in read_manifest(root):
        table = plan.table(entry["table"])
        path = root / entry["file"]
        fmt = entry.get("format", path.suffix[1:])
        data = read_file(path, table_schema(table), fmt, entry.get("version"))
        result[table.name].append(LandedFile(table.name, entry["cycle"], path, entry, data))
    for files in result.values():
        files.sort(key=lambda f: f.cycle)
    return result


def read_file(path: Path, schema: pa.Schema, fmt: str, version: int | None = None) -> pa.Table:
    """One landed cycle of one table, typed like `schema`. The landing format says where its rows
    are (a file, or the files a table commit `version` added) and how they are encoded; a folder
    (the Spark engine's cycle) is read part by part in name order.

    Raises:
        ValueError: `fmt` is not a registered format, or its data files cannot be parsed here.
    """
    parse, files = cycle_parser(fmt, path, version, _PARSERS)
    # a file-like object (the web app's sample of a remote file) is one file, never a folder
    if files is None and isinstance(path, str | os.PathLike) and Path(path).is_dir():
        from streamforge.verify.read import data_parts

        files = [str(part) for part in data_parts(Path(path))]
    if files is None:
        return parse(path, schema)
    parts = [parse(part, schema) for part in files]
    return pa.concat_tables(parts) if parts else schema.empty_table()


def _read_parquet(path: Path | str, schema: pa.Schema) -> pa.Table:
    return pq.read_table(path)


def _read_json(path: Path | str, schema: pa.Schema) -> pa.Table:
    from streamforge.verify.read import read_landed  # maps in JSON, parsed exactly

    return read_landed(path, "json", schema).data  # type: ignore[arg-type]


def _read_csv(path: Path | str, schema: pa.Schema) -> pa.Table:
    flat = {f.name: (pa.string() if _textual(f.type) else f.type) for f in schema}
    options = pacsv.ConvertOptions(
        column_types=flat, strings_can_be_null=True, quoted_strings_can_be_null=False
    )
    table = pacsv.read_csv(path, convert_options=options).select(schema.names)
    return _retype(table, schema)


def _textual(dtype: pa.DataType) -> bool:
    return pa.types.is_nested(dtype) or pa.types.is_date(dtype)


def _retype(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Convert columns read as text (dates, nested JSON) back to their planned types."""
    for index, target in enumerate(schema):
        column = table.column(target.name)
        if column.type == target.type:
            continue
        if pa.types.is_date(target.type):
            column = pc.cast(pc.strptime(column, "%Y-%m-%d", "s"), target.type)
        elif pa.types.is_nested(target.type):
            values = [
                None if v is None else _from_json(json.loads(v), target.type)
                for v in column.to_pylist()
            ]
            column = pa.chunked_array([pa.array(values, target.type)])
        table = table.set_column(index, target, column)
    return table


def _from_json(value: object, dtype: pa.DataType) -> object:
    if pa.types.is_map(dtype) and isinstance(value, dict):
        return list(value.items())
    return value


# How each encoding of landed data files is parsed (a landing format names its `data_format`).
_PARSERS: dict[str, Callable[[Path | str, pa.Schema], pa.Table]] = {
    "parquet": _read_parquet,
    "csv": _read_csv,
    "json": _read_json,
}

"""Read one landed file into Arrow with the types the YAML declares, exactly, one file at a time.

Every format is read to the same types: integers as int64 (never through float), decimals as
decimal128(p, s), nested JSON (maps inside arrays or maps too) parsed value by value. A value that
does not fit its declared type is not an error of the reader: it becomes null in the data and is
counted in `unreadable`, so `verify` can report it as a wrong value with an example.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from streamforge.sinks.formats import cycle_parser
from streamforge.verify.rules import Rule

TIMESTAMP = pa.timestamp("us", tz="UTC")
_SCALARS = {
    "int": pa.int64(),  # read wide; the 32-bit range is checked as a rule
    "long": pa.int64(),
    "float": pa.float64(),
    "double": pa.float64(),
    "string": pa.string(),
    "datetime": TIMESTAMP,
    "date": pa.date32(),
    "bool": pa.bool_(),
}
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


@dataclass(slots=True)
class Landed:
    """One file as read: `unreadable` maps column -> (count, an example as written)."""

    data: pa.Table
    unreadable: dict[str, tuple[int, object]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def arrow_type(rule: Rule) -> pa.DataType:
    if rule.type == "decimal":
        return pa.decimal128(rule.precision or 10, rule.scale if rule.scale is not None else 2)
    if rule.type == "array":
        return pa.list_(arrow_type(rule.items) if rule.items else pa.string())
    if rule.type == "map":
        key = arrow_type(rule.keys) if rule.keys else pa.string()
        return pa.map_(key, arrow_type(rule.values) if rule.values else pa.string())
    return _SCALARS.get(rule.type, pa.string())


def read_landed(path: Path, fmt: str, schema: pa.Schema, version: int | None = None) -> Landed:
    """`schema`: the declared columns (from `arrow_type`); raises OSError/ValueError when the
    file cannot be parsed at all (the caller reports it).

    The landing format says where a cycle's rows are (a file, or the files a table commit added)
    and how they are encoded (`data_format`); the parser is chosen by that encoding. A folder
    (the Spark engine writes a cycle as a folder of part files) is read part by part, in name
    order (the order of Spark's partitions: the rows' order)."""
    parse, files = cycle_parser(fmt, path, version, _PARSERS)
    if files is None and isinstance(path, str | Path) and Path(path).is_dir():
        files = [str(part) for part in data_parts(Path(path))]
    if files is None:
        return parse(path, schema)
    return _merge([parse(part, schema) for part in files], schema)


def data_parts(folder: Path) -> list[Path]:
    """The data files of a folder written by Spark, in order: not `_SUCCESS`, not `.crc`."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("_", ".")))


def _read_parquet(path: Path | str, schema: pa.Schema) -> Landed:
    return _conform(pq.read_table(path), schema)


def _read_csv(path: Path | str, schema: pa.Schema) -> Landed:
    """Every column as text first: the declared type decides how a value is read."""
    options = pacsv.ConvertOptions(
        column_types={f.name: pa.string() for f in schema},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    return _conform(pacsv.read_csv(path, convert_options=options), schema)


def _merge(parts: list[Landed], schema: pa.Schema) -> Landed:
    """One cycle read from several data files (a table commit, a folder of parts): rows and
    counts added up."""
    if not parts:
        return Landed(schema.empty_table())
    merged = Landed(pa.concat_tables([p.data for p in parts], promote_options="permissive"))
    for part in parts:
        for column, (count, example) in part.unreadable.items():
            before = merged.unreadable.get(column)
            merged.unreadable[column] = (
                (count, example) if before is None else (before[0] + count, before[1])
            )
        merged.missing += [c for c in part.missing if c not in merged.missing]
    return merged


def _has_map(dtype: pa.DataType) -> bool:
    if pa.types.is_map(dtype):
        return True
    if pa.types.is_list(dtype):
        return _has_map(dtype.value_type)
    return False


def _read_json(path: Path | str, schema: pa.Schema) -> Landed:
    """Arrow's reader when it can (no maps, every value fits); else each line parsed exactly."""
    if not any(_has_map(f.type) for f in schema):
        loose = pa.schema(
            [pa.field(f.name, pa.string()) if pa.types.is_date(f.type) else f for f in schema]
        )
        options = pajson.ParseOptions(explicit_schema=loose, unexpected_field_behavior="ignore")
        try:
            return _conform(pajson.read_json(path, parse_options=options), schema)
        except _ARROW_ERRORS:
            pass  # some value does not fit its type: find which, below
    rows = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                rows.append(json.loads(line, parse_float=Decimal))
    absent = object()
    columns: dict[str, pa.Array] = {}
    landed = Landed(pa.table({}))
    for f in schema:
        values = [row.get(f.name, absent) if isinstance(row, dict) else absent for row in rows]
        if rows and all(v is absent for v in values):
            landed.missing.append(f.name)
        values = [None if v is absent else v for v in values]
        columns[f.name] = _from_python(values, f.type, f.name, landed)
    landed.data = pa.table(columns) if columns else pa.table({})
    return landed


def _conform(table: pa.Table, schema: pa.Schema) -> Landed:
    """Cast each column to its declared type; values that do not fit are counted, then null."""
    landed = Landed(table)
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    for f in schema:
        if f.name not in table.column_names:
            landed.missing.append(f.name)
            columns[f.name] = pa.nulls(table.num_rows, f.type)
            continue
        column = table.column(f.name)
        if column.type == f.type:
            columns[f.name] = column
            continue
        try:
            columns[f.name] = _cast(column, f.type)
        except _ARROW_ERRORS:
            columns[f.name] = _from_python(column.to_pylist(), f.type, f.name, landed)
    landed.data = pa.table(columns, schema=schema) if schema else table
    return landed


def _cast(column: pa.ChunkedArray, dtype: pa.DataType) -> pa.ChunkedArray:
    if pa.types.is_date(dtype) and pa.types.is_string(column.type):
        return pc.cast(pc.strptime(column, "%Y-%m-%d", "s"), dtype)
    if pa.types.is_nested(dtype) and pa.types.is_string(column.type):
        raise pa.ArrowInvalid("nested values written as text")  # parsed below
    return pc.cast(column, dtype, safe=True)


def _from_python(values: list, dtype: pa.DataType, name: str, landed: Landed) -> pa.Array:
    try:
        return pa.array([_normal(v, dtype) for v in values], dtype)
    except (ValueError, TypeError, ArithmeticError, *_ARROW_ERRORS):
        pass
    kept: list[Any] = []
    bad, example = 0, None
    for value in values:
        try:
            normal = _normal(value, dtype)
            pa.array([normal], dtype)
        except (ValueError, TypeError, ArithmeticError, *_ARROW_ERRORS):
            bad, example = bad + 1, value if bad == 0 else example
            normal = None
        kept.append(normal)
    landed.unreadable[name] = (bad, example)
    return pa.array(kept, dtype)


def _normal(value: Any, dtype: pa.DataType) -> Any:
    """A Python value as `dtype` expects it; raise ValueError when it is not of that type."""
    if value is None:
        return None
    if pa.types.is_integer(dtype):
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError("not an integer")
        return int(value)  # "12" from CSV; "1.5" or "1e3" raise
    if pa.types.is_floating(dtype):
        if isinstance(value, bool):
            raise ValueError("not a number")
        return float(value)
    if pa.types.is_decimal(dtype):
        if isinstance(value, bool | float):
            raise ValueError("a decimal must be written exactly")
        return Decimal(value) if isinstance(value, int | str) else value
    if pa.types.is_string(dtype):
        if not isinstance(value, str):
            raise ValueError("not a string")
        return value
    if pa.types.is_boolean(dtype):
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        if not isinstance(value, bool):
            raise ValueError("not a boolean")
        return value
    if pa.types.is_timestamp(dtype):
        stamp = datetime.fromisoformat(value) if isinstance(value, str) else value
        if not isinstance(stamp, datetime):
            raise ValueError("not a timestamp")
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    if pa.types.is_date(dtype):
        day = date.fromisoformat(value) if isinstance(value, str) else value
        if not isinstance(day, date):
            raise ValueError("not a date")
        return day
    if isinstance(value, str):
        value = json.loads(value, parse_float=Decimal)  # nested values in CSV are JSON text
    if pa.types.is_map(dtype):
        pairs = value.items() if isinstance(value, dict) else value
        key_type, item_type = dtype.key_type, dtype.item_type
        return [(_normal(k, key_type), _normal(v, item_type)) for k, v in pairs]
    if pa.types.is_list(dtype):
        if not isinstance(value, list):
            raise ValueError("not an array")
        return [_normal(v, dtype.value_type) for v in value]
    raise ValueError(f"cannot read {dtype}")


# How each encoding of landed data files is parsed (a landing format names its `data_format`).
_PARSERS: dict[str, Callable[[Path | str, pa.Schema], Landed]] = {
    "parquet": _read_parquet,
    "csv": _read_csv,
    "json": _read_json,
}

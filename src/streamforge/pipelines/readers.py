"""How a pipeline reads each landing format back exactly as the sinks wrote it.

Three mismatches between Spark's readers and our writers, each fixed here once for every target:
- CSV is written as RFC 4180 (a quote inside a value is doubled, a line break stays inside the
  quoted value); Spark's CSV reader defaults to `\\` as escape and one line per record.
- CSV has no nesting: arrays and maps are JSON text in the cell, and Spark's CSV source refuses
  ARRAY/MAP columns, so they are read as STRING and parsed with `from_json`.
- JSON object keys are text, and Spark's JSON reader (and `from_json`) takes only STRING map keys:
  a map with int keys is read as MAP<STRING, ...> and its keys are cast back.
"""

from __future__ import annotations

import pyarrow as pa

from streamforge.errors import StreamForgeError
from streamforge.pipelines.spark_types import spark_type
from streamforge.sinks.formats import FileFormat, get_format, pipeline_formats

# Null is an empty unquoted CSV field and "" a quoted empty one (the writer quotes every string).
# Spark's default nullValue "" turns both into NULL; a NUL character, which no landing string is,
# keeps "" an empty string while an empty unquoted field stays NULL.
CSV_NULL = "\u0000"
CSV_OPTIONS: dict[str, str] = {
    "header": "true",
    "escape": '"',
    "multiLine": "true",
    "nullValue": CSV_NULL,
}


def pipeline_format(fmt: str) -> FileFormat:
    """The registered landing format `fmt`, when a pipeline can read it.

    Raises:
        StreamForgeError: unknown, or a format no Spark file source reads (a table format).
    """
    try:
        landing = get_format(fmt)
    except ValueError as exc:
        raise StreamForgeError(str(exc)) from None
    if landing.spark_source is None:
        readable = ", ".join(pipeline_formats())
        raise StreamForgeError(
            f"a pipeline cannot read a {fmt} landing (it ingests landing files with Auto Loader); "
            f"land {readable} for a pipeline"
        )
    return landing


def reader_options(fmt: str) -> dict[str, str]:
    """The Spark reader options (all targets: cloudFiles, read_files, readStream) for `fmt`:
    a format with a header row is CSV as our writer writes it (RFC 4180)."""
    return dict(CSV_OPTIONS) if pipeline_format(fmt).header else {}


def text_type(dtype: pa.DataType) -> pa.DataType:
    """The type of `dtype` as JSON text carries it: every map key is a string."""
    if pa.types.is_map(dtype):
        return pa.map_(pa.string(), text_type(dtype.item_type))
    if pa.types.is_list(dtype):
        return pa.list_(text_type(dtype.value_type))
    return dtype


def from_text(dtype: pa.DataType, value: str, depth: int = 0) -> str | None:
    """Spark SQL that turns `value`, read as `text_type(dtype)`, into `dtype` (map keys cast back,
    at any depth); None when the two types are the same."""
    if pa.types.is_map(dtype):
        key, item = f"k{depth}", f"v{depth}"
        expression = value
        inner = from_text(dtype.item_type, item, depth + 1)
        if inner is not None:
            expression = f"transform_values({expression}, ({key}, {item}) -> {inner})"
        if not pa.types.is_string(dtype.key_type):
            cast = f"CAST({key} AS {spark_type(dtype.key_type)})"
            expression = f"transform_keys({expression}, ({key}, {item}) -> {cast})"
        return None if expression == value else expression
    if pa.types.is_list(dtype):
        element = f"x{depth}"
        inner = from_text(dtype.value_type, element, depth + 1)
        return None if inner is None else f"transform({value}, {element} -> {inner})"
    return None

"""The `csv` format: a header row, then one line per row; nested values as JSON text."""

from __future__ import annotations

from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ._fast.csv_text import encode_csv_rows
from ._fast.json_text import format_timestamps, to_json_text
from ._fast.ordered import OrderedEncoder
from .formats import SparkWrite, WritesFiles, check_batch, register_format


def _csv_type(data_type: pa.DataType) -> pa.DataType:
    """The column type as written: CSV has no nesting, and Arrow's timestamp text is not ISO."""
    if pa.types.is_dictionary(data_type):
        value_type = _csv_type(data_type.value_type)
        return data_type if value_type == data_type.value_type else value_type
    if pa.types.is_timestamp(data_type) or pa.types.is_nested(data_type):
        return pa.string()
    return data_type


def _csv_column(column: pa.Array) -> pa.Array:
    data_type = column.type
    if pa.types.is_dictionary(data_type) and _csv_type(data_type) != data_type:
        column = pc.cast(column, data_type.value_type)  # decode, then convert the values
        data_type = column.type
    if pa.types.is_timestamp(data_type):
        return format_timestamps(column)
    if pa.types.is_nested(data_type):
        text = to_json_text(column)
        # An absent list is an empty CSV field, like any other null, not the word `null`.
        return pc.if_else(column.is_valid(), text, pa.scalar(None, pa.string()))
    return column


class _CsvWriter:
    """Header first; then each slice of rows is converted and formatted on the encoder pool
    (`encode_csv_rows`, else pyarrow's CSV writer; both release the GIL), written in order."""

    def __init__(self, stream: BinaryIO, schema: pa.Schema) -> None:
        self._schema = schema
        self._csv_schema = pa.schema(
            [field.with_type(_csv_type(field.type)) for field in schema], metadata=schema.metadata
        )
        header = pa.BufferOutputStream()
        pcsv.write_csv(self._csv_schema.empty_table(), header)
        stream.write(header.getvalue())
        self._encoder = OrderedEncoder(stream, self._encode)

    def _encode(self, batch: pa.RecordBatch) -> pa.Buffer:
        columns = [_csv_column(column) for column in batch.columns]
        rows = pa.RecordBatch.from_arrays(columns, schema=self._csv_schema)
        fast = encode_csv_rows(rows)
        return fast if fast is not None else arrow_csv_rows(rows)

    def write(self, batch: pa.RecordBatch) -> None:
        check_batch(batch, self._schema)
        self._encoder.write(batch)

    def close(self) -> None:
        self._encoder.close()  # flushes; the stream itself stays open


def arrow_csv_rows(batch: pa.RecordBatch) -> pa.Buffer:
    """The rows as Arrow's CSV writer writes them: what `encode_csv_rows` matches, and its
    fallback for what it does not cover."""
    text = pa.BufferOutputStream()
    pcsv.write_csv(batch, text, write_options=_ROWS_ONLY)
    return text.getvalue()


_ROWS_ONLY = pcsv.WriteOptions(include_header=False)


class CsvFormat(WritesFiles):
    """RFC 4180 CSV with a header; timestamps ISO-8601 (`...T...Z`), nested columns JSON text."""

    name = "csv"
    extension = "csv"
    data_format = "csv"
    header = True
    nested_as_text = True
    text_map_keys = True
    carries_schema = False
    spark_source: str | None = "csv"
    spark_write: SparkWrite | None = None  # Spark's CSV writer has no place for arrays and maps

    def open(self, stream: BinaryIO, schema: pa.Schema) -> _CsvWriter:
        return _CsvWriter(stream, schema)


CSV = register_format(CsvFormat())

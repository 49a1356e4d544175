"""The `json` format: newline-delimited JSON objects, the landing format Auto Loader reads best."""

from __future__ import annotations

from typing import BinaryIO

import pyarrow as pa

from ._fast.json_text import encode_ndjson
from ._fast.ordered import OrderedEncoder
from .formats import SparkWrite, WritesFiles, check_batch, register_format


class _NdjsonWriter:
    def __init__(self, stream: BinaryIO, schema: pa.Schema) -> None:
        self._schema = schema
        self._encoder = OrderedEncoder(stream, encode_ndjson)

    def write(self, batch: pa.RecordBatch) -> None:
        check_batch(batch, self._schema)
        self._encoder.write(batch)

    def close(self) -> None:
        # NDJSON has no footer: every written line is already a complete record.
        self._encoder.close()


class JsonFormat(WritesFiles):
    """One JSON object per line, UTF-8; nested values stay nested, timestamps ISO-8601."""

    name = "json"
    extension = "json"
    data_format = "json"
    header = False
    nested_as_text = False
    text_map_keys = True  # JSON object keys are text, whatever the map's key type
    carries_schema = False
    spark_source: str | None = "json"
    # Spark's JSON writer prints milliseconds and the session's zone by default; ours microseconds
    # in UTC. Nulls are written as `null` (Spark drops the key by default), as ours are.
    spark_write: SparkWrite | None = SparkWrite(
        "json",
        options={
            "ignoreNullFields": "false",
            "timestampFormat": "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
            "timeZone": "UTC",
        },
    )

    def open(self, stream: BinaryIO, schema: pa.Schema) -> _NdjsonWriter:
        return _NdjsonWriter(stream, schema)


JSON = register_format(JsonFormat())

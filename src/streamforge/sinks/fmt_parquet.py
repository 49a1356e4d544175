"""The `parquet` format: typed, compressed columns; nested types stay native."""

from __future__ import annotations

from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from .formats import register_format


class _ParquetWriter:
    def __init__(self, stream: BinaryIO, schema: pa.Schema) -> None:
        self._writer = pq.ParquetWriter(
            stream,
            schema,
            compression="snappy",
            # Spark timestamps have microsecond precision and do not read NANOS columns by
            # default; generated data never needs the lost nanoseconds.
            coerce_timestamps="us",
            allow_truncated_timestamps=True,
        )

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)  # checks the schema itself

    def close(self) -> None:
        # Writes the footer; a stream passed in (not a path) is left open by pyarrow.
        self._writer.close()


class ParquetFormat:
    """Apache Parquet, snappy-compressed, one row group per written batch."""

    name = "parquet"
    extension = "parquet"

    def open(self, stream: BinaryIO, schema: pa.Schema) -> _ParquetWriter:
        return _ParquetWriter(stream, schema)


PARQUET = register_format(ParquetFormat())

"""Join Parquet files encoded separately (e.g. on several threads) into one Parquet file.

pyarrow encodes the columns of a file one after another on a single thread, which made writing
text-heavy tables the slowest step of a run. So each batch is encoded on its own, as a complete
in-memory Parquet file with one row group (a "part"), on as many threads as there are cores; the
parts are then joined in order:

    PAR1 | pages of part 0 | pages of part 1 | ... | one footer | footer length | PAR1

Pages are copied byte for byte. Only the footer changes: it lists every part's row groups, whose
byte offsets move by where the part's pages now start, and the total row count. Every part must
come from a writer with the same schema and options (the joined footer keeps the first part's
schema and key-value metadata).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

import pyarrow as pa

from .thrift_compact import (
    I16,
    I64,
    LIST,
    STRUCT,
    Field,
    ThriftList,
    field,
    read_struct,
    write_struct,
)

MAGIC = b"PAR1"

# Field ids of parquet.thrift (parquet-format) that the join reads or changes.
FILE_NUM_ROWS, FILE_ROW_GROUPS = 3, 4
FILE_ENCRYPTION = (8, 9)  # encryption_algorithm, footer_signing_key_metadata
GROUP_COLUMNS, GROUP_NUM_ROWS, GROUP_FILE_OFFSET, GROUP_ORDINAL = 1, 3, 5, 7
CHUNK_FILE_PATH, CHUNK_META = 1, 3
# Absolute byte positions in the file: ColumnChunk.file_offset, offset_index_offset and
# column_index_offset; ColumnMetaData's data, index and dictionary page offsets, bloom filter.
CHUNK_OFFSETS = (2, 4, 6)
META_OFFSETS = (9, 10, 11, 14)
MAX_ORDINAL = (1 << 15) - 1  # RowGroup.ordinal is an i16


class ParquetJoinError(ValueError):
    """A part is not a plain (unencrypted, self-contained) Parquet file."""


@dataclass(frozen=True, slots=True)
class ParquetPart:
    body: memoryview  # the part's bytes between its leading magic and its footer
    footer: list[Field]  # its FileMetaData

    @property
    def rows(self) -> int:
        num_rows = field(self.footer, FILE_NUM_ROWS)
        return 0 if num_rows is None else int(num_rows.value)


def split_part(data: pa.Buffer | bytes) -> ParquetPart:
    """The pages and the footer of one complete Parquet file held in memory."""
    raw = memoryview(data)
    raw = raw if raw.format == "B" else raw.cast("B")
    if len(raw) < 12 or raw[:4] != MAGIC or raw[-4:] != MAGIC:
        raise ParquetJoinError("not a Parquet file (no PAR1 magic at both ends)")
    length = int.from_bytes(raw[-8:-4], "little")
    start = len(raw) - 8 - length
    if start < 4:
        raise ParquetJoinError("Parquet footer length points before the file's start")
    footer = read_struct(raw[start:-8])
    if any(field(footer, number) is not None for number in FILE_ENCRYPTION):
        raise ParquetJoinError("encrypted Parquet files cannot be joined")
    return ParquetPart(raw[4:start], footer)


class ParquetJoiner:
    """Writes parts to a stream in the order given, then one footer that lists them all."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._position = 0  # bytes written so far
        self._row_groups: list[list[Field]] = []
        self._rows = 0
        self._first: list[Field] | None = None

    @property
    def parts(self) -> int:
        return len(self._row_groups)

    def add(self, part: ParquetPart) -> int:
        """Write the part's pages; returns how many bytes were written."""
        written = 0
        if self._position == 0:
            written += self._stream.write(MAGIC) or 0
            self._position = len(MAGIC)
        shift = self._position - len(MAGIC)  # the part's pages started right after its magic
        groups = field(part.footer, FILE_ROW_GROUPS)
        for group in [] if groups is None else groups.value.items:
            _move_row_group(group, shift, len(self._row_groups))
            self._row_groups.append(group)
        if self._first is None:
            self._first = part.footer
        self._rows += part.rows
        written += self._stream.write(part.body) or 0
        self._position += len(part.body)
        return written

    def finish(self) -> int:
        """Write the joined footer; returns how many bytes were written."""
        if self._first is None:
            raise ParquetJoinError("no part to join: write an empty Parquet file instead")
        footer = [_joined(f, self._rows, self._row_groups) for f in self._first]
        data = write_struct(footer)
        tail = data + len(data).to_bytes(4, "little") + MAGIC
        self._stream.write(tail)
        self._position += len(tail)
        return len(tail)


def _joined(original: Field, rows: int, groups: list[list[Field]]) -> Field:
    if original.id == FILE_NUM_ROWS:
        return Field(FILE_NUM_ROWS, I64, rows)
    if original.id == FILE_ROW_GROUPS:
        return Field(FILE_ROW_GROUPS, LIST, ThriftList(STRUCT, groups))
    return original


def _move_row_group(group: list[Field], shift: int, ordinal: int) -> None:
    """Shift every absolute offset of a row group by `shift`; number it `ordinal`."""
    _shift(group, (GROUP_FILE_OFFSET,), shift)
    columns = field(group, GROUP_COLUMNS)
    for chunk in [] if columns is None else columns.value.items:
        if field(chunk, CHUNK_FILE_PATH) is not None:
            raise ParquetJoinError("a column chunk stored in another file cannot be joined")
        _shift(chunk, CHUNK_OFFSETS, shift)
        meta = field(chunk, CHUNK_META)
        if meta is not None:
            _shift(meta.value, META_OFFSETS, shift)
    position = field(group, GROUP_ORDINAL)
    if position is not None:
        if ordinal > MAX_ORDINAL:  # optional: past what an i16 holds, leave it out
            group.remove(position)
        else:
            position.value, position.type = ordinal, I16


def _shift(fields: list[Field], ids: tuple[int, ...], shift: int) -> None:
    for item in fields:
        # 0 marks "not set" in writers that fill the field regardless (a position is never 0:
        # the magic is there).
        if item.id in ids and item.value:
            item.value += shift

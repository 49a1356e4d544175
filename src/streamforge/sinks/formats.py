"""The registry of landing-file formats: what a format is, and how to find one by name.

A format is one module `fmt_<name>.py` in this package that calls `register_format` on import;
the package imports every such module, so adding a format never means editing a list.
"""

from __future__ import annotations

import difflib
from typing import BinaryIO, Protocol

import pyarrow as pa

__all__ = [
    "FORMATS",
    "FileFormat",
    "FormatWriter",
    "check_batch",
    "get_format",
    "register_format",
]


class FormatWriter(Protocol):
    """Writes record batches of one schema into a stream that the caller owns."""

    def write(self, batch: pa.RecordBatch) -> None:
        """Append the batch's rows."""
        ...

    def close(self) -> None:
        """Write any footer and flush; never closes the stream itself."""
        ...


class FileFormat(Protocol):
    """A file format: its registry name, file extension, and how to start writing a file."""

    name: str
    extension: str  # without the dot

    def open(self, stream: BinaryIO, schema: pa.Schema) -> FormatWriter:
        """Start a file of this format in `stream`, for batches of `schema`."""
        ...


FORMATS: dict[str, FileFormat] = {}


def register_format(fmt: FileFormat) -> FileFormat:
    """Make `fmt` available under `fmt.name`; returns it, so a module can keep a reference."""
    known = FORMATS.get(fmt.name)
    # Re-registering the same class is a module reload, not a clash between two formats.
    if known is not None and type(known) is not type(fmt):
        raise ValueError(
            f"file format {fmt.name!r} is already registered by {type(known).__qualname__}"
        )
    FORMATS[fmt.name] = fmt
    return fmt


def get_format(name: str) -> FileFormat:
    """The registered format called `name`; a ValueError lists the known names otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        pass
    hint = difflib.get_close_matches(name, FORMATS, n=1)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
    known = ", ".join(sorted(FORMATS)) or "none"
    raise ValueError(f"unknown file format {name!r} (known: {known}){suggestion}")


def check_batch(batch: pa.RecordBatch, schema: pa.Schema) -> None:
    """Refuse a batch whose columns differ from the schema the file was opened with."""
    if batch.schema.equals(schema, check_metadata=False):
        return
    expected = ", ".join(f"{field.name}: {field.type}" for field in schema)
    actual = ", ".join(f"{field.name}: {field.type}" for field in batch.schema)
    raise ValueError(f"batch columns ({actual}) do not match the file's schema ({expected})")

"""The registry of landing-file formats: what a format is, what it can do, and how to find one.

A format is one module `fmt_<name>.py` in this package that calls `register_format` on import;
the package imports every such module, so adding a format never means editing a list. A format
declares its capabilities as data (whether it writes files or tables, how its values are read
back, what a generated pipeline must know): the CLI, the web app, the readers and codegen ask
the format instead of testing its name.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal, Protocol, TypeVar

import pyarrow as pa

__all__ = [
    "FORMATS",
    "FileFormat",
    "FormatWriter",
    "SparkWrite",
    "WritesFiles",
    "check_batch",
    "cycle_parser",
    "get_format",
    "pipeline_formats",
    "register_format",
    "spark_formats",
]


class FormatWriter(Protocol):
    """Writes record batches of one schema into a stream that the caller owns."""

    def write(self, batch: pa.RecordBatch) -> None:
        """Append the batch's rows."""
        ...

    def close(self) -> None:
        """Write any footer and flush; never closes the stream itself."""
        ...


@dataclass(frozen=True, slots=True)
class SparkWrite:
    """How the Spark engine writes a format with Spark's own writer (`DataFrame.write`).

    Attributes:
        source: the writer's format name (`DataFrameWriter.format`).
        options: writer options, so Spark's files read back as ours (same text for timestamps
            and nulls).
        conf: session settings that hold for the write only (the caller's value is restored).
    """

    source: str
    options: Mapping[str, str] = field(default_factory=dict)
    conf: Mapping[str, str] = field(default_factory=dict)


class FileFormat(Protocol):
    """A landing format: its registry name, what it can do, and how to start writing a file."""

    name: str
    extension: str  # without the dot; "" for a table format (it writes folders)
    # "files": one file per table per cycle, written through `open`; "tables": each landing
    # folder is a table, one commit per cycle (`append_cycle(path, cycle, batches, schema)`).
    writes: Literal["files", "tables"]
    # The registered file format of the data files holding a cycle's rows: the format itself,
    # or for a table format the files each commit adds. Readers parse (and estimates size) by it.
    data_format: str
    header: bool  # the first line names the columns
    nested_as_text: bool  # arrays and maps are JSON text in a cell (read as STRING, then parsed)
    text_map_keys: bool  # nested values are JSON: map keys are text, cast back after reading
    carries_schema: bool  # the files hold their column types: a reader needs no schema
    # The Spark file source a generated pipeline reads this landing with (cloudFiles.format,
    # read_files, readStream.format); None: no pipeline target reads this landing.
    spark_source: str | None
    # How the Spark engine (`--engine spark`, the bundle's generator job) writes this format;
    # None: it cannot (CSV has no place for arrays and maps in Spark's writer; Delta needs the
    # delta-spark package).
    spark_write: SparkWrite | None

    def open(self, stream: BinaryIO, schema: pa.Schema) -> FormatWriter:
        """Start a file of this format in `stream`, for batches of `schema`."""
        ...

    def data_files(self, path: Path, version: int | None = None) -> list[str]:
        """The data files (paths or URIs) holding one landed cycle: `path` itself for a file
        format; for a table format the files that commit `version` added."""
        ...


class WritesFiles:
    """Defaults of a format that writes one file per table per cycle."""

    writes: Literal["files", "tables"] = "files"

    def data_files(self, path: Path, version: int | None = None) -> list[str]:
        return [str(path)]


FORMATS: dict[str, FileFormat] = {}
Parser = TypeVar("Parser")


def register_format(fmt: FileFormat) -> FileFormat:
    """Make `fmt` available under `fmt.name`; returns it, so a module can keep a reference."""
    module = type(fmt).__module__
    if module.startswith(f"{__package__}.fmt_") and module != f"{__package__}.fmt_{fmt.name}":
        # The CLI lists formats by their module names without importing them (a fast --help).
        raise ValueError(f"file format {fmt.name!r} must live in fmt_{fmt.name}.py, not {module}")
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


def cycle_parser(
    fmt: str, path: Path, version: int | None, parsers: Mapping[str, Parser]
) -> tuple[Parser, list[str] | None]:
    """How to read one landed cycle of format `fmt` at `path`: the parser of its data files (from
    `parsers`, keyed by data format) and, for a table format, the files of commit `version`
    (None: `path` is the one file).

    Raises:
        ValueError: `fmt` is unknown, or `parsers` has none for its data files.
    """
    try:
        landing_format = get_format(fmt)
    except ValueError:
        raise ValueError(f"cannot read format {fmt!r}") from None
    parse = parsers.get(landing_format.data_format)
    if parse is None:
        raise ValueError(f"cannot read format {fmt!r} (its files are {landing_format.data_format})")
    if landing_format.writes == "files":
        return parse, None
    return parse, landing_format.data_files(path, version)


def pipeline_formats() -> tuple[str, ...]:
    """Names of the formats a generated pipeline can read (they name a Spark file source)."""
    return tuple(name for name, fmt in sorted(FORMATS.items()) if fmt.spark_source is not None)


def spark_formats() -> tuple[str, ...]:
    """Names of the formats the Spark engine writes (they declare a `spark_write`)."""
    return tuple(name for name, fmt in sorted(FORMATS.items()) if fmt.spark_write is not None)


def check_batch(batch: pa.RecordBatch, schema: pa.Schema) -> None:
    """Refuse a batch whose columns differ from the schema the file was opened with."""
    if batch.schema.equals(schema, check_metadata=False):
        return
    expected = ", ".join(f"{field.name}: {field.type}" for field in schema)
    actual = ", ".join(f"{field.name}: {field.type}" for field in batch.schema)
    raise ValueError(f"batch columns ({actual}) do not match the file's schema ({expected})")

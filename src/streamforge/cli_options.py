"""Options that several commands share, defined once so that their help and choices agree
(`--schema-dir` everywhere; the landing `--format` of `generate` and `run`), and the type of a
folder option that may be typed as a `dbfs:/` URI (`FolderPath`)."""

from __future__ import annotations

from pathlib import Path

import click

from streamforge import api
from streamforge.errors import StreamForgeError
from streamforge.file_uris import SCHEMA_READ, file_path


class FolderPath(click.ParamType):
    """A folder read or written with file I/O, as a Path: `dbfs:/Volumes/...`, `dbfs:/...` and
    `file:/...` name their mounted path (file_uris.file_path); another URI is a usage error that
    quotes what was typed (click.Path would make `s3://b/x` the folder `s3:/b/x`)."""

    name = "path"

    def __init__(self, what: str) -> None:
        self.what = what  # "verify reads the landing": what happens there, for the message

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, Path):
            return value
        try:
            return file_path(str(value), self.what)
        except StreamForgeError as exc:
            self.fail(str(exc), param, ctx)


schema_dir_option = click.option(
    "--schema-dir",
    type=FolderPath(SCHEMA_READ),
    default=None,
    help="Folder of sector folders (default: ./schema, else the built-in library).",
)

landing_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(api.landing_formats()),
    default=api.DEFAULT_FORMAT,
    show_default=True,
)

"""Options that several commands share, defined once so that their help and choices agree
(`--schema-dir` everywhere; the landing `--format` of `generate` and `run`)."""

from __future__ import annotations

from pathlib import Path

import click

from streamforge import api

schema_dir_option = click.option(
    "--schema-dir",
    type=click.Path(path_type=Path),
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

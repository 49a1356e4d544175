"""The `--engine` and `--master` options that `generate` and `run` share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])


def engine_options(command: F) -> F:
    """Add `--engine local|spark`, `--master` and `--spark-writer native|spark` (passed to the
    command as `engine`, `master`, `spark_writer`)."""
    command = click.option(
        "--spark-writer",
        type=click.Choice(["native", "spark"]),
        default="native",
        show_default=True,
        help="For --engine spark, who encodes the files: native (the executors, with "
        "StreamForge's format code; any format; fastest) or spark (Spark's JSON/Parquet "
        "writers).",
    )(command)
    command = click.option(
        "--master",
        default=None,
        help="Spark master URL for --engine spark (default local[2]; e.g. local[*], "
        "spark://host:7077).",
    )(command)
    return click.option(
        "--engine",
        type=click.Choice(["local", "spark"]),
        default="local",
        show_default=True,
        help="Who makes and writes the rows: this process, or Spark (same rows; needs "
        "the spark extra, pip install -e '.[spark]' in the clone, and Java 17).",
    )(command)

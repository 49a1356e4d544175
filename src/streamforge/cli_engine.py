"""The `--engine` and `--master` options that `generate` and `run` share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click
from click.core import ParameterSource

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
        help="Spark master URL for --engine spark (default local[2]; local, local[N], "
        "local[*], local[N,F], spark://host:7077, yarn, k8s://..., mesos://...).",
    )(command)
    return click.option(
        "--engine",
        type=click.Choice(["local", "spark"]),
        default="local",
        show_default=True,
        help="Who makes and writes the rows: this process, or Spark (same rows; needs "
        "the spark extra, pip install -e '.[spark]' in the clone, and Java 17).",
    )(command)


def check_engine_options(engine: str) -> None:
    """Refuse `--master` or `--spark-writer` given without `--engine spark`: the local engine
    would ignore them silently (a user who typed `--master local[8]` expects Spark).

    Raises:
        click.UsageError: naming the options and the fix (add --engine spark, or drop them).
    """
    if engine == "spark":
        return
    context = click.get_current_context()
    given = [
        f"--{name.replace('_', '-')}"
        for name in ("master", "spark_writer")
        if context.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)
    ]
    if given:
        options = " and ".join(given)
        raise click.UsageError(
            f"{options} only appl{'y' if len(given) > 1 else 'ies'} to the Spark engine and "
            f"--engine is {engine}: add --engine spark, or drop {options}"
        )

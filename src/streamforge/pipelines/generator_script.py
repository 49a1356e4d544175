"""The generator job's Python file for serverless compute (Unity Catalog bundles).

A serverless job takes its libraries from a job environment, and the Jobs API gives environments
to non-notebook tasks only (a notebook task is told to `%pip install` instead). So on serverless
the job runs this file as a `spark_python_task` whose environment installs StreamForge's wheel;
classic job clusters (Hive metastore bundles) keep the notebook (`generator_job.NOTEBOOK`) with
task `libraries`. Both call `generate_spark` with the same arguments.
"""

from __future__ import annotations

# Path of the file in the bundle, relative to `databricks.yml`.
SCRIPT = "generator/generate_landing_job.py"

# (option, default) in the order the job passes them; defaults make a hand run work too.
OPTIONS = ("sector", "landing", "format", "cycles", "seed", "scale", "fresh", "writer")


def script_parameters(values: dict[str, str]) -> list[str]:
    """The task's `parameters`: `--name value` for every option, in `OPTIONS` order.

    Args:
        values: option name -> value text (bundle variables such as `${var.landing}` allowed).

    Returns:
        The argv list the job passes to the file.
    """
    return [part for name in OPTIONS for part in (f"--{name}", values[name])]


def generator_script(sector: str, fmt: str, writer: str) -> str:
    """The Python file the serverless generator job runs.

    Args:
        sector: the shipped sector it writes by default.
        fmt: the landing format by default (json, csv, parquet).
        writer: the Spark engine's writer by default (`native`).

    Returns:
        The file's text.
    """
    return f'''"""Writes the {sector} landing area with StreamForge's Spark engine: the same rows as
`streamforge generate` for the same seed, made on the cluster. The bundle's job runs it on
serverless compute with StreamForge's wheel installed by the job environment."""

import argparse

from pyspark.sql import SparkSession

from streamforge.engine_spark import generate_spark


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sector", default="{sector}")
    parser.add_argument("--landing", default="/Volumes/main/streamforge/landing")
    parser.add_argument("--format", default="{fmt}")
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--fresh", default="true", choices=["true", "false"])
    # native: the executors write the files through /Volumes (FUSE); s3:// or abfss:// are
    # refused: use a Volume (an external Volume can sit on that storage)
    parser.add_argument("--writer", default="{writer}")
    args = parser.parse_args(argv)
    result = generate_spark(
        SparkSession.builder.getOrCreate(),
        None,  # the sectors shipped with streamforge
        args.sector,
        out=args.landing,
        cycles=args.cycles,
        seed=args.seed,
        fmt=args.format,
        scale=args.scale,
        fresh=args.fresh == "true",
        writer=args.writer,
    )
    print(f"{{result.rows:,}} rows in {{len(result.files)}} folders")


if __name__ == "__main__":
    main()
'''

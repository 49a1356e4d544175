"""The bundle's generator job: a notebook task that writes the landing Volume with the Spark
engine (`streamforge.engine_spark.generate_spark`), so one `databricks bundle deploy` gives both
the data and the pipeline that ingests it.

Unity Catalog bundles run a Python file (`generator_script.py`) on serverless compute, with the
job's environment (the Jobs API gives environments to non-notebook tasks only); Hive metastore
bundles run the notebook on a job cluster.
Either way the task installs StreamForge itself: the bundle's `artifacts:` entry builds its wheel
from the StreamForge clone at deploy time (`python -m build --wheel`), and the task lists that
wheel (`libraries: - whl:` on the job cluster, the environment's `dependencies` on serverless;
the bundle CLI uploads it and rewrites the local path). StreamForge is not installed by name:
PyPI's `streamforge` is an unrelated project.

The notebook's widgets (sector, landing, cycles, seed, format, scale, fresh, writer) are the job's
parameters, so a run can be changed from the Jobs UI without redeploying. The landing is
the bundle's `${var.landing}`, the folder the pipeline reads; the writer is the native one
(`WRITER`): executors write the files with plain file I/O through the Volumes FUSE mount.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamforge.errors import StreamForgeError
from streamforge.pipelines.generator_script import SCRIPT, script_parameters
from streamforge.sinks.formats import get_format
from streamforge.sinks.mounted_paths import check_file_landing

NOTEBOOK = "generator/generate_landing.py"
# A Databricks Runtime LTS with pyspark 3.5+ (mapInArrow and DataFrame.observe), on AWS nodes;
# change both variables for Azure or GCP.
RUNTIME = "15.4.x-scala2.12"
NODE_TYPE = "i3.xlarge"


# The generator job's writer: the executors write the landing with StreamForge's own format code
# (engine_spark.native), every file format, through the Volumes FUSE mount (UC, serverless) or
# the DBFS root's /dbfs mount (the Hive metastore bundle's classic job cluster).
WRITER = "native"


def check_generator_job(fmt: str, landing: str) -> None:
    """Refuse a landing format or place the generator job's writer cannot take, when the
    project is made instead of when the job runs: the format asks the native writer (every format
    that writes files: json, csv, parquet; not a table format), the landing asks
    `sinks.mounted_paths` (a Volume, `dbfs:/...` or a folder; not an object-store URI).

    Raises:
        StreamForgeError: what the writer takes instead.
    """
    try:
        check_file_landing(landing, get_format(fmt))  # what the native writer checks
    except StreamForgeError as refused:
        raise StreamForgeError(
            f"--generator-job writes the landing with the Spark engine: {refused}"
        ) from None


# The wheel the bundle builds, relative to the bundle root (where `databricks.yml` resolves it).
WHEEL = "${var.streamforge_source}/dist/streamforge-*.whl"
ARTIFACT = "streamforge"


def streamforge_source() -> str:
    """The folder of the StreamForge clone this package runs from (the one holding
    `pyproject.toml`), or `..` when it is installed from a wheel: the bundle builds the generator
    job's wheel there, and the variable can be changed at deploy time."""
    root = Path(__file__).resolve().parents[3]
    return str(root) if (root / "pyproject.toml").is_file() else ".."


def generator_artifacts() -> dict[str, Any]:
    """The bundle's `artifacts:`: StreamForge's wheel, built from the clone at deploy time."""
    return {
        ARTIFACT: {
            "type": "whl",
            "path": "${var.streamforge_source}",
            "build": "python -m build --wheel",
        }
    }


def generator_variables(unity_catalog: bool) -> dict[str, Any]:
    variables: dict[str, Any] = {
        "streamforge_source": {
            "description": "StreamForge clone the generator job's wheel is built from",
            "default": streamforge_source(),
        },
        "generator_cycles": {"description": "Batches the generator job writes", "default": "10"},
        "generator_seed": {"description": "Seed of the generated rows", "default": "42"},
    }
    if not unity_catalog:
        variables["generator_runtime"] = {"description": "Job cluster", "default": RUNTIME}
        variables["generator_node_type"] = {"description": "Job cluster", "default": NODE_TYPE}
    return variables


def generator_job(title: str, sector: str, fmt: str, unity_catalog: bool) -> dict[str, Any]:
    """The job resource: one notebook task writing `${var.landing}` with the Spark engine."""
    parameters = {
        "sector": sector,
        "landing": "${var.landing}",
        "format": fmt,
        "cycles": "${var.generator_cycles}",
        "seed": "${var.generator_seed}",
        "scale": "1.0",
        "fresh": "true",
        "writer": WRITER,
    }
    task: dict[str, Any] = {"task_key": "generate_landing"}
    if unity_catalog:  # environments are for non-notebook tasks: a Python file (generator_script)
        task["spark_python_task"] = {
            "python_file": f"./{SCRIPT}",
            "parameters": script_parameters(parameters),
        }
    else:
        task["notebook_task"] = {"notebook_path": f"./{NOTEBOOK}", "base_parameters": parameters}
    job: dict[str, Any] = {
        "name": f"{title}: generate the landing data (StreamForge Spark engine)",
        "max_concurrent_runs": 1,
        "tasks": [task],
    }
    if unity_catalog:  # serverless: the task's environment installs the wheel
        task["environment_key"] = "streamforge"
        job["environments"] = [
            {"environment_key": "streamforge", "spec": {"client": "2", "dependencies": [WHEEL]}}
        ]
    else:  # serverless jobs need Unity Catalog: a job cluster, which installs task libraries
        task["job_cluster_key"] = "generator"
        task["libraries"] = [{"whl": WHEEL}]
        job["job_clusters"] = [
            {
                "job_cluster_key": "generator",
                "new_cluster": {
                    "spark_version": "${var.generator_runtime}",
                    "node_type_id": "${var.generator_node_type}",
                    "num_workers": 2,
                },
            }
        ]
    return job


def generator_notebook(sector: str, fmt: str) -> str:
    """The notebook (Databricks source format) the job runs; it also runs as a plain notebook."""
    cells = [
        "# Databricks notebook source\n"
        "# MAGIC %md\n"
        f"# MAGIC Writes the {sector} landing area with StreamForge's Spark engine: the same rows\n"
        "# MAGIC as `streamforge generate` for the same seed, made on the cluster.",
        # The job installs StreamForge's wheel (the bundle's artifact) before the notebook runs;
        # run by hand, install that wheel first: %pip install /Workspace/.../streamforge-*.whl
        "# MAGIC %md\n"
        "# MAGIC The job installs StreamForge from the wheel the bundle builds (`artifacts:`);\n"
        "# MAGIC to run this notebook by hand, `%pip install` that wheel (`python -m build\n"
        "# MAGIC --wheel` in the StreamForge clone) from a workspace folder or Volume first.",
        "\n".join(
            f'dbutils.widgets.text("{name}", "{default}")  # noqa: F821'
            for name, default in (
                ("sector", sector),
                ("landing", "/Volumes/main/streamforge/landing"),
                ("format", fmt),
                ("cycles", "10"),
                ("seed", "42"),
                ("scale", "1.0"),
                ("fresh", "true"),
                ("writer", WRITER),
            )
        ),
        "from streamforge.engine_spark import generate_spark\n"
        "\n"
        "arg = dbutils.widgets.get  # noqa: F821\n"
        "result = generate_spark(\n"
        "    spark,  # noqa: F821\n"
        "    None,  # the sectors shipped with streamforge; a workspace folder of YAML works too\n"
        '    arg("sector"),\n'
        '    out=arg("landing"),\n'
        '    cycles=int(arg("cycles")),\n'
        '    seed=int(arg("seed")),\n'
        '    fmt=arg("format"),\n'
        '    scale=float(arg("scale")),\n'
        '    fresh=arg("fresh") == "true",\n'
        "    # native: the executors write the files through /Volumes (FUSE); dbfs:/x is\n"
        "    # written as /dbfs/x (classic clusters); s3:// or abfss:// are refused: use a Volume\n"
        '    writer=arg("writer"),\n'
        ")\n"
        'print(f"{result.rows:,} rows in {len(result.files)} folders")',
    ]
    return "\n\n# COMMAND ----------\n\n".join(cells) + "\n"

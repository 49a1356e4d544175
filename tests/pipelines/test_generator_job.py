"""`pipeline --generator-job`: the bundle gains a job whose notebook writes the landing Volume
with the Spark engine; the bundle still matches the Databricks bundle schema, and the notebook
really generates the landing (slow: run on local pyspark with a stand-in for dbutils)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from tests.pipelines.test_bundle import BUNDLE_TARGETS, SCHEMA, schema_errors

from streamforge import api
from streamforge.cli import main
from streamforge.pipelines.generator_job import NOTEBOOK
from streamforge.pipelines.generator_script import OPTIONS, SCRIPT
from streamforge.pipelines.local_spark import spark_available
from streamforge.sinks.formats import get_format
from streamforge.sinks.mounted_paths import landing_place


def project(target: str = "databricks", fmt: str = "json", **options) -> dict[str, str]:
    files = api.pipeline("Retail", None, schema_dir=SCHEMA, target=target, fmt=fmt,
                         generator_job=True, **options).files  # fmt: skip
    return dict(files)


@pytest.mark.parametrize("target", BUNDLE_TARGETS)
@pytest.mark.parametrize("continuous", [False, True])
def test_the_bundle_with_a_generator_job_matches_the_bundle_schema(
    target: str, continuous: bool
) -> None:
    files = project(target, continuous=continuous)
    document = yaml.safe_load(files["databricks.yml"])
    assert schema_errors(document) == []
    job = document["resources"]["jobs"]["streamforge_retail_generate"]
    (task,) = job["tasks"]
    parameters = task_parameters(task, files)
    assert parameters["landing"] == "${var.landing}"  # where the pipeline reads
    assert parameters["format"] == "json" and parameters["sector"] == "Retail"
    # The executors write with the native writer, through the mount the landing maps to: the
    # Volume (UC, serverless) or the DBFS root's /dbfs (Hive metastore: a classic job cluster).
    assert parameters["writer"] == "native"
    landing = document["variables"]["landing"]["default"]
    assert landing == api.default_landing(target)
    place = landing_place(landing)
    if target == "databricks":
        assert place.path == landing and landing.startswith("/Volumes/")
    else:
        assert landing.startswith("dbfs:/") and place.path == "/dbfs/" + landing[len("dbfs:/") :]
    if target == "databricks":  # Unity Catalog: serverless, so no cluster at all
        assert "job_clusters" not in job and "job_cluster_key" not in task
    else:
        assert task["job_cluster_key"] == job["job_clusters"][0]["job_cluster_key"]


def task_parameters(task: dict, files: dict[str, str]) -> dict[str, str]:
    """The generator task's parameters by name: a serverless task is a Python file with
    `--name value` arguments (the Jobs API gives environments to non-notebook tasks only), a job
    cluster's a notebook with base parameters; either file is part of the project."""
    if "spark_python_task" in task:
        assert "notebook_task" not in task and "environment_key" in task
        assert task["spark_python_task"]["python_file"] == f"./{SCRIPT}" and SCRIPT in files
        argv = task["spark_python_task"]["parameters"]
        assert argv[0::2] == [f"--{name}" for name in OPTIONS]
        return dict(zip((name[2:] for name in argv[0::2]), argv[1::2], strict=True))
    assert "environment_key" not in task  # a notebook task takes its libraries, not an environment
    assert task["notebook_task"]["notebook_path"] == f"./{NOTEBOOK}" and NOTEBOOK in files
    return task["notebook_task"]["base_parameters"]


def test_the_serverless_job_runs_a_python_file_passing_its_parameters(monkeypatch) -> None:
    files = project(fmt="csv")
    job = yaml.safe_load(files["databricks.yml"])["resources"]["jobs"][
        "streamforge_retail_generate"
    ]
    (task,) = job["tasks"]
    argv = task["spark_python_task"]["parameters"]
    argv = [a.replace("${var.landing}", "/Volumes/c/s/v/x") for a in argv]
    argv = [a.replace("${var.generator_cycles}", "3").replace("${var.generator_seed}", "7")
            for a in argv]  # fmt: skip
    scope: dict = {"__name__": "generator_job_file"}
    exec(compile(files[SCRIPT], SCRIPT, "exec"), scope)
    calls: list = []

    class Session:
        class builder:
            @staticmethod
            def getOrCreate() -> str:
                return "spark"

    class Result:
        rows, files = 10, ["a"]

    scope["SparkSession"] = Session
    scope["generate_spark"] = lambda *args, **kwargs: calls.append((args, kwargs)) or Result()
    scope["main"](argv)
    assert calls == [
        (
            ("spark", None, "Retail"),
            {"out": "/Volumes/c/s/v/x", "cycles": 3, "seed": 7, "fmt": "csv", "scale": 1.0,
             "fresh": True, "writer": "native"},
        )
    ]  # fmt: skip


def test_the_notebook_is_python_and_installs_no_second_pyspark() -> None:
    text = project("dlt-legacy", fmt="parquet")[NOTEBOOK]
    assert text.startswith("# Databricks notebook source\n")
    ast.parse(text)
    # the job's environment or libraries install the bundle's wheel (the runtime brings pyspark)
    assert "[spark]" not in text
    assert 'dbutils.widgets.text("format", "parquet")' in text
    assert 'dbutils.widgets.text("writer", "native")' in text
    assert 'writer=arg("writer"),' in text and 'out=arg("landing"),' in text


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_the_generator_job_writes_every_file_format(fmt: str) -> None:
    """The native writer writes every format that writes files, CSV too (the format says so)."""
    assert get_format(fmt).writes == "files"
    files = project(fmt=fmt)
    job = yaml.safe_load(files["databricks.yml"])["resources"]["jobs"][
        "streamforge_retail_generate"
    ]
    assert task_parameters(job["tasks"][0], files)["format"] == fmt
    assert f'parser.add_argument("--format", default="{fmt}")' in files[SCRIPT]
    notebook = project("dlt-legacy", fmt=fmt)[NOTEBOOK]
    assert f'dbutils.widgets.text("format", "{fmt}")' in notebook


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "spark"], "the spark target has no bundle"),
        (["--landing", "s3://bucket/landing"], "a s3: URI is no file system path"),
        (["--landing", "abfss://c@a.dfs.core.windows.net/x"], "/Volumes/<catalog>/<schema>"),
        (["--landing", "/Volumes/main"], "is not a Unity Catalog Volume path"),
    ],
)
def test_what_the_generator_job_cannot_do_is_refused(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(
        main, ["pipeline", "Retail", "--out", str(tmp_path), "--generator-job", *args]
    )
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


@pytest.mark.slow
@pytest.mark.skipif(not spark_available(), reason="needs pyspark and Java")
def test_the_notebook_writes_the_landing_that_verify_accepts(tmp_path: Path) -> None:
    from streamforge.engine_spark.start import local_session

    text = project("dlt-legacy")[NOTEBOOK]
    landing = tmp_path / "landing"
    widgets: dict[str, str] = {}

    class Widgets:
        def text(self, name: str, default: str) -> None:
            widgets.setdefault(name, default)

        def get(self, name: str) -> str:
            return widgets[name]

    class DbUtils:
        widgets = Widgets()

        class library:
            @staticmethod
            def restartPython() -> None:
                pass

    widgets.update(landing=str(landing), cycles="2")  # what the job's parameters set
    cells = text.split("# COMMAND ----------")
    spark = local_session("local[2]", tmp_path / "spark")
    scope = {"dbutils": DbUtils(), "spark": spark}
    for cell in cells:
        exec(compile(cell, NOTEBOOK, "exec"), scope)  # MAGIC lines are comments
    assert scope["result"].cycles == 2
    report = api.verify("Retail", landing)
    assert report.ok, report


@pytest.mark.slow
@pytest.mark.skipif(not spark_available(), reason="needs pyspark and Java")
def test_the_serverless_python_file_writes_the_landing_that_verify_accepts(tmp_path: Path) -> None:
    from streamforge.engine_spark.start import local_session

    landing = tmp_path / "landing"
    local_session("local[2]", tmp_path / "spark")  # the session getOrCreate() finds
    scope: dict = {"__name__": "generator_job_file"}
    exec(compile(project()[SCRIPT], SCRIPT, "exec"), scope)
    scope["main"](["--landing", str(landing), "--cycles", "2", "--format", "parquet"])
    report = api.verify("Retail", landing)
    assert report.ok, report
    assert {p.suffix for p in landing.rglob("part-*")} == {".parquet"}

"""What the generator job (`pipeline --generator-job`) installs and writes, judged by the README:
the job must run *this* project's Spark engine, and the Spark engine's default (native) writer
writes json, csv and parquet (the csv case was fixed on main while this was written).

Found by trying the README as a new user (worktree `tryout`, 2026-12-01); the xfails are open
faults for the pipelines' owner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from streamforge import api
from streamforge.pipelines.generator_job import NOTEBOOK
from streamforge.pipelines.generator_script import SCRIPT

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
# `pip install streamforge` / `streamforge[spark]` by bare name resolves on PyPI to another
# project (0.1.3, "Real-time cryptocurrency and financial data ingestion system", no
# engine_spark module); this package is not published there under that name.
BARE_NAME = re.compile(r"pip install\s+['\"]?streamforge(\[[\w,]+\])?['\"]?(\s|$)")


def notebook(fmt: str = "json") -> str:
    """The job cluster's notebook (Hive metastore bundle)."""
    files = api.pipeline("Retail", None, schema_dir=SCHEMA, target="dlt-legacy", fmt=fmt,
                         generator_job=True).files  # fmt: skip
    return dict(files)[NOTEBOOK]


def script(fmt: str = "json") -> str:
    """The serverless job's Python file (Unity Catalog bundle)."""
    files = api.pipeline("Retail", None, schema_dir=SCHEMA, target="databricks", fmt=fmt,
                         generator_job=True).files  # fmt: skip
    return dict(files)[SCRIPT]


def test_the_bare_name_pattern_catches_what_it_must() -> None:
    assert BARE_NAME.search("# MAGIC %pip install streamforge  # the runtime brings pyspark")
    assert BARE_NAME.search("pip install 'streamforge[spark]'")
    wheel = "/Volumes/main/libs/streamforge-0.1.0-py3-none-any.whl"
    assert not BARE_NAME.search(f"%pip install {wheel}")


def test_the_generator_notebook_installs_this_project_not_the_pypi_namesake() -> None:
    assert not BARE_NAME.search(notebook())
    assert not BARE_NAME.search(script())


def test_the_missing_pyspark_hint_installs_this_project(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from streamforge.engine_spark.start import require_pyspark
    from streamforge.errors import StreamForgeError

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a)
    )
    with pytest.raises(StreamForgeError) as error:
        require_pyspark()
    assert "pyspark" in str(error.value)
    assert not BARE_NAME.search(str(error.value))


def test_a_csv_landing_gets_a_generator_job() -> None:
    text = notebook("csv")
    assert 'dbutils.widgets.text("format", "csv")' in text
    assert 'parser.add_argument("--format", default="csv")' in script("csv")


@pytest.mark.parametrize("catalog", ["unity", "hive"])
def test_the_bundle_builds_this_project_s_wheel_and_the_job_installs_it(catalog: str) -> None:
    """Databricks Asset Bundles, library dependencies: an `artifacts:` entry of type whl builds
    the wheel at deploy; a job cluster task installs it from `libraries: - whl:`, a serverless
    task from its job environment's `dependencies`."""
    import yaml

    target = "databricks" if catalog == "unity" else "dlt-legacy"
    files = dict(api.pipeline("Retail", None, schema_dir=SCHEMA, target=target, fmt="json",
                              generator_job=True).files)  # fmt: skip
    bundle = yaml.safe_load(files["databricks.yml"])
    (artifact,) = bundle["artifacts"].values()
    assert artifact["type"] == "whl" and "--wheel" in artifact["build"]
    source = artifact["path"]  # the StreamForge clone: the variable's default is one
    assert source == "${var.streamforge_source}"
    assert (Path(bundle["variables"]["streamforge_source"]["default"]) / "pyproject.toml").is_file()
    job = next(j for key, j in bundle["resources"]["jobs"].items() if key.endswith("_generate"))
    (task,) = job["tasks"]
    if catalog == "unity":
        (environment,) = job["environments"]
        assert task["environment_key"] == environment["environment_key"]
        wheels = environment["spec"]["dependencies"]
    else:
        wheels = [library["whl"] for library in task["libraries"]]
    assert [w for w in wheels if w.startswith(f"{source}/dist/") and w.endswith(".whl")]

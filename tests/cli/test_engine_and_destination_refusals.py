"""`generate` and `run` refuse, before anything is written, what they would otherwise get wrong
quietly (issue 15, a new-user tryout; house rule: bad input gets the fix and a non-zero exit):

- a URI the landing cannot write: only a local folder and a Unity Catalog Volume (Files API) are
  landings (`sinks/destination.py`); `s3://bucket/landing` must not become `./s3:/bucket/landing`;
- `--master` / `--spark-writer` without `--engine spark`: the local engine would ignore them;
- a `--master` of no form Spark knows (local, local[N], local[*], local[N,F], spark://, yarn,
  k8s://, mesos://): refused before the JVM starts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from streamforge.cli import main
from streamforge.engine_spark.start import check_master
from streamforge.errors import StreamForgeError

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
URIS = [
    "s3://bucket/landing",
    "s3a://bucket/landing",
    "abfss://c@acct.dfs.core.windows.net/l",
    "gs://bucket/l",
    "https://example.com/l",
    "hdfs://nn:8020/l",
]


def invoke(command: str, out: str, *extra: str):
    args = [command, "Retail", "--schema-dir", str(SCHEMA), "--out", out, "--cycles", "1"]
    return CliRunner().invoke(main, [*args, "--scale", "0.01", *extra], env=ENV)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # a mangled URI would become a folder here
    return tmp_path


@pytest.mark.parametrize("command", ["generate", "run"])
@pytest.mark.parametrize("uri", URIS)
def test_a_uri_the_local_landing_cannot_write_is_refused(here: Path, command: str, uri: str):
    result = invoke(command, uri)
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert f"'{uri}'" in text  # what the user typed, not click.Path's s3:/bucket/landing
    assert "/Volumes/<catalog>/<schema>/<volume>" in text and "local folder" in text
    assert "Traceback" not in result.output
    assert list(here.iterdir()) == []


@pytest.mark.parametrize("command", ["generate", "run"])
def test_a_local_folder_is_still_a_landing(here: Path, command: str) -> None:
    result = invoke(command, "landing", "--interval", "0.01")
    assert result.exit_code == 0, result.output
    assert (here / "landing" / "_streamforge").is_dir()


@pytest.mark.parametrize("command", ["generate", "run"])
@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--master", "local[4]"], "--master"),
        (["--spark-writer", "spark"], "--spark-writer"),
        (["--spark-writer", "native"], "--spark-writer"),  # given, even if it is the default
        (["--engine", "local", "--master", "local[*]"], "--master"),
    ],
)
def test_spark_options_without_the_spark_engine_are_refused(
    here: Path, command: str, extra: list[str], named: str
) -> None:
    result = invoke(command, "landing", *extra)
    assert result.exit_code != 0
    text = " ".join(result.output.split())
    assert named in text and "add --engine spark" in text
    assert list(here.iterdir()) == []


@pytest.mark.parametrize(
    "master",
    [
        "local",
        "local[1]",
        "local[2]",
        "local[*]",
        "local[4,3]",
        "local[*,2]",
        "local-cluster[2,1,1024]",
        "spark://host:7077",
        "spark://a:7077,b:7077",
        "yarn",
        "k8s://https://10.0.0.1:6443",
        "mesos://host:5050",
    ],
)
def test_every_master_form_spark_documents_is_accepted(master: str) -> None:
    check_master(master)


@pytest.mark.parametrize(
    "master",
    [
        "bogus[2]",
        "local[0]",
        "local[]",
        "local[two]",
        "local[2",
        "locale",
        "spark:/h:7077",
        "yarn-cluster",
        "",
        "k8s://",
        "LOCAL",
    ],
)
def test_a_master_of_no_known_form_is_refused_with_the_forms(master: str) -> None:
    with pytest.raises(StreamForgeError) as error:
        check_master(master)
    assert "local[N]" in str(error.value) and "spark://" in str(error.value)


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=100))
def test_local_with_any_positive_threads_and_failures_is_accepted(threads: int, failures: int):
    check_master(f"local[{threads}]")
    check_master(f"local[{threads},{failures}]")

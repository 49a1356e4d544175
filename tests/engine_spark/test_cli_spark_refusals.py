"""`generate --engine spark` from the CLI: what it cannot do is refused with the fix, before Spark
starts (tens of seconds on a busy machine) and before anything is written (README, "Scale-out on
Spark"; house rule: bad input gets a clear message, a non-zero exit and no traceback).

Found by trying the README as a new user (worktree `tryout`, 2026-12-01); the xfail left is an
open fault for the engine's owner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from streamforge import api
from streamforge.cli import main
from streamforge.pipelines.local_spark import spark_available

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
SPARK_STARTED = "Spark was started"


@pytest.fixture
def no_spark(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting a session fails loudly: every refusal here must come before it."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(SPARK_STARTED)

    monkeypatch.setattr("streamforge.engine_spark.start.local_session", refuse)


def generate(out: str, *extra: str):
    args = ["generate", "Retail", "--schema-dir", str(SCHEMA), "--out", out, "--engine", "spark"]
    return CliRunner().invoke(main, [*args, *extra], env=ENV)


@pytest.mark.parametrize("uri", ["s3://bucket/landing", "abfss://c@acct.dfs.core.windows.net/l"])
def test_an_object_store_uri_is_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_spark: None, uri: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = generate(uri)
    assert result.exit_code == 1
    assert SPARK_STARTED not in result.output
    # The fix (README, "Scale-out on Spark"): neither writer can put the files and the manifest
    # on an object store; a Volume can sit on that storage.
    assert "/Volumes/<catalog>/<schema>/<volume>" in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []  # no ./s3: folder


@pytest.mark.parametrize("case", ["landing without --fresh", "a file in the way"])
def test_a_bad_destination_is_refused_before_spark_starts(
    tmp_path: Path, no_spark: None, case: str
) -> None:
    out = tmp_path / "landing"
    if case == "a file in the way":
        out.write_text("not a folder")
    else:
        api.generate("Retail", out, schema_dir=SCHEMA, cycles=0, scale=0.01)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = generate(str(out))
    assert result.exit_code == 1
    assert SPARK_STARTED not in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


@pytest.mark.slow
@pytest.mark.skipif(not spark_available(), reason="needs pyspark and Java")
def test_an_unknown_master_is_one_clear_line(tmp_path: Path) -> None:
    """A fresh process: the JVM writes to the process's own stderr, which CliRunner cannot see."""
    command = [sys.executable, "-m", "streamforge", "generate", "Retail", "--schema-dir",
               str(SCHEMA), "--out", str(tmp_path / "out"), "--engine", "spark",
               "--master", "bogus[2]"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **ENV})
    assert done.returncode == 1
    assert "--master" in done.stderr and "bogus[2]" in done.stderr  # names what to fix
    assert "Exception in thread" not in done.stderr and "\tat org.apache" not in done.stderr
    assert "internal error" not in done.stderr
    assert not (tmp_path / "out").exists()

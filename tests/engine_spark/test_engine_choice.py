"""`--engine spark` refuses what it cannot do, before anything is written, with the fix."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner

from streamforge.cli import main

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


def generate(out: Path, *extra: str):
    args = ["generate", "Retail", "--schema-dir", str(SCHEMA), "--out", str(out), *extra]
    return CliRunner().invoke(main, args, env=ENV)


def test_without_pyspark_the_error_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a)
    )
    result = generate(tmp_path / "out", "--engine", "spark")
    assert result.exit_code != 0
    assert "pip install 'streamforge[spark]'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("engine", ["spark"])
def test_spark_writes_json_or_parquet_only(tmp_path: Path, engine: str) -> None:
    result = generate(tmp_path / "out", "--engine", engine, "--format", "csv")
    assert result.exit_code != 0
    assert "--engine spark writes json or parquet, not csv" in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


def test_spark_does_not_write_a_volume_from_here() -> None:
    result = CliRunner().invoke(
        main,
        ["run", "Retail", "--out", "/Volumes/main/demo/landing/x", "--engine", "spark"],
        env=ENV,
    )
    assert result.exit_code != 0
    assert "generate_spark(spark, ...)" in " ".join(result.output.split())


def test_an_unknown_engine_is_refused() -> None:
    result = generate(Path("unused"), "--engine", "dask")
    assert result.exit_code == 2
    assert "'dask' is not one of 'local', 'spark'" in result.output

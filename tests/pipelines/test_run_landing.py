"""`pipeline --target spark --run` reads a landing that exists, or says which one it looked for
and how to get one, before Spark starts (Spark itself only says PATH_NOT_FOUND)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from streamforge import api
from streamforge.cli import main
from streamforge.pipelines import local_spark

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
ENV = {"COLUMNS": "300", "NO_COLOR": "1"}


@pytest.fixture
def no_spark(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that got as far as Spark fails the test: the landing check comes first."""

    def run_pipeline(*args, **kwargs):
        raise AssertionError("Spark was started")

    monkeypatch.setattr(local_spark, "run_pipeline", run_pipeline)


def run(tmp_path: Path, *extra: str):
    args = ["pipeline", "Energy", "--schema-dir", str(SCHEMA), "--out", str(tmp_path / "project")]
    return CliRunner().invoke(main, [*args, "--target", "spark", "--run", *extra], env=ENV)


def test_without_landing_the_run_names_the_default_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_spark: None
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(tmp_path)
    assert result.exit_code != 0
    assert f"reads the landing {tmp_path / 'landing'}," in result.output  # ./landing
    assert "pass --landing" in result.output
    assert f"streamforge generate <sector> --out {tmp_path / 'landing'}" in result.output
    assert "Traceback" not in result.output and "PATH_NOT_FOUND" not in result.output


def test_a_landing_with_no_landing_area_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_spark: None
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()  # a folder, but nothing generated into it
    result = run(tmp_path, "--landing", "empty")
    assert result.exit_code != 0
    assert f"reads the landing {tmp_path / 'empty'}," in result.output
    assert "Traceback" not in result.output


def test_without_landing_the_run_reads_what_generate_wrote_to_landing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's quickstart writes ./landing; --run without --landing reads it."""
    monkeypatch.chdir(tmp_path)
    api.generate("Energy", "landing", schema_dir=SCHEMA, cycles=1, scale=0.05)
    seen: list[Path] = []

    def run_locally(project_dir, work_dir=None):  # Spark stands aside; the check has passed
        seen.append(Path(project_dir))
        return {}

    monkeypatch.setattr(api, "run_pipeline_locally", run_locally)
    result = run(tmp_path)
    assert result.exit_code == 0, result.output
    spec = yaml.safe_load((tmp_path / "project" / "spark-pipeline.yml").read_text())
    assert spec["configuration"]["streamforge.landing"] == str(tmp_path / "landing")
    assert seen == [tmp_path / "project"]

"""`--engine spark` refuses what it cannot do, before anything is written, with the fix."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from streamforge.cli import main

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


def generate(out: Path, *extra: str):
    args = ["generate", "Retail", "--schema-dir", str(SCHEMA), "--out", str(out), *extra]
    return CliRunner().invoke(main, args, env=ENV)


@pytest.mark.parametrize("missing", ["pyspark", "pandas"])
def test_without_pyspark_the_error_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == missing else real(name, *a)
    )
    result = generate(tmp_path / "out", "--engine", "spark")
    assert result.exit_code != 0
    # the spark extra of this project, from the clone (PyPI's streamforge is another project)
    assert f"needs {missing}: pip install -e '.[spark]'" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_sparks_writer_writes_json_or_parquet_only(tmp_path: Path) -> None:
    result = generate(
        tmp_path / "out", "--engine", "spark", "--spark-writer", "spark", "--format", "csv"
    )
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


def test_the_spark_engine_keeps_pandas_importable(tmp_path: Path) -> None:
    """The local engine's CLI hides pandas (a faster start); pyspark's Arrow functions need it.
    The check runs in a fresh interpreter: the suite's own process may have imported it."""
    code = (
        "import sys, importlib.util\n"
        "from click.testing import CliRunner\n"
        "from streamforge.cli import main\n"
        f"CliRunner().invoke(main, ['generate', 'Retail', '--out', {str(tmp_path / 'o')!r}, "
        "'--engine', 'spark', '--format', 'delta'])\n"
        "print(importlib.util.find_spec('pandas') is not None)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "True", done.stderr


def test_generate_spark_claims_a_landing_as_generate_does(tmp_path: Path) -> None:
    """One rule for both doors: a landing area that holds a run is refused without fresh, with
    the same message, before Spark is touched (no session is passed here)."""
    from streamforge import api
    from streamforge.engine_spark import generate_spark
    from streamforge.errors import StreamForgeError

    out = tmp_path / "landing"
    api.generate("Energy", out, schema_dir=SCHEMA, cycles=0, scale=0.01)
    with pytest.raises(StreamForgeError) as local:
        api.generate("Energy", out, schema_dir=SCHEMA, cycles=0, scale=0.01)
    with pytest.raises(StreamForgeError) as spark:
        generate_spark(None, SCHEMA, "Energy", out=str(out))  # type: ignore[arg-type]
    assert str(spark.value) == str(local.value)
    assert "already holds a StreamForge landing area" in str(local.value)
    assert "fresh=True" in str(local.value) and "--fresh" in str(local.value)

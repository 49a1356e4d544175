"""bench scripts' `--tmp DIR` (bench/scratch.py): a missing DIR is created, one that cannot be
stops the script with the folder named and exit status 2 (argparse's usage error), no traceback."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def scratch(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(BENCH))  # the scripts import scratch as a sibling
    return importlib.import_module("scratch")


def test_a_missing_tmp_folder_is_created(scratch, tmp_path: Path) -> None:
    tmp = tmp_path / "not" / "yet"
    work = scratch.scratch_dir(argparse.ArgumentParser(), tmp, "sf-vs-ref-")
    assert work.parent == tmp and work.is_dir() and work.name.startswith("sf-vs-ref-")
    assert list(work.iterdir()) == []


def test_a_tmp_that_cannot_be_a_folder_is_refused_clearly(
    scratch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")
    with pytest.raises(SystemExit) as stopped:
        scratch.scratch_dir(argparse.ArgumentParser(), in_the_way / "sub", "x-")
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"--tmp {in_the_way / 'sub'}: cannot make a scratch folder there" in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("script", ["vs_reference.py", "bench_generate.py", "bench_spark.py"])
def test_every_bench_with_tmp_makes_its_folder_this_way(script: str) -> None:
    """A bench script with `--tmp` must not call tempfile.mkdtemp(dir=args.tmp) itself."""
    text = (BENCH / script).read_text(encoding="utf-8")
    assert "scratch_dir(parser, args.tmp" in text
    assert "dir=args.tmp" not in text

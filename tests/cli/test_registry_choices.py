"""The doors ask the registries (issue #12 point 1): the CLI's format and target choices, the web
app's options and the checks on a target's abilities come from what is registered, so a new
format or target is one file and appears everywhere."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from streamforge import api
from streamforge.cli import main
from streamforge.cli_run import run
from streamforge.pipelines import targets
from streamforge.pipelines.targets import TARGETS, Target
from streamforge.sinks import FORMATS
from streamforge.web.params import LandingFormat, PipelineTarget


def choices(command: click.Command, option: str) -> tuple[str, ...]:
    param = next(p for p in command.params if option in getattr(p, "opts", ()))
    assert isinstance(param.type, click.Choice)
    return tuple(param.type.choices)


def command(name: str) -> click.Command:
    assert isinstance(main, click.Group)
    return main.commands[name]


def test_format_and_target_choices_are_the_registries() -> None:
    assert choices(command("generate"), "--format") == tuple(sorted(FORMATS))
    assert choices(run, "--format") == tuple(sorted(FORMATS))
    readable = tuple(n for n in sorted(FORMATS) if FORMATS[n].spark_source is not None)
    assert choices(command("pipeline"), "--format") == readable
    assert choices(command("pipeline"), "--target") == tuple(TARGETS)
    assert {f.value for f in LandingFormat} == set(FORMATS)
    assert {t.value for t in PipelineTarget} == set(TARGETS)


def test_every_target_is_one_module() -> None:
    """A target is one `pipelines/target_<name>.py` that the registry imports."""
    folder = Path(targets.__file__).parent
    modules = sorted(p.stem for p in folder.glob("target_*.py"))
    assert modules == sorted(f"target_{name.replace('-', '_')}" for name in TARGETS)


def test_every_target_declares_what_it_can_do() -> None:
    for name, target in TARGETS.items():
        assert target.name == name and target.description and target.default_landing
        assert set(target.templates) == {"python", "sql"}
        assert isinstance(target.runs_locally, bool) and isinstance(target.deployable, bool)
    assert api.deployable_targets() == tuple(n for n, t in TARGETS.items() if t.deployable)
    assert api.local_targets() == tuple(n for n, t in TARGETS.items() if t.runs_locally)
    assert api.local_targets() and api.deployable_targets()


@pytest.fixture
def new_target(monkeypatch: pytest.MonkeyPatch) -> Target:
    """The spark target registered again under a new name, as a new target module would."""
    target = dataclasses.replace(TARGETS["spark"], name="spark-next")
    monkeypatch.setitem(TARGETS, target.name, target)
    return target


def test_a_new_target_is_offered_and_asked(new_target: Target, tmp_path) -> None:
    assert new_target.name in choices(command("pipeline"), "--target")
    out = tmp_path / "project"
    done = CliRunner().invoke(
        main, ["pipeline", "Retail", "--out", str(out), "--target", new_target.name]
    )
    assert done.exit_code == 0, done.output
    assert (out / "spark-pipeline.yml").exists()  # its own abilities: no bundle
    refused = CliRunner().invoke(
        main, ["pipeline", "Retail", "--out", str(out), "--target", new_target.name, "--continuous"]
    )
    assert refused.exit_code == 2 and "the spark-next target has none" in refused.output


def test_run_and_continuous_ask_the_target() -> None:
    done = CliRunner().invoke(main, ["pipeline", "Retail", "--out", "x", "--run"])
    assert done.exit_code == 2
    assert f"add --target {api.local_targets()[0]}" in done.output

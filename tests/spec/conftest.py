"""Fixtures for spec and plan tests: write a throw-away sector folder, load it, plan it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from streamforge.engine.unique import unique_capacity
from streamforge.errors import Issue
from streamforge.plan import Plan, plan_sector
from streamforge.spec.load import load_sector
from streamforge.spec.model import SectorSpec

Files = dict[str, str]


def errors_of(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


@pytest.fixture
def write_sector(tmp_path: Path) -> Callable[[Files], Path]:
    """Write {file stem: YAML text} into a fresh sector folder; return the folder."""
    counter = iter(range(1_000))

    def write(files: Files) -> Path:
        folder = tmp_path / f"Sector{next(counter)}"
        folder.mkdir()
        for stem, text in files.items():
            (folder / f"{stem}.yml").write_text(textwrap.dedent(text), encoding="utf-8")
        return folder

    return write


@pytest.fixture
def load(write_sector) -> Callable[[Files], tuple[SectorSpec, list[Issue]]]:
    def run(files: Files) -> tuple[SectorSpec, list[Issue]]:
        return load_sector(write_sector(files))

    return run


@pytest.fixture
def load_ok(load) -> Callable[[Files], SectorSpec]:
    """Load and insist on no error at all (warnings allowed)."""

    def run(files: Files) -> SectorSpec:
        spec, issues = load(files)
        assert not errors_of(issues), "\n".join(map(str, issues))
        return spec

    return run


@pytest.fixture
def plan(load_ok) -> Callable[[Files], tuple[Plan | None, list[Issue]]]:
    """Load (which must succeed), then plan: (plan or None, every plan issue)."""

    def run(files: Files) -> tuple[Plan | None, list[Issue]]:
        return plan_sector(load_ok(files), unique_capacity)

    return run


def table(name: str, kind: str, columns: list[str], *, num_rows: int = 10, extra: str = "") -> str:
    """A table file from one line per column (`"amount: float"`), plus optional table keys."""
    body = "".join(f"  {c}\n" for c in columns)
    return f"table: {name}\ntype: {kind}\nnum_rows: {num_rows}\n{extra}columns:\n{body}"


def dimension(name: str, columns: list[str], **kw) -> str:
    return table(name, "dimension", columns, **kw)


def fact(name: str, columns: list[str], **kw) -> str:
    return table(name, "fact", columns, **kw)


def feed(name: str, columns: list[str], **kw) -> str:
    return table(name, "change_feed", columns, **kw)

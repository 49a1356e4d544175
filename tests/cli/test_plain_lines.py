"""`validate` without a terminal writes its lines without rich (cli_plain.py): the same text rich
writes to a console that is no terminal, rich being the oracle, and rich is not even loaded."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.markup import escape

from streamforge import cli_plain
from streamforge.cli import main

from .test_start_imports import loaded_after

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
ENV = {"FORCE_COLOR": None, "TTY_COMPATIBLE": None}


def rich_prints(markup: str | None = None, text: str | None = None) -> str:
    """What validate's rich console writes to a stream that is no terminal: a status line (with
    markup and highlighting, as validate prints it) or an issue (markup and highlighting off)."""
    out = io.StringIO()
    console = Console(file=out, soft_wrap=True, emoji=False, force_terminal=False, width=80)
    if markup is not None:
        console.print(markup)
    else:
        console.print(text, style="red", markup=False, highlight=False)
    return out.getvalue()


@given(st.text(max_size=300))
def test_an_issue_line_is_written_as_rich_writes_it(text: str) -> None:
    """Brackets, quotes, long lines and any letter as they are; what rich would change (control
    codes, tabs, line breaks) is not plain, and rich prints it."""
    if cli_plain.plain_text(text):
        assert rich_prints(text=text) == text + "\n"


@given(
    name=st.text(max_size=60),
    status=st.sampled_from([("valid", "green"), ("invalid", "red")]),
    counts=st.integers(0, 10**6),
)
def test_a_status_line_is_written_as_rich_writes_it(
    name: str, status: tuple[str, str], counts: int
) -> None:
    word, style = status
    rest = f" ({counts:,} tables, 1 error, {counts} warnings)"
    if cli_plain.plain_name(name):
        plain = f"{name}: {word}{rest}\n"
        assert rich_prints(markup=f"{escape(name)}: [{style}]{word}[/{style}]{rest}") == plain


def test_the_plain_rules_refuse_what_rich_would_change() -> None:
    """The cases above are not vacuous: these are left to rich."""
    for text in ("a\tb", "bell\x07", "cr\r", "back\bspace"):
        assert not cli_plain.plain_text(text)
        assert rich_prints(text=text) != text + "\n"
    assert not cli_plain.plain_text("two\nlines")  # left to rich too (it keeps them)
    assert not cli_plain.plain_name("[bold]x") and not cli_plain.plain_name("a\\b")
    assert cli_plain.plain_text("x.yml:3: takes only ['a', 'b']; fix [it]")


def bad_sector(folder: Path) -> Path:
    folder.mkdir()
    (folder / "t.yml").write_text(
        "table: t\ntype: fact\nnum_rows: 0\ncolumns:\n  a: {type: int, min: 5, max: 1}\n"
        "  b: {type: string, values: [x, y]}\nchecks:\n  c: \"b = 'z'\"\n"
    )
    return folder


@pytest.mark.parametrize("which", ["Manufacturing", "bad"])
def test_validate_writes_what_rich_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    """A sector with a warning, and one with errors (stdout and stderr together, in order):
    the same output whether the lines go through rich or not."""
    folder = SCHEMA / which if which != "bad" else bad_sector(tmp_path / "bad")
    plain = CliRunner().invoke(main, ["validate", str(folder)], env=ENV)
    monkeypatch.setattr(cli_plain, "plain_stream", lambda stream: False)
    styled = CliRunner().invoke(main, ["validate", str(folder)], env=ENV)
    assert (plain.exit_code, plain.output) == (styled.exit_code, styled.output)
    assert plain.exit_code == (2 if which == "bad" else 0)
    assert ("warning" if which != "bad" else "error") in plain.output


def test_validate_without_a_terminal_loads_no_rich() -> None:
    assert loaded_after(["validate", str(SCHEMA / "Manufacturing")], ("rich",)) == []

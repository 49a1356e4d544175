"""The CLI's counts agree with their nouns: "1 table", "1 file", "1 error", "2 tables". Every
command is run where each count it prints is 1 (a sector of one table of one row), and where they
are 2, and its output is read for a number before a noun that disagrees with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from streamforge.cli import main
from streamforge.plural import counted

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None}
NOUNS = ("table", "error", "warning", "file", "row", "cycle", "problem", "dimension", "rule")
SINGULAR_WITH_PLURAL = re.compile(rf"(?<![\d.,])1 ({'|'.join(NOUNS)})s\b")
PLURAL_WITH_SINGULAR = re.compile(rf"(?<![\d.,])(?:0|[2-9]|\d{{2,}}) ({'|'.join(NOUNS)})\b(?!s)")
FACT = "table: reading\ntype: fact\nnum_rows: {rows}\ncolumns:\n  reading_id: long\n"


def disagreements(text: str) -> list[str]:
    return SINGULAR_WITH_PLURAL.findall(text) + PLURAL_WITH_SINGULAR.findall(text)


def run(*args: object) -> str:
    done = CliRunner().invoke(main, [str(a) for a in args], env=ENV)
    return done.output


@pytest.mark.parametrize("n", [1, 2])
def test_every_count_agrees_with_its_noun(tmp_path: Path, n: int) -> None:
    schema = tmp_path / "schema"
    (schema / "S").mkdir(parents=True)
    for i in range(n):
        text = FACT.format(rows=n).replace("reading", f"reading{i}")
        (schema / "S" / f"reading{i}.yml").write_text(text, encoding="utf-8")
    bad = tmp_path / "bad"
    (bad / "B").mkdir(parents=True)
    for i in range(n):  # each file an error
        (bad / "B" / f"t{i}.yml").write_text(f"table: t{i}\ntype: fact\nnum_rows: 1\n", "utf-8")
    out = tmp_path / "out"
    live = ("--cycles", n, "--interval", 0.001)
    outputs = {
        "validate": run("validate", schema),
        "validate errors": run("validate", bad),
        "sectors": run("sectors", "--schema-dir", bad),
        "generate": run("generate", "S", "--schema-dir", schema, "--out", out, "--cycles", 1),
        "verify": run("verify", "S", "--schema-dir", schema, "--out", out),
        "run": run("run", "S", "--schema-dir", schema, "--out", tmp_path / "live", *live),
    }
    assert f"({counted(n, 'table')}, 0 errors, 0 warnings)" in outputs["validate"]
    assert counted(n, "error") in outputs["validate errors"]
    for command, text in outputs.items():
        assert not disagreements(text), (command, text)


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, "0 tables"), (1, "1 table"), (2, "2 tables"), (1000, "1,000 tables"), (1.0, "1 table")],
)
def test_counted_follows_the_printed_number(number: float, expected: str) -> None:
    assert counted(number, "table", spec=",.0f" if isinstance(number, float) else ",") == expected

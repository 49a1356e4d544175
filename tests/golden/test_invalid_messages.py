"""`streamforge validate <folder>` on each invalid sector under invalid/: exact stderr, exit code 2.

Each case folder holds a few YAML files and `expected.txt`: the lines validate prints on stderr,
`file:line: message; hint`, with paths relative to the repository root (the tests run from there).
Refresh them with `python -m pytest tests/golden --update-golden`, then read the diff.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from streamforge.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = Path(__file__).resolve().parent / "invalid"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
# stderr is not a terminal in CI, editors and `2> file`: rich then assumes 80 columns
ENV = {"COLUMNS": "80", "LINES": "25", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None}


def issue_line(case: str) -> re.Pattern[str]:
    """One whole issue: `tests/golden/invalid/<case>/<file>.yml:<line>: <message>`."""
    return re.compile(rf"^tests/golden/invalid/{case}/[a-z_]+\.yml:[1-9]\d*: \S.*\S$")


def run_validate(case: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    return CliRunner().invoke(main, ["validate", f"tests/golden/invalid/{case}"], env=ENV)


def test_there_are_cases():
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES)
def test_invalid_schema_message(case, monkeypatch, update_golden):
    result = run_validate(case, monkeypatch)
    expected_file = CASES_DIR / case / "expected.txt"
    if update_golden:
        expected_file.write_text(result.stderr, encoding="utf-8")
    assert "Traceback" not in result.output + result.stderr
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output + result.stderr
    assert f"{case}: invalid (" in result.stdout
    printed = result.stderr.splitlines()
    assert printed, "validate printed no issue"
    not_issues = [line for line in printed if not issue_line(case).match(line)]
    assert not not_issues, f"lines that are not one whole `file:line: message` issue: {not_issues}"
    assert printed == expected_file.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("case", CASES)
def test_expected_file_is_well_formed(case):
    """Each expected line names its file and line; the case's YAML files exist."""
    lines = (CASES_DIR / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        assert issue_line(case).match(line), line
        file = line.split(":", 1)[0]
        assert (ROOT / file).is_file(), file


def test_several_files_are_all_reported():
    lines = (CASES_DIR / "several_files_several_errors" / "expected.txt").read_text().splitlines()
    files = {line.split(":", 1)[0].rsplit("/", 1)[1] for line in lines}
    assert files == {"customer.yml", "meter.yml", "readings.yml"}
    assert len(lines) >= 5


def test_validate_has_no_side_effects_on_the_cases(monkeypatch):
    before = {p: p.read_bytes() for p in CASES_DIR.rglob("*.yml")}
    run_validate("several_files_several_errors", monkeypatch)
    assert {p: p.read_bytes() for p in CASES_DIR.rglob("*.yml")} == before

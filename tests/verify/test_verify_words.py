"""What `streamforge verify` prints, read as a user reads it: counts agree with their nouns
(plural.py), values print as written (12.300, not Decimal('12.300')), a finding about a whole
table names no cycle, and the `ok:` line names what it checked (duplicates, running totals)
without a note contradicting it."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.times import at
from tests.verify.test_duplicate_copies import METER, METER_CHANGES, READING
from tests.verify.test_mutations import set_value

from streamforge import api
from streamforge.cli import main
from streamforge.verify.report import Finding, shown


@pytest.fixture(scope="module")
def grid(tmp_path_factory) -> tuple[Path, Path]:
    schema = tmp_path_factory.mktemp("schema")
    (schema / "grid").mkdir()
    for name, text in (("reading", READING), ("meter", METER), ("meter_changes", METER_CHANGES)):
        (schema / "grid" / f"{name}.yml").write_text(text)
    out = tmp_path_factory.mktemp("words") / "landing"
    start = at("2026-01-01T00:00:00Z")
    api.generate("grid", out, schema_dir=schema, fmt="parquet", cycles=3, seed=5, start=start)
    return schema, out


def verify(schema: Path, out: Path):
    return CliRunner().invoke(
        main, ["verify", "grid", "--schema-dir", str(schema), "--out", str(out)]
    )


def test_the_ok_line_names_the_duplicates_it_compared(grid) -> None:
    schema, out = grid
    result = verify(schema, out)
    assert result.exit_code == 0, result.output + result.stderr
    line = " ".join(result.output.split())
    assert line.startswith("ok: ")
    assert "duplicates equal to their originals" in line or "duplicate equal to" in line
    assert "1 duplicates" not in line and "1 rows" not in line and "1 files" not in line


def test_one_value_is_one_row_and_a_decimal_prints_as_written(grid, tmp_path) -> None:
    schema, good = grid
    out = tmp_path / "landing"
    shutil.copytree(good, out)
    set_value(out, "reading", 1, 0, "price", Decimal("12.300"))  # max: 9
    result = verify(schema, out)
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert "reading cycle 1: 1 row of price breaking its rule" in text, text
    assert "(e.g. 12.300)" in text and "Decimal(" not in text
    assert "1 rows" not in text + result.output
    assert "cycle -1" not in text


def test_a_finding_about_a_whole_table_names_no_cycle() -> None:
    assert (
        str(Finding("meter_readings", -1, "3 rows at 04:00")) == "meter_readings: 3 rows at 04:00"
    )
    assert str(Finding("meter_readings", 2, "x")) == "meter_readings cycle 2: x"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12.30"), "12.30"),
        (Decimal("1E+2"), "100"),
        ("NO", "'NO'"),
        ([Decimal("1.5"), None], "[1.5, NULL]"),
        (None, "NULL"),
        (True, "true"),
        ({"a": Decimal("0.10")}, "{'a': 0.10}"),
        (7, "7"),
    ],
)
def test_values_are_shown_as_written(value, text) -> None:
    assert shown(value) == text


def test_running_totals_are_named_in_the_ok_line(tmp_path) -> None:
    out = tmp_path / "finance"
    api.generate("Finance", out, cycles=2, scale=0.05, seed=3, start=at("2026-01-01T00:00:00Z"))
    result = CliRunner().invoke(main, ["verify", "Finance", "--out", str(out)])
    assert result.exit_code == 0, result.output + result.stderr
    line = " ".join(result.output.split())
    assert "running totals follow their rule (transactions.balance_before_usd)" in line, line
    notes = [n for n in result.stderr.splitlines() if n.startswith("note:")]
    for note in notes:  # no note says "not judged" for what the ok line vouches for
        assert "not judged" not in note or "(not judged)" in line, (note, line)

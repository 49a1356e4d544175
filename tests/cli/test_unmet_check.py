"""README: "Generated rows satisfy [checks]"; `anomaly_rate` breaks a share on purpose and the
manifest counts it. A check the rows cannot satisfy, with no anomaly_rate, must not land silently
as "announced anomalies" that verify then accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from .lab import lab

TABLE = """\
table: gauge
type: dimension
num_rows: 50
checks:
  above_ten: "level > 10"
columns:
  gauge_id: int
  level: {type: int, min: 1, max: 5}
"""


def test_a_check_the_rows_cannot_meet_is_reported(tmp_path: Path) -> None:
    sector = lab(tmp_path, TABLE)
    gen = sector.invoke("generate")
    if gen.exit_code != 0:  # refusing to generate, naming the check, is a correct answer too
        assert "above_ten" in gen.output, gen.output
        return
    ver = sector.invoke("verify")
    assert ver.exit_code == 1, ver.output


@pytest.mark.parametrize(
    ("rule", "column", "unmeetable"),
    [
        ("level > 10", "{type: int, min: 1, max: 5}", True),
        ("10 < level", "{type: int, min: 1, max: 5}", True),
        ("level >= 5", "{type: int, min: 1, max: 5}", False),
        ("level > 0 AND level = 9", "{type: int, min: 1, max: 5}", True),
        ("level = 'gone'", "{type: string, values: [open, closed]}", True),
        ("level <> 'open'", "{type: string, values: [open, closed]}", False),
        ("level > 3 OR level < 0", "{type: int, min: 1, max: 5}", False),
    ],
)
def test_validate_names_a_check_no_declared_value_meets(
    tmp_path: Path, rule: str, column: str, unmeetable: bool
) -> None:
    """The obvious cases: a comparison of a drawn column with a constant that no value in the
    column's declared min/max or values satisfies; validate names the check's line."""
    text = TABLE.replace('"level > 10"', f'"{rule}"').replace("{type: int, min: 1, max: 5}", column)
    result = lab(tmp_path, text).invoke("validate")
    assert (result.exit_code != 0) == unmeetable, result.output
    if unmeetable:
        assert "gauge.yml:5" in result.output and "above_ten" in result.output, result.output


MIXED = """\
table: reading
type: fact
num_rows: 400
checks:
  positive: "value > 0"
columns:
  reading_id: long
  value: {type: double, min: 1, max: 100, null_rate: 0.1, anomaly_rate: 0.05}
  at: timestamp
"""


def test_asked_anomalies_and_nulls_are_not_unmet(tmp_path: Path) -> None:
    """Rows that fail a check only through a column's announced anomalies or NULLs are asked
    for: generate lands them and verify accepts the counts."""
    sector = lab(tmp_path, MIXED)
    gen = sector.invoke("generate")
    assert gen.exit_code == 0, gen.output
    ver = sector.invoke("verify")
    assert ver.exit_code == 0, ver.output


PAIR = """\
table: gauge
type: dimension
num_rows: 50
checks:
  above_limit: "level > lower_limit"
columns:
  gauge_id: int
  level: {type: int, min: 1, max: 5}
  lower_limit: {type: int, min: 10, max: 20}
"""


def test_generate_refuses_rows_that_break_a_check_unasked(tmp_path: Path) -> None:
    """A check validate cannot judge (two columns): generate stops, naming the check, its
    file:line and the fix, and lands no data for the table."""
    sector = lab(tmp_path, PAIR)
    gen = sector.invoke("generate")
    assert gen.exit_code != 0, gen.output
    assert "gauge.yml:5" in gen.output and "above_limit" in gen.output, gen.output
    assert "expr:" in gen.output and "Traceback" not in gen.output, gen.output
    assert [p for p in sector.out.rglob("*") if p.is_file() and "gauge" in str(p)] == []

"""One table of cases for a column's rule (issue 12 point 3), run against both judges: the engine's
evaluation of plan/rules.py's ColumnRule (engine/rules.py `broken_rows`) and verify's own reading
of the YAML (verify/values.py, the oracle). Expected values come from the rule as documented
(DESIGN §3: bounds inclusive, allowed values exact, a NULL breaks a rule unless `null_rate` allows
it), never from either implementation. Every column is anomalous, the columns verify judges."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from streamforge.engine.rules import broken_rows as engine_broken_rows
from streamforge.plan.columns import column_type
from streamforge.plan.rules import column_rules
from streamforge.sectors import check_sector
from streamforge.verify.rules import read_rules
from streamforge.verify.values import broken_rows as oracle_broken_rows

T = True
F = False
CASES = [  # (column YAML after `type:`, values, which break the rule)
    ("int\n    min: 1\n    max: 10", [0, 1, 10, 11, None], [T, F, F, T, T]),
    ("int\n    min: 1\n    max: 10\n    null_rate: 0.1", [0, 5, None], [T, F, F]),
    ("long\n    min: -5\n    max: 5", [-6, 0, 5, 6], [T, F, F, T]),
    ("double\n    min: 0.5", [0.4, 0.5, 100.0, None], [T, F, F, T]),
    ("string\n    values: [A, B]", ["A", "C", None], [F, T, T]),
    ('string\n    format: "X|Y"\n    null_rate: 0.2', ["X", "Z", None], [F, T, F]),
    ('string\n    values: ["NO", "010"]', ["NO", "010", "10", "False"], [F, F, T, T]),
    ("string", ["anything", None], [F, T]),  # no bounds: the anomaly is a missing value
    (
        'datetime\n    min: "2024-01-01T00:00:00"\n    max: "2024-12-31T00:00:00"',
        [datetime(2023, 12, 31, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC), None],
        [T, F, T],
    ),
]


def sector(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "S"
    folder.mkdir()
    body = body.replace("\n    ", "\n  ")  # the case's keys sit beside `type:`
    column = textwrap.indent(f"a:\n  type: {body}\n  anomaly_rate: 0.1\n", "  ")
    text = f"table: t\ntype: dimension\nnum_rows: 10\ncolumns:\n  t_id: int\n{column}"
    (folder / "t.yml").write_text(text, encoding="utf-8")
    return folder / "t.yml"


@pytest.mark.parametrize(("body", "values", "expected"), CASES)
def test_engine_and_oracle_judge_the_same_cases(tmp_path, body, values, expected):
    file = sector(tmp_path, body)
    check = check_sector(tmp_path, "S")
    assert check.plan is not None, check.issues
    table = check.plan.table("t")
    rule = {r.column.name: r for r in column_rules(table)}["a"]
    array = pa.array(values, column_type(table, rule.column))
    assert engine_broken_rows(rule, array).tolist() == expected

    oracle = read_rules(file)["a"]
    nulls_break = oracle.null_rate == 0 and oracle.anomaly_rate > 0  # verify/columns.py's rule
    assert oracle_broken_rows(oracle, array, nulls_break).tolist() == expected


def test_keys_and_sequence_always_forbid_null(tmp_path):
    """A key's rule and the CDC sequence's forbid NULL and drop the row (AUTO CDC would fail)."""
    folder = tmp_path / "S"
    folder.mkdir()
    (folder / "c.yml").write_text(
        "table: customer\ntype: dimension\nnum_rows: 5\ncolumns:\n  customer_id: int\n"
        "  tier: {type: string, values: [A, B], null_rate: 0.5, expect: warn}\n",
        encoding="utf-8",
    )
    (folder / "f.yml").write_text(
        "table: customer_changes\ntype: change_feed\nnum_rows: 5\ntracks: customer\ncolumns:\n"
        "  customer_id: int\n  tier: {type: string, values: [A, B], null_rate: 0.5}\n"
        "  change_type: {type: string, format: 'INSERT|UPDATE|DELETE'}\n"
        "  sequence_num: long\n  change_timestamp: datetime\n",
        encoding="utf-8",
    )
    check = check_sector(tmp_path, "S")
    assert check.plan is not None, check.issues
    rules = {r.column.name: r for r in column_rules(check.plan.table("customer_changes"))}
    assert (rules["customer_id"].role, rules["customer_id"].not_null) == ("key", True)
    assert rules["customer_id"].action == "drop"
    assert (rules["sequence_num"].role, rules["sequence_num"].not_null) == ("sequence", True)
    assert rules["sequence_num"].action == "drop"
    assert rules["tier"].not_null is False and rules["tier"].deletes_pass is True
    assert not rules["customer_id"].deletes_pass and not rules["sequence_num"].deletes_pass
    dimension = {r.column.name: r for r in column_rules(check.plan.table("customer"))}
    assert dimension["tier"].action == "warn" and not dimension["tier"].deletes_pass

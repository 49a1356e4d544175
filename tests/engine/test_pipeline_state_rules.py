"""The expected pipeline state applies exactly the drop rules the generated pipelines have: every
column that pipelines/expectations.py checks is checked here with the same action, the CDC
sequence's NOT NULL rule included (AUTO CDC fails a micro-batch on a NULL sequence, so the
pipelines always drop such a row)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from streamforge import api
from streamforge.engine.pipeline_state import has_rule, passing_rows, rule_action
from streamforge.pipelines.expectations import rules_for

ROOT = Path(__file__).resolve().parents[2]
TIMESTAMP = pa.timestamp("us", "UTC")
SECTORS = ["Energy", "Retail", "Healthcare", "Finance", "Manufacturing"]

ITEM = """table: item
type: dimension
num_rows: 20
columns:
  item_id: int
  label: {type: string, values: [a, b, c]}
"""
CHANGES = """table: item_changes
type: change_feed
num_rows: 20
tracks: item
columns:
  change_id: long
  item_id: int
  change_type: {type: string, format: "INSERT|UPDATE|DELETE"}
  change_timestamp: datetime
%s  label: {type: string, values: [a, b, c]}
"""
SEQUENCES = {
    "timestamp": "",  # no sequence column: AUTO CDC sequences by the change timestamp
    "sequence": "  sequence_num: {type: long, sequence: true}\n",
}


def custom_plan(tmp_path: Path, sequence: str):
    folder = tmp_path / "S"
    folder.mkdir()
    (folder / "item.yml").write_text(ITEM, encoding="utf-8")
    (folder / "item_changes.yml").write_text(CHANGES % SEQUENCES[sequence], encoding="utf-8")
    return api.load_plan("S", tmp_path)


def check_agreement(plan) -> None:
    for table in plan.tables:
        rules = {r.column: r for r in rules_for(table)}
        for col in table.columns:
            assert has_rule(table, col) == (col.name in rules), (table.name, col.name)
            if col.name in rules:
                assert rule_action(table, col) == rules[col.name].action, (table.name, col.name)


@pytest.mark.parametrize("sector", SECTORS)
def test_shipped_sectors_check_what_the_pipelines_check(sector: str) -> None:
    check_agreement(api.load_plan(sector, ROOT / "schema"))


@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_the_cdc_sequence_is_always_checked(tmp_path: Path, sequence: str) -> None:
    plan = custom_plan(tmp_path, sequence)
    check_agreement(plan)
    feed = plan.table("item_changes")
    if sequence == "timestamp":
        column, values = "change_timestamp", pa.array([10**6, None, 2 * 10**6], TIMESTAMP)
    else:
        column, values = "sequence_num", pa.array([1, None, 301], pa.int64())
    rows = pa.table(
        {
            "change_id": pa.array([1, 2, 3], pa.int64()),
            "item_id": pa.array([1, 2, 3], pa.int32()),
            "change_type": ["UPDATE", "DELETE", "INSERT"],
            "change_timestamp": pa.array([10**6] * 3, TIMESTAMP),
            "label": ["a", "b", "c"],
        }
    )
    rows = rows.drop_columns([column]) if column in rows.column_names else rows
    rows = rows.append_column(column, values)
    # the NULL sequence fails, a DELETE included (a DELETE is judged on its ordering too); a
    # sequence has no bounds (validate refuses min/max on it), so 301 passes
    expected = [True, False, True]
    assert passing_rows(feed, rows).tolist() == expected

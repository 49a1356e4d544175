"""A table's `checks:` are rules of the plan (plan/rules.py `check_rules`), and codegen renders
exactly those a pipeline can judge, with the plan's action (issue #12 point 3). The expected
actions come from the rule in DESIGN: the check's `expect`, else the table's, else drop for a
check broken on purpose (`anomaly_rate`), else warn; a check naming a hidden column is never
judged downstream (the column is not written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamforge import api
from streamforge.pipelines.expectations import rules_for
from streamforge.plan.rules import check_rules

TABLE = """\
table: sale
type: fact
num_rows: 50
{table_expect}checks:
  plain: "amount >= 0"
  broken: {{rule: "amount < 1000", anomaly_rate: 0.1}}
  strict: {{rule: "qty > 0", expect: fail}}
  secret: "amount >= cost"
columns:
  sale_id: int
  event_time: datetime
  qty: {{type: int, min: 1, max: 5}}
  amount: {{type: double, min: 1, max: 500}}
  cost: {{type: double, min: 0.5, max: 1, hidden: true}}
"""


def plan_with(tmp_path: Path, table_expect: str):  # type: ignore[no-untyped-def]
    folder = tmp_path / "schema" / "Shop"
    folder.mkdir(parents=True)
    (folder / "sale.yml").write_text(TABLE.format(table_expect=table_expect))
    return api.load_plan("Shop", tmp_path / "schema").table("sale")


@pytest.mark.parametrize(
    ("table_expect", "actions"),
    [
        ("", {"plain": "warn", "broken": "drop", "strict": "fail", "secret": "warn"}),
        ("expect: drop\n", {"plain": "drop", "broken": "drop", "strict": "fail", "secret": "drop"}),
    ],
)
def test_codegen_renders_the_plans_check_rules(
    tmp_path: Path, table_expect: str, actions: dict[str, str]
) -> None:
    table = plan_with(tmp_path, table_expect)
    rules = check_rules(table)
    assert {r.name: r.action for r in rules} == actions
    assert {r.name: r.judged for r in rules} == {
        "plain": True, "broken": True, "strict": True, "secret": False
    }  # fmt: skip
    rendered = {r.name: r for r in rules_for(table) if r.name in actions}
    assert set(rendered) == {"plain", "broken", "strict"}  # `secret` reads the hidden `cost`
    for rule in rules:
        if rule.judged:
            assert rendered[rule.name].action == rule.action
            assert rendered[rule.name].condition == f"({rule.check.rule})"

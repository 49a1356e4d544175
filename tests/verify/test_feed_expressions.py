"""A change feed's INSERT and UPDATE rows are after-images of its dimension, computed like it
(README, change feeds): verify judges the dimension's `expr:` columns on them too (a DELETE
computes nothing and is not judged)."""

from __future__ import annotations

import json
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from tests.times import at
from tests.verify.test_mutations import set_value

from streamforge import api
from streamforge.cli import main
from streamforge.readback import read_manifest
from streamforge.sectors import default_schema_dir


@pytest.fixture(scope="module")
def retail(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("feedexpr") / "retail"
    api.generate("Retail", out, cycles=2, scale=0.2, seed=7, start=at("2026-01-01T00:00:00Z"))
    return out


def cost(row: dict) -> Decimal:
    """product.yml's rule for unit_cost_usd, read from the YAML, evaluated by hand."""
    rule = yaml.safe_load((default_schema_dir() / "Retail" / "product.yml").read_text())
    assert rule["columns"]["unit_cost_usd"]["expr"] == (
        "round(unit_price_usd * (1 - gross_margin_pct / 100), 2)"
    )
    price, margin = Decimal(str(row["unit_price_usd"])), Decimal(str(row["gross_margin_pct"]))
    return (price * (1 - margin / 100)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def feed_rows(root: Path) -> list[dict]:
    entry = next(e for e in read_manifest(root) if e["table"] == "product_changes")
    return [json.loads(line) for line in (root / entry["file"]).read_text().splitlines()]


def verify(out: Path):
    return CliRunner().invoke(main, ["verify", "Retail", "--out", str(out)])


def test_a_feed_rows_computed_column_is_judged(retail: Path, tmp_path: Path) -> None:
    assert verify(retail).exit_code == 0  # clean: feed rows follow the dimension's expression
    copy = tmp_path / "r"
    shutil.copytree(retail, copy)
    rows = feed_rows(copy)
    i, row = next(
        (i, r)
        for i, r in enumerate(rows)
        if r["operation"] == "UPDATE" and r["unit_cost_usd"] is not None
    )
    assert Decimal(str(row["unit_cost_usd"])) == cost(row)  # the landing follows the rule
    set_value(copy, "product_changes", 0, i, "unit_cost_usd", str(cost(row) + Decimal("0.01")))
    result = verify(copy)
    assert result.exit_code != 0, result.output
    assert "product_changes cycle 0" in result.output and "unit_cost_usd" in result.output

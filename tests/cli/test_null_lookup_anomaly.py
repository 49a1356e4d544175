"""README: in an expression NULL in gives NULL out; `null_rate`/`anomaly_rate` apply after it.
A lookup through a nullable foreign key is NULL on rows without a key. With an anomaly_rate on
that column, verify must still count only the announced anomalies as breaking its rule."""

from __future__ import annotations

import json
from pathlib import Path

from .lab import lab

SHOP = """\
table: shop
type: dimension
num_rows: 20
columns:
  shop_id: int
  fee_pct: {type: "decimal(5,2)", min: 1, max: 9}
"""
VISIT = """\
table: visit
type: fact
num_rows: 300
columns:
  visit_id: int
  shop_id: {type: int, null_rate: 0.3}
  ts: datetime
  fee_twice: {type: "decimal(6,2)", expr: "shop.fee_pct * 2", anomaly_rate: 0.1}
"""


def test_null_lookups_are_not_counted_as_anomalies(tmp_path: Path) -> None:
    sector = lab(tmp_path, SHOP, VISIT)
    gen = sector.invoke("generate", "--cycles", "2")
    assert gen.exit_code == 0, gen.output
    ver = sector.invoke("verify")
    assert ver.exit_code == 0, ver.output


def test_a_value_on_a_null_key_beyond_the_anomalies_is_reported(tmp_path: Path) -> None:
    """The count is judged, not skipped: one more row differing from the lookup (a value where
    the NULL key gives NULL) makes verify report the column against the manifest's count."""
    sector = lab(tmp_path, SHOP, VISIT)
    gen = sector.invoke("generate")
    assert gen.exit_code == 0, gen.output
    landed = next((sector.out / "visit").glob("*.json"))
    rows = [json.loads(line) for line in landed.read_text().splitlines()]
    row = next(r for r in rows if r["shop_id"] is None and r["fee_twice"] is None)
    row["fee_twice"] = 1.0  # the expression over a NULL key is NULL: this row now differs
    landed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ver = sector.invoke("verify")
    assert ver.exit_code != 0, ver.output
    assert "rows of fee_twice differing from its expression" in ver.output, ver.output
    assert "the expression gives NULL" in ver.output, ver.output  # SQL's word, not Python's

"""Lookups inside whole expressions (issue 13.2): `lower(product.region)`,
`quantity * product.unit_price_usd`, `coalesce(note, product.region)`. The rule, replayed here in
Python: the expression over the row, each lookup the dimension as it stood at the event time.
`verify` must be clean on a good landing and catch one changed cell of each kind."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from tests.verify.test_lookups import as_of, stood

from streamforge import api
from streamforge.readback import read_landing, read_manifest
from streamforge.verify import verify_landing

PRODUCT = """\
table: product
type: dimension
num_rows: 25
columns:
  product_id: int
  unit_price_usd: {type: "decimal(9,2)", min: 1, max: 500}
  region: {type: string, values: ["North", "South", "East"]}
"""
CHANGES = """\
table: product_changes
type: change_feed
num_rows: 15
tracks: product
operations: {INSERT: 2, UPDATE: 10, DELETE: 1}
columns:
  change_id: long
  product_id: int
  unit_price_usd: {type: "decimal(9,2)", min: 1, max: 500}
  region: {type: string, values: ["North", "South", "East"]}
  change_type: {type: string, format: "INSERT|UPDATE|DELETE"}
  change_timestamp: datetime
  sequence_num: long
"""
SALE = """\
table: sale
type: fact
num_rows: 120
columns:
  sale_id: long
  product_id: int
  sold_at: datetime
  quantity: {type: int, min: 1, max: 9}
  note: {type: string, values: ["gift", "promo"], null_rate: 0.5}
  line_usd: {type: "decimal(12,2)", expr: "quantity * product.unit_price_usd"}
  region_lc: {type: string, expr: "lower(product.region)"}
  label: {type: string, expr: "coalesce(note, product_id.region)"}
  with_tax: {type: double, expr: "round(product.unit_price_usd * 1.0825, 2)"}
"""
CYCLES = 4
COLUMNS = ["line_usd", "region_lc", "label", "with_tax"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("schema")
    (root / "lab").mkdir()
    for name, text in (("product", PRODUCT), ("product_changes", CHANGES), ("sale", SALE)):
        (root / "lab" / f"{name}.yml").write_text(text)
    out = tmp_path_factory.mktemp("landing") / "out"
    api.generate("lab", out, schema_dir=root, fmt="json", cycles=CYCLES, seed=21)
    return root, out


def _rule(sale: dict, price, region) -> dict:
    """The expressions, by hand (Spark semantics: HALF_UP rounding, NULL-safe coalesce)."""
    taxed = (Decimal(price) * Decimal("1.0825")).quantize(Decimal("0.01"), "ROUND_HALF_UP")
    return {
        "line_usd": Decimal(sale["quantity"]) * Decimal(price),
        "region_lc": region.lower(),
        "label": sale["note"] if sale["note"] is not None else region,
        "with_tax": float(taxed),
    }


def test_expressions_with_lookups_follow_the_rule_and_verify_agrees(lab) -> None:
    root, out = lab
    plan = api.load_plan("lab", root)
    files = read_landing(out, plan)
    rows = lambda t: [r for f in files[t] for r in f.data.to_pylist()]  # noqa: E731
    products, changes = rows("product"), rows("product_changes")
    prices = as_of(products, "product_id", "unit_price_usd", changes)
    regions = as_of(products, "product_id", "region", changes)
    moved = 0
    for sale in rows("sale"):
        key, moment = sale["product_id"], sale["sold_at"]
        expected = _rule(sale, stood(prices, key, moment), stood(regions, key, moment))
        assert {c: sale[c] for c in COLUMNS} == pytest.approx(expected), sale
        moved += stood(prices, key, moment) != prices[key][-1][1]
    assert moved > 0  # some sales predate a price change: "as it stood" is exercised
    report = verify_landing(out, plan)
    assert report.ok, report.findings[:3]


@pytest.mark.parametrize(
    ("column", "change"),
    [
        ("line_usd", lambda v: str(Decimal(str(v)) + Decimal("0.01"))),
        ("region_lc", lambda v: v.upper()),
        ("label", lambda v: v + "x"),
        ("with_tax", lambda v: v + 0.01),
    ],
)
def test_verify_catches_a_changed_expression_cell(lab, tmp_path, column, change) -> None:
    root, good = lab
    out = tmp_path / "out"
    shutil.copytree(good, out)
    plan = api.load_plan("lab", root)
    entry = next(e for e in read_manifest(out) if e["table"] == "sale" and e["cycle"] == 2)
    path = out / entry["file"]
    lines = path.read_text().splitlines(keepends=True)
    record = json.loads(lines[5])
    record[column] = change(record[column])
    lines[5] = json.dumps(record) + "\n"
    path.write_text("".join(lines))
    found = [f for f in verify_landing(out, plan).findings if f.kind == "lookup"]
    assert [(f.table, f.cycle, f.column, f.count, f.example) for f in found] == [
        ("sale", 2, column, 1, record["sale_id"])
    ]

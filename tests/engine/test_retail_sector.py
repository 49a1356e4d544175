"""The shipped Retail sector's rules, as its table descriptions state them (issue 13.2, 13.6, 13.8).

Expected values come from the YAML's rules, recomputed here with Decimal (ROUND_HALF_UP, as Spark
rounds), by replaying the landed product change feed, and from the vocabulary file read here:
never from the engine. `verify` must be clean on the landing and catch each rule broken by hand.
"""

from __future__ import annotations

import functools
import json
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml
from tests.times import at

from streamforge import api
from streamforge.readback import read_landing, read_manifest
from streamforge.verify import verify_landing

VOCAB = Path(api.__file__).parent / "engine" / "vocab" / "product_names.yml"
CENT = Decimal("0.01")
START = at("2026-01-01T00:00:00Z")
CYCLES = 4


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@functools.cache
def department_names(department: str) -> frozenset[str]:
    families = yaml.safe_load(VOCAB.read_text())[department]["families"].values()
    return frozenset(
        f"{a} {m} {n} {s}"
        for f in families
        for a in f["adjectives"]
        for m in f["materials"]
        for n in f["nouns"]
        for s in f["sizes"]
    )


@pytest.fixture(scope="module")
def retail(tmp_path_factory) -> tuple[Path, dict[str, list[dict]]]:
    out = tmp_path_factory.mktemp("retail") / "out"
    api.generate("Retail", out, fmt="json", cycles=CYCLES, scale=0.5, start=START, seed=3)
    files = read_landing(out, api.load_plan("Retail"))
    return out, {t: [r for f in fs for r in f.data.to_pylist()] for t, fs in files.items()}


def test_order_lines_price_from_the_product_as_it_stood(retail) -> None:
    """After a price change, a line sold at or after the change's timestamp carries the new price
    (the feed row's), a line sold before it the old one."""
    _, rows = retail
    history = {p["product_id"]: [(None, p["unit_price_usd"])] for p in rows["product"]}
    changes = sorted(rows["product_changes"], key=lambda c: c["sequence_num"])
    for change in changes:
        if change["operation"] != "DELETE":
            history.setdefault(change["product_id"], []).append(
                (change["change_timestamp"], change["unit_price_usd"])
            )
    after_change = 0
    for line in rows["order_lines"]:
        versions = history[line["product_id"]]
        price = [v for since, v in versions if since is None or since <= line["sold_at"]][-1]
        assert line["unit_price_usd"] == price, line
        assert line["line_amount_usd"] == _half_up(line["quantity_units"] * price), line
        repriced = [v for since, v in versions[1:] if since <= line["sold_at"]]
        after_change += bool(repriced) and repriced[-1] != versions[0][1]
    assert after_change >= 20, "too few lines sold after a price change to test the rule"


def test_cost_follows_price_and_margin_and_never_exceeds_it(retail) -> None:
    _, rows = retail
    images = rows["product"] + rows["product_changes"]
    for p in images:
        margin = Decimal(str(p["gross_margin_pct"]))
        assert Decimal(15) <= margin <= Decimal(65), p
        cost = _half_up(p["unit_price_usd"] * (1 - margin / 100))
        assert p["unit_cost_usd"] == cost <= p["unit_price_usd"], p
    repriced = [c for c in rows["product_changes"] if "unit_price_usd" in c["changed_fields"]]
    assert repriced and all("unit_cost_usd" in c["changed_fields"] for c in repriced)


def test_every_product_title_is_a_name_of_its_department(retail) -> None:
    _, rows = retail
    images = rows["product"] + [c for c in rows["product_changes"] if c["operation"] != "DELETE"]
    for p in images:
        assert p["product_title"] in department_names(p["department"]), p
    relabelled = [c for c in rows["product_changes"] if "department" in c["changed_fields"]]
    assert relabelled, "no change moved a product to another department"


def test_verify_is_clean_and_order_totals_add_up(retail) -> None:
    out, rows = retail
    announced = sum(
        (e.get("anomalies") or {}).get("total_amount_usd", 0)
        for e in read_manifest(out)
        if e["table"] == "orders"
    )
    adds_up = 0
    for row in rows["orders"]:
        subtotal = row["subtotal_usd"]
        discount = Decimal(0) if row["promo_code"] is None else _half_up(subtotal * Decimal("0.1"))
        assert row["discount_usd"] == discount
        assert row["tax_usd"] == _half_up((subtotal - discount) * Decimal("0.0825"))
        adds_up += row["total_amount_usd"] == subtotal - discount + row["tax_usd"]
    assert len(rows["orders"]) - adds_up == announced
    report = verify_landing(out, api.load_plan("Retail"))
    assert report.ok, report.findings


def _edit(out: Path, table: str, cycle: int, edit) -> dict:
    """Change the first row of `table`'s file of `cycle` by `edit(record)`; return it."""
    entry = next(e for e in read_manifest(out) if e["table"] == table and e["cycle"] == cycle)
    path = out / entry["file"]
    lines = path.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if json.loads(line).get("operation") != "DELETE")
    record = json.loads(lines[index])
    edit(record)
    lines[index] = json.dumps(record) + "\n"
    path.write_text("".join(lines))
    return record


@pytest.mark.parametrize(("table", "cycle"), [("product", 0), ("product_changes", 1)])
def test_verify_catches_a_cost_above_the_price(retail, tmp_path, table, cycle) -> None:
    out = tmp_path / "out"
    shutil.copytree(retail[0], out)

    def dearer(record: dict) -> None:
        record["unit_cost_usd"] = str(Decimal(str(record["unit_price_usd"])) + Decimal("1.00"))

    _edit(out, table, cycle, dearer)
    found = verify_landing(out, api.load_plan("Retail")).findings
    assert [(f.table, f.cycle, f.kind) for f in found if "cost_within_price" in f.message] == [
        (table, cycle, "check")
    ]


@pytest.mark.parametrize(("table", "cycle"), [("product", 0), ("product_changes", 2)])
def test_verify_catches_a_title_from_another_department(retail, tmp_path, table, cycle) -> None:
    out = tmp_path / "out"
    shutil.copytree(retail[0], out)
    hose = min(department_names("HOME_GARDEN") - department_names("ELECTRONICS"))

    def misfiled(record: dict) -> None:
        record["department"], record["product_title"] = "ELECTRONICS", hose

    _edit(out, table, cycle, misfiled)
    found = [f for f in verify_landing(out, api.load_plan("Retail")).findings]
    assert [(f.table, f.cycle, f.column, f.count) for f in found if f.kind == "vocabulary"] == [
        (table, cycle, "product_title", 1)
    ]

"""Expressions over the row alone (issue 13.1): `verify` evaluates every `expr:` column whose
inputs are landed, lookups or not, and reports rows whose value differs from the expression cast
to the declared type (Spark decimals), beyond the anomalies the manifest announces for the column.
Expected values here come from the rule written out in Python (Decimal, HALF_UP), not from the
generator's output; a column reading a hidden input is noted once and not judged."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from streamforge import api
from streamforge.engine.redraw import EngineRedraw
from streamforge.readback import read_landing, read_manifest
from streamforge.verify import verify_landing

BILL = """\
table: bill
type: fact
num_rows: 200
columns:
  bill_id: long
  billed_at: datetime
  promo_code: {type: string, values: ["SPRING", "VIP"], null_rate: 0.5}
  subtotal_usd: {type: "decimal(10,2)", min: 1, max: 500}
  discount_usd:
    type: "decimal(10,2)"
    expr: "CASE WHEN promo_code IS NULL THEN 0 ELSE round(subtotal_usd * 0.1, 2) END"
  tax_usd: {type: "decimal(10,2)", expr: "round(subtotal_usd * 0.0825, 2)"}
  label: {type: string, expr: "concat(lower(promo_code), '-', cast(bill_id AS string))"}
  rate: {type: double, min: 0.8, max: 1.6, hidden: true}
  cost: {type: double, expr: "round(subtotal_usd * rate, 2)"}
  net_usd: {type: "decimal(10,2)", expr: "subtotal_usd * 0.9", anomaly_rate: 0.1}
"""
CYCLES = 3
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("schema")
    (root / "lab").mkdir()
    (root / "lab" / "bill.yml").write_text(BILL)
    out = tmp_path_factory.mktemp("landing") / "out"
    api.generate("lab", out, schema_dir=root, fmt="json", cycles=CYCLES, seed=13)
    return root, out


def _rule(bill: dict) -> dict:
    """The expressions by hand, over the landed inputs (Spark: HALF_UP, exact decimals, NULL in
    concat gives NULL)."""
    sub, promo = Decimal(str(bill["subtotal_usd"])), bill["promo_code"]
    return {
        "discount_usd": Decimal(0)
        if promo is None
        else (sub * Decimal("0.1")).quantize(CENT, "ROUND_HALF_UP"),
        "tax_usd": (sub * Decimal("0.0825")).quantize(CENT, "ROUND_HALF_UP"),
        "label": None if promo is None else f"{promo.lower()}-{bill['bill_id']}",
        "net_usd": (sub * Decimal("0.9")).quantize(CENT, "ROUND_HALF_UP"),
    }


def _same(landed, expected) -> bool:
    if landed is None or expected is None:
        return landed is None and expected is None
    return landed == expected if isinstance(expected, str) else Decimal(str(landed)) == expected


def _differing(bill: dict) -> set[str]:
    """Columns off their rule (an anomaly may also be a NULL where the rule gives a value)."""
    return {c for c, v in _rule(bill).items() if not _same(bill[c], v)}


def test_landing_follows_the_rule_and_verifies_clean(lab) -> None:
    root, out = lab
    plan = api.load_plan("lab", root)
    announced = 0
    for file in read_landing(out, plan)["bill"]:
        bills = file.data.to_pylist()
        assert "cost" in bills[0] and "rate" not in bills[0]
        # only net_usd (anomaly_rate) may differ, on exactly the rows the manifest counts
        assert all(_differing(b) <= {"net_usd"} for b in bills)
        off = sum("net_usd" in _differing(b) for b in bills)
        assert off == (file.manifest.get("anomalies") or {}).get("net_usd", 0)
        announced += off
    assert announced > 0  # the anomaly path is exercised
    report = verify_landing(out, plan, redraw=EngineRedraw())
    assert report.ok, report.findings[:3]
    # cost reads the hidden rate: drawn again from the seed (verify/hidden_replay.py), judged
    assert not [n for n in report.notes if "cost" in n], report.notes
    assert report.replayed == {"bill.rate"}


def _change_one_cell(good: Path, out: Path, column: str, pick) -> dict:
    shutil.copytree(good, out)
    entry = next(e for e in read_manifest(out) if e["table"] == "bill" and e["cycle"] == 1)
    path = out / entry["file"]
    lines = path.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if pick(json.loads(line)))
    record = json.loads(lines[at])
    value = record[column]
    record[column] = value + "x" if column == "label" else str(Decimal(str(value)) + CENT)
    lines[at] = json.dumps(record) + "\n"
    path.write_text("".join(lines))
    return record


@pytest.mark.parametrize("column", ["discount_usd", "tax_usd", "label"])
def test_one_changed_cell_is_one_finding(lab, tmp_path, column) -> None:
    root, good = lab
    record = _change_one_cell(
        good, tmp_path / "out", column, lambda b: not _differing(b) and b["promo_code"] is not None
    )
    found = verify_landing(tmp_path / "out", api.load_plan("lab", root)).findings
    assert [(f.table, f.cycle, f.column, f.kind, f.count, f.example) for f in found] == [
        ("bill", 1, column, "expr", 1, record["bill_id"])
    ]


def test_anomaly_rate_allows_exactly_the_announced_count(lab, tmp_path) -> None:
    root, good = lab
    # one more net_usd off the rule than the manifest announces for that file
    record = _change_one_cell(good, tmp_path / "out", "net_usd", lambda b: not _differing(b))
    found = verify_landing(tmp_path / "out", api.load_plan("lab", root)).findings
    assert [(f.column, f.kind, f.cycle, f.example) for f in found] == [
        ("net_usd", "expr", 1, record["bill_id"])
    ]


def test_shipped_retail_verifies_clean_and_judges_its_totals(tmp_path) -> None:
    out = tmp_path / "out"
    api.generate("Retail", out, fmt="json", cycles=2, seed=5)
    plan = api.load_plan("Retail")
    report = verify_landing(out, plan)
    assert report.ok, report.findings[:3]
    assert not [n for n in report.notes if "expression" in n]  # every Retail expr is judged
    # orders.total_amount_usd = subtotal - discount + tax (schema/Retail/orders.yml, with an
    # anomaly_rate and the check total_adds_up): one more row a cent off than announced
    entry = next(e for e in read_manifest(out) if e["table"] == "orders" and e["cycle"] == 1)
    path = out / entry["file"]
    lines = path.read_text().splitlines(keepends=True)

    def adds_up(o: dict) -> bool:
        parts = [Decimal(str(o[c])) if o[c] is not None else None for c in TOTAL]
        return None not in parts and parts[0] == parts[1] - parts[2] + parts[3]

    at = next(i for i, line in enumerate(lines) if adds_up(json.loads(line)))
    record = json.loads(lines[at])
    record["total_amount_usd"] = str(Decimal(str(record["total_amount_usd"])) + CENT)
    lines[at] = json.dumps(record) + "\n"
    path.write_text("".join(lines))
    announced = (entry.get("anomalies") or {}).get("total_amount_usd", 0)
    found = verify_landing(out, plan).findings
    judged = [(f.column, f.kind, f.count) for f in found if f.column == "total_amount_usd"]
    assert judged == [("total_amount_usd", "expr", announced + 1)]


TOTAL = ("total_amount_usd", "subtotal_usd", "discount_usd", "tax_usd")

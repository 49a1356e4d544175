"""Computed columns, point-in-time lookups, hidden columns and checks (DESIGN §3, coherent rows).

Expected values come from the rules in the fixture's YAML, recomputed here with Python's Decimal
(ROUND_HALF_UP, as Spark rounds) and by replaying the landed change feed: never from the engine.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.times import at

from streamforge import api
from streamforge.verify import verify_landing

FIXTURE = Path(__file__).parent / "fixtures" / "coherent"
CENT = Decimal("0.01")
START = at("2026-01-01T00:00:00Z")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("coherent")
    api.generate("shop", out, schema_dir=FIXTURE, fmt="parquet", cycles=4, interval=30, start=START)
    return out


def _rows(out: Path, table: str) -> list[dict]:
    files = sorted((out / table).glob("*.parquet"))
    return [row for f in files for row in pq.read_table(f).to_pylist()]


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def test_totals_add_up_to_the_cent(landing):
    rows = _rows(landing, "order_line")
    assert len(rows) == 4 * 300
    for row in rows:
        subtotal = row["subtotal_usd"]
        discount = Decimal(0) if row["promo_code"] is None else _half_up(subtotal * Decimal("0.1"))
        tax = _half_up((subtotal - discount) * Decimal("0.0825"))
        assert (row["discount_usd"], row["tax_usd"]) == (discount, tax), row
        assert row["total_usd"] == subtotal - discount + tax, row
    assert any(r["discount_usd"] > 0 for r in rows), "promo codes must give some discounts"


def test_lookups_read_the_dimension_as_it_stood_at_the_event_time(landing):
    """`product.unit_price_usd` is the price after every change stamped at or before the
    order line's event time: replayed here from the landed snapshot and change feed."""
    snapshot = {r["product_id"]: r for r in _rows(landing, "product")}
    changes = sorted(_rows(landing, "product_changes"), key=lambda r: r["change_timestamp"])
    assert {c["operation"] for c in changes} == {"INSERT", "UPDATE", "DELETE"}
    moved = 0
    for row in _rows(landing, "order_line"):
        key, at = row["product_id"], row["event_time"]
        price = snapshot[key]["unit_price_usd"] if key in snapshot else None
        category = snapshot[key]["category"] if key in snapshot else None
        for change in changes:
            if change["product_id"] == key and change["change_timestamp"] <= at:
                assert change["operation"] != "DELETE", "a fact references a deleted key"
                price, category = change["unit_price_usd"], change["category"]
        assert price is not None, f"product {key} did not exist at {at}"
        moved += price != snapshot.get(key, {}).get("unit_price_usd")
        assert row["unit_price_usd"] == price, row
        assert row["category"] == category.lower()
    assert moved > 0, "the run must look up prices that changed after the snapshot"


def test_lookup_through_the_named_foreign_key_and_checks_in_the_manifest(landing):
    rows = _rows(landing, "order_line")
    priced = [r["line_amount_usd"] == _half_up(r["quantity"] * r["unit_price_usd"]) for r in rows]
    broken = priced.count(False)
    manifest = [json.loads(line) for line in (landing / "_streamforge" / "manifest.jsonl").open()]
    counted = sum(e["anomalies"].get("priced", 0) for e in manifest if e["table"] == "order_line")
    assert broken == counted, "the manifest counts every row that breaks the check"
    assert 0.005 * len(rows) < broken < 0.05 * len(rows), "anomaly_rate 0.02 breaks about 2%"
    lines = [e for e in manifest if e["table"] == "order_line"]
    assert all(e["anomalies"].get("valid_total") == 0 for e in lines)


def test_hidden_columns_drive_values_but_are_not_written(landing):
    rows = _rows(landing, "order_line")
    assert "rate" not in rows[0]
    costs = [r for r in rows if r["cost"] is not None]
    # cost = round(quantity * rate, 2) with rate drawn in [0.8, 1.6]
    spread = [r["cost"] / r["quantity"] for r in costs]
    assert min(spread) >= 0.8 - 0.005 and max(spread) <= 1.6 + 0.005
    nulls = len(rows) - len(costs)
    assert 0.05 * len(rows) < nulls < 0.16 * len(rows), "null_rate 0.1 applies after the expr"


def test_duplicates_stay_exact_copies_of_computed_values(landing):
    by_key: dict[int, list[dict]] = {}
    for row in _rows(landing, "order_line"):
        by_key.setdefault(row["order_line_id"], []).append(row)
    copies = [rows for rows in by_key.values() if len(rows) > 1]
    assert copies, "duplicate_rate 0.05 must repeat rows"
    assert all(all(r == rows[0] for r in rows) for rows in copies)


def test_dimension_expressions_hold_in_the_snapshot_and_every_after_image(landing):
    """The feed carries the dimension's after-image: its computed `label` follows the image's
    category, and names itself in changed_fields only when it really changed."""
    rows = _rows(landing, "product") + _rows(landing, "product_changes")
    assert all(r["label"] == f"{r['category'].lower()}-{r['product_id']}" for r in rows)


def test_verify_judges_checks_and_catches_a_wrong_count(landing, tmp_path):
    plan = api.load_plan("shop", FIXTURE)
    assert verify_landing(landing, plan).ok
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(landing, copy)
    manifest = copy / "_streamforge" / "manifest.jsonl"
    entries = [json.loads(line) for line in manifest.open()]
    for entry in entries:
        if entry["table"] == "order_line":
            entry["anomalies"]["priced"] = 0
    manifest.write_text("".join(json.dumps(e) + "\n" for e in entries))
    report = verify_landing(copy, plan)
    assert any("check 'priced'" in f.message for f in report.findings)


def test_the_same_seed_gives_the_same_computed_values(landing, tmp_path):
    again = tmp_path / "again"
    api.generate(
        "shop", again, schema_dir=FIXTURE, fmt="parquet", cycles=4, interval=30, start=START
    )
    for table in ("product", "order_line"):
        first = [pq.read_table(f) for f in sorted((landing / table).glob("*.parquet"))]
        second = [pq.read_table(f) for f in sorted((again / table).glob("*.parquet"))]
        assert [t.equals(u) for t, u in zip(first, second, strict=True)] == [True] * len(first)


def _computed_in_the_child(out: str) -> int:
    api.generate("shop", out, schema_dir=FIXTURE, fmt="parquet", cycles=1, start=START)
    return sum(1 for _ in Path(out).rglob("*.parquet"))


def test_a_process_forked_after_expressions_ran_works(landing, tmp_path) -> None:
    """DuckDB connections open in the engine's threads made every forked child die with SIGSEGV
    (multiprocessing's fork pool refilled itself forever; pyspark's JVM never started)."""
    import multiprocessing

    assert landing.exists()  # the module's run evaluated expressions on the engine's threads
    with multiprocessing.get_context("fork").Pool(1) as children:
        files = children.apply_async(_computed_in_the_child, (str(tmp_path / "child"),))
        assert files.get(timeout=60) > 0  # the child, too, evaluates expressions
    again = tmp_path / "parent"
    api.generate("shop", again, schema_dir=FIXTURE, fmt="parquet", cycles=1, start=START)
    assert any(again.rglob("*.parquet"))  # and the parent's threads open new connections


@pytest.mark.parametrize(
    "raw",
    [
        "int",
        "long",
        "float",
        "double",
        "string",
        "datetime",
        "date",
        "bool",
        "decimal",
        "decimal(38,18)",
        {"type": "array", "items": "decimal(7,3)"},
        {"type": "map", "keys": "string", "values": {"type": "array", "items": "datetime"}},
    ],
)
@pytest.mark.parametrize("is_key", [False, True])
def test_validate_binds_over_the_types_the_engine_evaluates_with(raw, is_key) -> None:
    """validate types a row in SQL (no pyarrow); the engine hands DuckDB the Arrow columns it
    writes. Both must be the same DuckDB types, or validate would judge other expressions."""
    from streamforge.expr.bind import sql_type
    from streamforge.expr.duck import duck_type
    from streamforge.plan.columns import arrow_type
    from streamforge.spec.columns import build_column

    col = build_column("c", raw, ("columns", "c"))
    assert sql_type(col, is_key) == duck_type(arrow_type(col, is_key))

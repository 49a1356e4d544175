"""`unique` for as long as the stream runs (DESIGN §3, issue 9.3): across a dimension's rows, the
INSERTs of its change feed, every cycle of a fact, and restarts; validate says how long a finite
space lasts, and a run that uses it up stops with a message instead of repeating a value.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamforge import sectors
from streamforge.engine.generators.smart import PoolMaker, smart_maker
from streamforge.engine.unique import UniqueExhausted

FIXTURE = Path(__file__).parent / "fixtures" / "unique"
UNIQUE = ("barcode", "sku", "serial")


def fixture_tables(*names: str) -> dict[str, dict]:
    tables = {}
    for name in names:
        body = yaml.safe_load((FIXTURE / "lab" / f"{name}.yml").read_text())
        tables[body.pop("table")] = body
    return tables


def repeats(values: list) -> list:
    return [v for v, n in Counter(values).items() if n > 1]


def ean13_ok(code: str) -> bool:
    """13 digits whose last is the GS1 check digit of the first 12 (weights 1, 3, 1, ...)."""
    if len(code) != 13 or not code.isdigit():
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(code[:12]))
    return (10 - total % 10) % 10 == int(code[12])


def test_the_repro_batch_larger_than_the_space_is_a_validate_error() -> None:
    check = sectors.check_sector(FIXTURE, "lab")
    errors = [i for i in check.errors if "invoice_code" in i.message]
    assert len(errors) == 1
    assert errors[0].file.endswith("invoice.yml") and errors[0].line == 7
    assert "1,000 possible values for 1,200 rows" in errors[0].message


def test_a_fact_space_lasts_the_cycles_validate_says_then_the_run_stops(lab_dir, drive) -> None:
    tables = fixture_tables("invoice")
    tables["invoice"]["num_rows"] = 300  # 1,000 codes: three batches, and 100 left over
    check = sectors.check_sector(lab_dir(tables), "lab")
    assert check.plan is not None
    (warning,) = [i for i in check.issues if "invoice_code" in i.message]
    assert warning.severity == "warning" and "last 3 cycles" in warning.message
    run = drive(check.plan, cycles=3)
    codes = [
        c for cycle in range(3) for c in run.table("invoice", cycle)["invoice_code"].to_pylist()
    ]
    assert len(codes) == 900 and not repeats(codes)
    with pytest.raises(UniqueExhausted, match=r"'invoice\.invoice_code'.*1,000 possible values"):
        for output in run.session.cycle(3):
            list(output.chunks)


def test_faker_ean13_unique_stays_a_valid_ean13(run_lab) -> None:
    tables = fixture_tables("product", "product_changes")
    run = run_lab(tables, cycles=4)
    written = run.rows("product") + [
        r for c in range(4) for r in run.rows("product_changes", c) if r["change_type"] == "INSERT"
    ]
    bad = [r["barcode"] for r in written if not ean13_ok(r["barcode"])]
    assert not bad, f"not EAN-13: {bad[:5]}"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), cycles=st.integers(1, 8), inserts=st.integers(1, 10))
def test_unique_columns_never_repeat_across_snapshot_inserts_and_cycles(
    lab_plan, drive, seed, cycles, inserts
) -> None:
    """Every value a unique column ever takes: dimension rows, INSERT after-images (an UPDATE
    keeps its value), and a fact's rows over all cycles."""
    tables = fixture_tables("product", "product_changes", "invoice")
    tables["product_changes"]["operations"]["INSERT"] = inserts
    tables["invoice"]["num_rows"] = 100
    tables["invoice"]["columns"]["invoice_code"]["format"] = "INV-####"
    run = drive(lab_plan(tables), cycles=cycles, seed=seed)
    feed = [r for c in range(cycles) for r in run.rows("product_changes", c)]
    current = {r["product_id"]: r for r in run.rows("product")}
    for column in UNIQUE:
        values = [r[column] for r in run.rows("product")]
        for row in feed:
            if row["change_type"] == "INSERT":
                values.append(row[column])
            elif row["change_type"] == "UPDATE":
                assert row[column] == current[row["product_id"]][column], column
            current[row["product_id"]] = row
        assert not repeats(values), f"{column}: {repeats(values)[:5]}"
    codes = [
        c for cy in range(cycles) for c in run.table("invoice", cy)["invoice_code"].to_pylist()
    ]
    assert len(codes) == 100 * cycles and not repeats(codes)


def test_a_dimension_scaled_past_its_space_stops_with_a_message(lab_plan, drive) -> None:
    tables = fixture_tables("product")
    tables["product"]["columns"]["serial"]["max"] = 400  # 400 serials, 300 rows: valid
    plan = lab_plan(tables)
    with pytest.raises(UniqueExhausted, match=r"'product\.serial'.*400 possible values"):
        drive(plan, scale=2.0)


PHONE = re.compile(r"^\(\d{3}\) \d{3}-\d{4}$")


@pytest.mark.parametrize(
    "name", ["name", "first_name", "phone", "address", "city", "state", "zip", "ssn", "color"]
)
def test_unique_smart_fields_stay_values_of_their_kind(column_values, name) -> None:
    """No `-17` suffix: distinct values that the field itself makes (a pool's own values, a
    phone's shape); 50 rows fit every one of these spaces (50 US states is the smallest)."""
    values = column_values({"type": "string", "unique": True}, rows=50, name=name)
    values = values.column(name).to_pylist()
    assert not repeats(values)
    maker = smart_maker(name)
    if isinstance(maker, PoolMaker):
        assert set(values) <= set(maker.pool().values.to_pylist())
    if name == "phone":
        assert all(PHONE.match(v) for v in values), values[:3]
    if name == "name":
        assert all(len(v.split()) >= 2 and not v[-1].isdigit() for v in values), values[:3]


def test_a_unique_smart_field_larger_than_its_pool_is_a_validate_error(lab_dir) -> None:
    tables = {
        "t": {
            "type": "dimension",
            "num_rows": 60,
            "columns": {"t_id": "int", "state": {"type": "string", "unique": True}},
        }
    }
    check = sectors.check_sector(lab_dir(tables), "lab")
    assert [i.message for i in check.errors] == [
        "unique column 'state' has only 50 possible values for 60 rows"
    ]

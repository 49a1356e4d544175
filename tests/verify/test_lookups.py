"""Point-in-time lookups and Finance's balance rules (issue 13.2, 13.8), checked two ways: an
independent replay in this test (the rule: the dimension after every change stamped at or before
the event time), and `verify`, which must be clean on a good landing and catch one changed cell."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from streamforge import api
from streamforge.readback import read_landing, read_manifest
from streamforge.verify import verify_landing

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
EMPLOYEE = """\
table: employee
type: dimension
num_rows: 30
columns:
  employee_id: int
  salary: {type: "decimal(9,2)", min: 1000, max: 9999.99}
"""
CHANGES = """\
table: employee_changes
type: change_feed
num_rows: 20
tracks: employee
operations: {INSERT: 2, UPDATE: 8, DELETE: 1}
columns:
  change_id: long
  employee_id: int
  salary: {type: "decimal(9,2)", min: 1000, max: 9999.99}
  change_type: {type: string, format: "INSERT|UPDATE|DELETE"}
  change_timestamp: datetime
  sequence_num: long
"""
SHIFT = """\
table: shift
type: fact
num_rows: 80
columns:
  shift_id: long
  employee_id: int
  started_at: datetime
  salary_then: {type: "decimal(9,2)", expr: "employee.salary"}
"""
CYCLES = 4


def as_of(rows: list[dict], key: str, column: str, feeds: list[dict]) -> dict:
    """{key: [(valid_from, value), ...]} from a snapshot and change rows, by the rule."""
    history: dict = defaultdict(list)
    for row in rows:
        history[row[key]].append((None, row[column]))
    for row in sorted(feeds, key=lambda r: r["sequence_num"]):
        if row["change_type"] != "DELETE":
            history[row[key]].append((row["change_timestamp"], row[column]))
    return history


def stood(history: dict, key, moment):
    value = None
    for since, v in history[key]:
        if since is None or since <= moment:
            value = v
    return value


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("schema")
    (root / "lab").mkdir()
    for name, text in (("employee", EMPLOYEE), ("employee_changes", CHANGES), ("shift", SHIFT)):
        (root / "lab" / f"{name}.yml").write_text(text)
    out = tmp_path_factory.mktemp("landing") / "out"
    api.generate("lab", out, schema_dir=root, fmt="json", cycles=CYCLES, seed=9)
    return root, out


def test_a_lookup_is_the_dimension_as_it_stood_and_verify_agrees(lab) -> None:
    root, out = lab
    plan = api.load_plan("lab", root)
    files = read_landing(out, plan)
    rows = lambda t: [r for f in files[t] for r in f.data.to_pylist()]  # noqa: E731
    history = as_of(rows("employee"), "employee_id", "salary", rows("employee_changes"))
    shifts = rows("shift")
    moved = 0
    for shift in shifts:
        expected = stood(history, shift["employee_id"], shift["started_at"])
        assert shift["salary_then"] == expected, shift
        moved += expected != history[shift["employee_id"]][-1][1]  # not today's value
    assert moved > 0  # some shifts predate a raise: the rule is not just "the latest value"
    assert verify_landing(out, plan).ok


def test_verify_catches_a_lookup_that_is_not_as_of_the_event_time(lab, tmp_path) -> None:
    import shutil

    root, good = lab
    out = tmp_path / "out"
    shutil.copytree(good, out)
    plan = api.load_plan("lab", root)
    entry = next(e for e in read_manifest(out) if e["table"] == "shift" and e["cycle"] == 2)
    path = out / entry["file"]
    lines = path.read_text().splitlines(keepends=True)
    record = json.loads(lines[3])
    record["salary_then"] = str(Decimal(str(record["salary_then"])) + Decimal("1.00"))
    lines[3] = json.dumps(record) + "\n"
    path.write_text("".join(lines))
    found = [f for f in verify_landing(out, plan).findings if f.kind == "lookup"]
    assert [(f.table, f.cycle, f.column, f.count, f.example) for f in found] == [
        ("shift", 2, "salary_then", 1, record["employee_id"])
    ]


def chained_balances(history: dict, files: list) -> dict:
    """transaction_id -> balance_before_usd by Finance's rule: per account, in posting order
    (landing cycle, transaction_time, transaction_id; a duplicate once), the balance as last
    posted at or before the transaction (a change that set a new value) plus the signed amounts
    of the account's earlier transactions since that posting."""
    posted = {
        key: [(s, v) for i, (s, v) in enumerate(h) if i == 0 or v != h[i - 1][1]]
        for key, h in history.items()
    }
    first: dict = {}
    for file in files:
        for row in file.data.to_pylist():
            first.setdefault(row["transaction_id"], (file.cycle, row))
    ordered = sorted(
        first.values(), key=lambda c: (c[1]["transaction_time"], c[1]["transaction_id"])
    )
    ordered.sort(key=lambda c: c[0])  # stable: by cycle, then time and id
    since: dict = defaultdict(Decimal)
    before = {}
    for _, row in ordered:
        read = [
            (s, v)
            for s, v in posted[row["account_id"]]
            if s is None or s <= row["transaction_time"]
        ]
        posting = (row["account_id"], read[-1][0])
        before[row["transaction_id"]] = read[-1][1] + since[posting]
        since[posting] += row["signed_amount_usd"]
    return before


def test_finance_balances_follow_transactions(tmp_path) -> None:
    """Rules from Finance's YAML descriptions: signed amounts by type, balances that chain per
    account from the last posted ledger balance, balance after = before + signed amount, no
    merchant for bank items; loan payments split and follow their status (except the announced
    anomalies)."""
    out = tmp_path / "out"
    api.generate("Finance", out, schema_dir=SCHEMA, fmt="parquet", cycles=3, scale=0.2, seed=4)
    plan = api.load_plan("Finance", SCHEMA)
    files = read_landing(out, plan)
    rows = lambda t: [r for f in files[t] for r in f.data.to_pylist()]  # noqa: E731
    history = as_of(rows("account"), "account_id", "current_balance_usd", rows("account_changes"))
    chain = chained_balances(history, files["transactions"])
    passed_on = 0
    credits = {"DEPOSIT", "TRANSFER_IN", "INTEREST", "REFUND"}
    announced = sum(
        (e.get("anomalies") or {}).get("amount_usd", 0)
        for e in read_manifest(out)
        if e["table"] == "transactions"
    )
    odd = 0
    for t in rows("transactions"):
        sign = 1 if t["transaction_type"] in credits else -1
        odd += t["signed_amount_usd"] != sign * t["amount_usd"]
        assert t["balance_before_usd"] == chain[t["transaction_id"]], t
        stood_then = stood(history, t["account_id"], t["transaction_time"])
        passed_on += t["balance_before_usd"] != stood_then  # not the posted balance: chained
        assert t["balance_after_usd"] == t["balance_before_usd"] + t["signed_amount_usd"], t
        if t["transaction_type"] in ("ATM_WITHDRAWAL", "FEE", "INTEREST"):
            assert t["merchant_company"] is None and t["merchant_category_code"] is None, t
    assert odd <= announced
    broken = sum(
        (e.get("anomalies") or {}).get("amount_paid_usd", 0)
        for e in read_manifest(out)
        if e["table"] == "loan_payments"
    )
    wrong = 0
    for p in rows("loan_payments"):
        assert (
            p["amount_paid_usd"] is None
            or p["amount_paid_usd"] == p["principal_usd"] + p["interest_usd"]
        ), p
        status, paid, due = p["payment_status"], p["amount_paid_usd"], p["amount_due_usd"]
        assert (status == "MISSED") == (p["paid_at"] is None), p
        ok = {"MISSED": paid == 0, "PARTIAL": paid is not None and paid < due}
        wrong += not ok.get(status, paid == due)
    assert wrong <= broken
    assert passed_on > len(rows("transactions")) // 2  # most start from an earlier transaction
    assert verify_landing(out, plan).ok


def test_verify_catches_a_balance_that_breaks_the_chain(tmp_path) -> None:
    """One transaction's balances moved by a cent (before and after alike, so the row's own
    check still holds): verify names the table, the column, the row and its cycle."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    api.generate("Finance", out, schema_dir=SCHEMA, fmt="parquet", cycles=3, scale=0.2, seed=4)
    plan = api.load_plan("Finance", SCHEMA)
    entry = next(e for e in read_manifest(out) if e["table"] == "transactions" and e["cycle"] == 1)
    path = out / entry["file"]
    data = pq.read_table(path)
    for name in ("balance_before_usd", "balance_after_usd"):
        values = data.column(name).to_pylist()
        values[7] += Decimal("0.01")
        at = data.schema.get_field_index(name)
        data = data.set_column(at, name, pa.array(values, data.schema.field(name).type))
    pq.write_table(data, path)
    changed = data.column("transaction_id")[7].as_py()
    dups = data.column("transaction_id").to_pylist().count(changed)
    found = verify_landing(out, plan).findings
    assert [(f.table, f.cycle, f.column, f.kind, f.count, f.example) for f in found] == [
        ("transactions", 1, "balance_before_usd", "running", 1, changed)
    ], [str(f) for f in found]
    assert dups == 1

"""Running totals (`running:`): balances chain per key in posting order, from the latest posting.

The expected values come from the rule (DESIGN §3, engine/running.py), computed here row by row
in plain Python from the landed files alone: the dimension's snapshot, every landed change row
(postings: those that change the start column) and every landed fact row (duplicate copies once;
per key in order of landing cycle, event time, primary key).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.times import at

from streamforge import api
from streamforge.engine import seeding
from streamforge.engine.running import Totals, _find_pairs
from streamforge.readback import read_landing

ACCOUNT = """\
table: acct
type: dimension
num_rows: 40
columns:
  acct_id: int
  status: {type: string, values: [OPEN, FROZEN]}
  balance_usd:
    type: decimal(12,2)
    min: 0
    max: 5000
"""
CHANGES = """\
table: acct_changes
type: change_feed
num_rows: 12
tracks: acct
operations: {{INSERT: 0.2, UPDATE: 0.75, DELETE: 0.05}}
late_rate: {late}
columns:
  change_id: int
  acct_id: int
  change_type: {{type: string, format: "INSERT|UPDATE|DELETE"}}
  change_timestamp: datetime
  sequence_num: long
  changed_fields: {{type: array, items: string}}
  status: {{type: string, values: [OPEN, FROZEN]}}
  balance_usd:
    type: decimal(12,2)
    min: 0
    max: 5000
"""
FACT = """\
table: tx
type: fact
num_rows: 300
primary_key: tx_id
duplicate_rate: {dup}
late_rate: {late}
out_of_order_rate: {ooo}
checks:
  adds_up: "balance_after_usd = balance_before_usd + amount_usd"
columns:
  tx_id: int
  acct_id: {{type: int, distribution: zipf, skew: 1.3}}
  tx_time: datetime
  amount_usd:
    type: decimal(10,2)
    min: -80
    max: 80
  balance_before_usd:
    type: decimal(16,2)
    running: {{sum: amount_usd, by: acct_id, start: acct.balance_usd}}
  balance_after_usd:
    type: decimal(17,2)
    expr: "balance_before_usd + amount_usd"
  one:
    type: int
    expr: "1"
    hidden: true
  tx_number:
    type: long
    running: {{sum: one, by: acct_id}}
"""


def write_sector(root: Path, dup: float, late: float, ooo: float) -> Path:
    folder = root / "schema" / "Ledger"
    folder.mkdir(parents=True)
    (folder / "acct.yml").write_text(ACCOUNT)
    (folder / "acct_changes.yml").write_text(CHANGES.format(late=late))
    (folder / "tx.yml").write_text(FACT.format(dup=dup, late=late, ooo=ooo))
    return root / "schema"


def expected_chain(landing: dict) -> tuple[dict[int, Decimal | None], dict[int, int]]:
    """tx_id -> balance_before_usd and tx_number by the rule, one row at a time."""
    postings: dict[int, list[tuple[int, int, Decimal | None]]] = defaultdict(list)
    for row in landing["acct"][0].data.to_pylist():
        postings[row["acct_id"]].append((-(2**63), 0, row["balance_usd"]))
    changes = [r for f in landing["acct_changes"] for r in f.data.to_pylist()]
    changes.sort(key=lambda r: (r["change_timestamp"], r["sequence_num"]))
    for row in changes:
        history = postings[row["acct_id"]]
        value = None if row["change_type"] == "DELETE" else row["balance_usd"]
        gone = row["change_type"] == "DELETE"
        stamp = int(row["change_timestamp"].timestamp() * 1_000_000)
        if row["change_type"] in ("INSERT", "DELETE") or not history or history[-1][2] != value:
            history.append((stamp, 1 if gone else 0, value))
    seen: dict[int, dict] = {}
    for file in landing["tx"]:
        for row in file.data.to_pylist():
            seen.setdefault(row["tx_id"], {**row, "cycle": file.cycle})
    by_key: dict[int, list[dict]] = defaultdict(list)
    for row in seen.values():
        by_key[row["acct_id"]].append(row)
    before: dict[int, Decimal | None] = {}
    number: dict[int, int] = {}
    for key, rows in by_key.items():
        rows.sort(key=lambda r: (r["cycle"], r["tx_time"], r["tx_id"]))
        sums: dict[int, Decimal] = defaultdict(Decimal)
        for count, row in enumerate(rows):
            number[row["tx_id"]] = count
            time = int(row["tx_time"].timestamp() * 1_000_000)
            read = [p for p in postings[key] if p[0] <= time]
            if not read or read[-1][1]:  # no posting, or deleted: no balance
                before[row["tx_id"]] = None
                continue
            stamp, _, value = read[-1]
            before[row["tx_id"]] = value + sums[stamp]
            sums[stamp] += row["amount_usd"]
    return before, number


@pytest.mark.parametrize(
    ("dup", "late", "ooo"), [(0.0, 0.0, 0.0), (0.05, 0.05, 0.05), (0.2, 0.1, 0.2)]
)
def test_balances_chain_by_the_rule(tmp_path, monkeypatch, dup, late, ooo):
    monkeypatch.setattr(seeding, "CHUNK_ROWS", 64)  # several chunks a cycle: order across them
    schema = write_sector(tmp_path, dup, late, ooo)
    out = tmp_path / "out"
    api.generate(
        "Ledger", out, schema_dir=schema, fmt="parquet", cycles=5, start=at("2026-01-01T00:00Z")
    )
    landing = read_landing(out, api.load_plan("Ledger", schema))
    before, number = expected_chain(landing)
    rows = [r for f in landing["tx"] for r in f.data.to_pylist()]
    assert len(rows) == 5 * 300
    postings = sum(1 for r in rows if before[r["tx_id"]] is not None)
    assert postings > 1000  # most rows have a balance to check
    for row in rows:
        assert row["balance_before_usd"] == before[row["tx_id"]], row
        assert row["tx_number"] == number[row["tx_id"]], row
    # Chained: consecutive rows of a busy key pass the balance on, not only the posting's.
    chained = [r for r in rows if r["tx_number"] > 0 and r["balance_before_usd"] is not None]
    assert len({r["balance_before_usd"] for r in chained}) > len(chained) // 2
    report = api.verify("Ledger", out, schema)
    assert report.ok, [str(f) for f in report.findings[:5]]


def test_the_chain_does_not_depend_on_workers(tmp_path, monkeypatch):
    """Chunks made on one thread or two, ahead of the writer: the same balances."""
    monkeypatch.setattr(seeding, "CHUNK_ROWS", 64)
    schema = write_sector(tmp_path, 0.05, 0.05, 0.05)
    made = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        start = at("2026-01-01T00:00Z")
        api.generate(
            "Ledger", out, schema_dir=schema, fmt="parquet", cycles=3, workers=workers, start=start
        )
        landing = read_landing(out, api.load_plan("Ledger", schema))
        made.append([f.data for f in landing["tx"]])
    assert made[0] == made[1]


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), unique=True),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(-9, 9))),
)
@settings(max_examples=200, deadline=None)
def test_totals_carry_the_latest_sum_of_each_pair(old, new):
    """Totals.merged keeps one sum per (key, posting), the newest; carried finds it, else 0."""
    old = sorted(old)
    totals = Totals(
        np.array([k for k, _ in old], np.int64),
        np.array([p for _, p in old], np.int64),
        np.arange(len(old), dtype=np.int64),
    )
    expected = {pair: i for i, pair in enumerate(old)}
    for k, p, u in new:
        merged = totals.merged(np.array([k]), np.array([p]), np.array([u]))
        expected[(k, p)] = u
        totals = merged
    pairs = sorted(expected)
    assert list(zip(totals.keys.tolist(), totals.postings.tolist(), strict=True)) == pairs
    asked_k = np.array([k for k in range(6) for _ in range(4)], np.int64)
    asked_p = np.array([p for _ in range(6) for p in range(4)], np.int64)
    carried = totals.carried(asked_k, asked_p)
    for k, p, got in zip(asked_k, asked_p, carried, strict=True):
        assert got == expected.get((int(k), int(p)), 0)
    found = _find_pairs(totals.keys, totals.postings, asked_k, asked_p)
    present = [(int(k), int(p)) in expected for k, p in zip(asked_k, asked_p, strict=True)]
    assert ((found >= 0) == np.array(present)).all()

"""The shipped Finance sector's balances stay natural (issue 13.8): a transaction's amount follows
its type (paychecks and deposits are the large credits that balance the many small debits), so an
account's expected net flow is zero and busy accounts do not walk to minus tens of thousands.

The expected values come from schema/Finance/transactions.yml itself: the type weights, each
type's typical amount (the CASE in `amount_usd`'s expression) and each sign (the
`signed_by_type` check), read here with PyYAML and a regular expression; the bounds on the landed
data are those of a zero-mean random walk (4 standard errors), never today's output.
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from pathlib import Path

import yaml

from streamforge import api

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
TRANSACTIONS = SCHEMA_DIR / "Finance" / "transactions.yml"
CYCLES = 6
FLOOR_USD = -5000.0


@functools.cache
def rule() -> dict[str, tuple[float, float, int]]:
    """Per transaction type: (weight, typical amount, sign +1 credit / -1 debit)."""
    spec = yaml.safe_load(TRANSACTIONS.read_text())
    kind = spec["columns"]["transaction_type"]
    weights = dict(zip(kind["values"], kind["weights"], strict=True))
    typical_expr = spec["columns"]["amount_usd"]["expr"]
    typical = {t: float(v) for t, v in re.findall(r"= '(\w+)' THEN ([\d.]+)", typical_expr)}
    credits = re.search(r"IN \(([^)]*)\) THEN amount_usd", spec["checks"]["signed_by_type"])
    assert credits is not None
    credit = set(re.findall(r"'(\w+)'", credits.group(1)))
    assert set(typical) == set(weights), "every type has a typical amount"
    return {t: (w, typical[t], 1 if t in credit else -1) for t, w in weights.items()}


def test_the_rule_balances_credits_and_debits() -> None:
    net = sum(w * m * s for w, m, s in rule().values())
    flow = sum(w * m for w, m, _ in rule().values())
    assert abs(net) < 0.005 * flow, (net, flow)
    deposit, purchase = rule()["DEPOSIT"][1], rule()["PURCHASE"][1]
    assert deposit > 5 * purchase  # paychecks are larger than purchases


@functools.cache
def landed() -> list[dict]:
    from tests.engine.conftest import drive

    run = drive(api.load_plan("Finance", SCHEMA_DIR), cycles=CYCLES, seed=5)
    return [row for cycle in range(CYCLES) for row in run.rows("transactions", cycle)]


def test_amounts_follow_their_type() -> None:
    amounts: dict[str, list[float]] = defaultdict(list)
    for row in landed():
        amounts[row["transaction_type"]].append(float(row["amount_usd"]))
    for kind, (_, typical, _) in rule().items():
        mean = sum(amounts[kind]) / len(amounts[kind])
        assert abs(mean - typical) < 0.1 * typical, (kind, mean, typical)


def test_net_flow_is_about_zero_and_balances_stay_sane() -> None:
    rows = landed()
    signed = [float(r["signed_amount_usd"]) for r in rows]
    rms = math.sqrt(sum(s * s for s in signed) / len(signed))
    expected = sum(w * m * s for w, m, s in rule().values())
    assert abs(sum(signed) / len(signed) - expected) < 4 * rms / math.sqrt(len(signed))
    below = sum(float(r["balance_after_usd"]) < FLOOR_USD for r in rows)
    assert below < 0.01 * len(rows), below
    by_account: dict[int, list[float]] = defaultdict(list)
    for row, amount in zip(rows, signed, strict=True):
        by_account[row["account_id"]].append(amount)
    busiest = sorted(by_account.values(), key=len, reverse=True)[:5]
    assert len(busiest[0]) > 500  # the zipf accounts the rule must hold for
    for flows in busiest:  # a zero-mean walk: its drift stays within 4 sqrt(n) steps
        assert abs(sum(flows)) < 4 * rms * math.sqrt(len(flows)), (len(flows), sum(flows))

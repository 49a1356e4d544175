"""verify evaluates `checks:` with Spark's exact decimal arithmetic, as the generator does.

README: expressions and check rules follow Spark SQL (decimal / decimal is Spark's exact decimal,
rounded HALF_UP). A row the generator made correctly must not be reported by verify.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa

from streamforge.verify.checks import judge_checks
from streamforge.verify.report import Report

RULE = "net = round(gross * (1 - fee_pct / 100), 2)"


def _exact_net(gross: Decimal, fee: Decimal) -> Decimal:
    # Spark: decimal(5,2) / 100 is an exact decimal; the product is exact; round is HALF_UP
    return (gross * (1 - fee / Decimal(100))).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_check_on_half_way_decimal_is_not_reported() -> None:
    gross = [Decimal("15.00"), Decimal("90.00"), Decimal("350.00")]
    fee = [Decimal("1.70"), Decimal("7.65"), Decimal("1.87")]
    net = [_exact_net(g, f) for g, f in zip(gross, fee, strict=True)]
    assert net == [Decimal("14.75"), Decimal("83.12"), Decimal("343.46")]  # the rule, by hand
    data = pa.table(
        {
            "gross": pa.array(gross, pa.decimal128(10, 2)),
            "fee_pct": pa.array(fee, pa.decimal128(5, 2)),
            "net": pa.array(net, pa.decimal128(10, 2)),
        }
    )
    report = Report()
    judge_checks(report, "sales", 0, data, {"net_ok": RULE}, {"anomalies": {}})
    assert report.findings == []

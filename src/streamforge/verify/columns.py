"""Per file, per column: values that do not fit the declared type or break the declared rule.

Rows breaking a rule must be exactly the anomalies the manifest announces for that column (none for
a column without `anomaly_rate`): a wrong value the generator did not mean is caught here.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from streamforge.plural import counted
from streamforge.verify.read import Landed
from streamforge.verify.report import Report
from streamforge.verify.report import shown as shown_
from streamforge.verify.rules import Rule
from streamforge.verify.values import broken_rows, example


def check_columns(
    report: Report,
    table: str,
    cycle: int,
    landed: Landed,
    rules: dict[str, Rule],
    manifest: dict,
    judged: np.ndarray | None,
    wide: frozenset[str],
    nullable: frozenset[str],
    skip: frozenset[str],
) -> None:
    """`judged`: rows the value rules apply to (a change feed's DELETE rows are judged on key
    and sequence only); `wide`: key columns (64-bit); `nullable`: columns where a null is never
    an anomaly (self-references: the roots); `skip`: columns without a value rule (roles)."""
    for name in landed.missing:
        if name in rules and name not in skip:
            report.add(table, cycle, f"column {name} is missing", column=name, kind="missing")
    for name, (count, value) in landed.unreadable.items():
        rule = rules.get(name)
        what = "readable" if rule is None else rule.type
        if rule is not None and rule.type == "decimal":
            what = rule.describe()
        report.add(
            table,
            cycle,
            f"{counted(count, 'value')} of {name} {'is' if count == 1 else 'are'} not {what} "
            f"(e.g. {shown_(value)})",
            column=name,
            kind="type",
            count=count,
            example=value,
        )
    announced = manifest.get("anomalies", {}) or {}
    for name, rule in rules.items():
        if name in skip or name not in landed.data.column_names:
            continue
        values = landed.data.column(name)
        if judged is not None:
            values = values.filter(pa.array(judged))
        nulls_break = rule.null_rate == 0 and rule.anomaly_rate > 0 and name not in nullable
        mask = broken_rows(rule, values, nulls_break, wide_int=name in wide)
        unreadable = landed.unreadable.get(name, (0, None))[0]
        count = int(mask.sum()) - (unreadable if nulls_break else 0)
        expected = int(announced.get(name, 0))
        if count != expected:
            shown = example(values, mask)
            report.add(
                table,
                cycle,
                f"{counted(count, 'row')} of {name} breaking its rule ({rule.describe()}), "
                "manifest says "
                f"{expected} (e.g. {shown_(shown)})",
                column=name,
                kind="value",
                count=count,
                example=shown,
            )

"""Table `checks:` judged on each landed file, by the oracle's own reading of the YAML.

The rules are read from the YAML nodes here and run by the oracle's own DuckDB query over the landed
rows, so a bug in the generator's evaluation cannot hide itself; only the Spark-to-DuckDB
translation (the language's meaning: Spark's exact decimals) is shared (verify/spark_sql.py).
Every row that fails a rule (a NULL result fails, as in the pipelines' expectations) must be one
the manifest announced.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot
import yaml
from sqlglot import exp

from streamforge.plural import counted
from streamforge.verify.absent import absent
from streamforge.verify.report import Report
from streamforge.verify.spark_sql import to_duckdb


def read_checks(file: Path) -> dict[str, str]:
    """Check name -> its Spark SQL rule, from `checks:` (short or mapping form)."""
    root = yaml.compose(Path(file).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    checks = _get(root, "checks")
    if not isinstance(checks, yaml.MappingNode):
        return {}
    found = {}
    for key, node in checks.value:
        rule = _get(node, "rule") if isinstance(node, yaml.MappingNode) else node
        if isinstance(rule, yaml.ScalarNode):
            found[str(key.value)] = str(rule.value)
    return found


def judge_checks(
    report: Report, table: str, cycle: int, data: pa.Table, checks: dict[str, str], entry: dict
) -> None:
    """Rows of one file failing each check, against the manifest's count for that check."""
    announced = entry.get("anomalies") or {}
    for name, rule in checks.items():
        names = {c.name for c in sqlglot.parse_one(rule, read="spark").find_all(exp.Column)}
        if absent(report, table, f"check '{name}'", names, data):
            # names a hidden column the replay could not draw (hidden_replay.py says why)
            report.unjudged.setdefault("checks", set()).add(f"{table}.{name}")
            continue
        failing = _failing(data, rule, names)
        expected = int(announced.get(name, 0))
        if failing != expected:
            report.add(
                table,
                cycle,
                f"check '{name}' ({rule}) fails on {counted(failing, 'row')}; the manifest counts "
                f"{expected}",
                kind="check",
            )


def _failing(data: pa.Table, rule: str, names: set[str]) -> int:
    fields = [
        pa.field(f.name, pa.timestamp(f.type.unit)) if pa.types.is_timestamp(f.type) else f
        for f in data.schema
    ]
    rows = data.select([f.name for f in fields if f.name in names])
    rows = rows.cast(pa.schema([f for f in fields if f.name in names]))
    sql = to_duckdb(rule, rows)  # Spark's decimal arithmetic, not DuckDB's doubles
    con = duckdb.connect(config={"threads": 1})
    try:
        con.register("landed", rows)
        query = f"SELECT count(*) FROM landed WHERE NOT coalesce(({sql}), false)"
        result = con.execute(query).fetchall()
    finally:
        con.close()
    return int(result[0][0])


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(
        (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None
    )

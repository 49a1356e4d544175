"""Generated pipelines are valid code: Python parses, every SQL query parses with sqlglot, and the
pipeline-only clauses follow the documented grammar. Energy's output is pinned by golden files."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import sqlglot
import yaml

from streamforge import api

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"
GOLDEN = ROOT / "tests" / "golden" / "pipelines"
SECTORS = ["Energy", "Retail", "Healthcare", "Finance", "Manufacturing"]
TARGETS = ["databricks", "dlt-legacy", "spark"]
DIALECT = {"databricks": "databricks", "dlt-legacy": "databricks", "spark": "spark"}

CONSTRAINT = re.compile(
    r"^\s*CONSTRAINT (\w+) EXPECT \((?P<cond>.+)\)"
    r"(?P<action> ON VIOLATION (DROP ROW|FAIL UPDATE))?,?$"
)
AUTO_CDC = re.compile(
    r"^(CREATE FLOW (?P<flow>\w+) AS AUTO CDC INTO (?P<target>`\w+`)"
    r"|APPLY CHANGES INTO LIVE\.(`\w+`))\s+"
    r"FROM STREAM\((?P<source>[\w.]+)\)\s+"
    r"KEYS \((?P<keys>[^)]+)\)\s+"
    r"APPLY AS DELETE WHEN (?P<delete>.+?)\s+"
    r"SEQUENCE BY (?P<sequence>\S+)\s+"
    r"COLUMNS \* EXCEPT \((?P<except>[^)]+)\)\s+"
    r"STORED AS SCD TYPE (?P<scd>[12])$",
    re.S,
)


def statements(sql: str) -> list[str]:
    """Statements of a generated SQL file (comment lines dropped)."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*\n", body) if s.strip().rstrip(";")]


def query_of(statement: str) -> str | None:
    match = re.search(r"^AS (SELECT.*)$", statement, re.M | re.S)
    return match.group(1).rstrip(";") if match else None


def check_sql(sql: str, dialect: str) -> dict[str, int]:
    """Parse every query and check every pipeline clause; return counts of what was seen."""
    seen = {"queries": 0, "constraints": 0, "cdc": 0}
    for statement in statements(sql):
        if AUTO_CDC.match(statement):
            match = AUTO_CDC.match(statement)
            assert match is not None
            sqlglot.parse_one(f"SELECT 1 WHERE {match['delete']}", read=dialect)
            seen["cdc"] += 1
            continue
        for line in statement.splitlines():
            if "CONSTRAINT" in line:
                found = CONSTRAINT.match(line)
                assert found, f"malformed constraint: {line}"
                sqlglot.parse_one(f"SELECT 1 FROM t WHERE {found['cond']}", read=dialect)
                seen["constraints"] += 1
        query = query_of(statement)
        if query is None:
            assert re.match(r"^CREATE OR REFRESH STREAMING TABLE `?\w+`?\s+COMMENT '", statement), (
                f"a statement with no query must declare a CDC target: {statement[:80]}"
            )
            continue
        sqlglot.parse_one(query, read=dialect)
        seen["queries"] += 1
    return seen


@pytest.mark.parametrize("sector", SECTORS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_every_generated_file_is_valid(sector: str, target: str, fmt: str) -> None:
    for language in ("python", "sql"):
        project = api.pipeline(
            sector, None, schema_dir=SCHEMA, target=target, language=language, scd=2, fmt=fmt
        )
        for name, text in project.files.items():
            if name.endswith(".py"):
                ast.parse(text, filename=name)
            elif name.endswith(".sql"):
                seen = check_sql(text, DIALECT[target])
                assert seen["queries"] > 0
            elif name.endswith(".yml"):
                assert yaml.safe_load(text)


def test_databricks_sql_uses_auto_cdc_with_deletes_and_expectations() -> None:
    project = api.pipeline(
        "Energy", None, schema_dir=SCHEMA, target="databricks", language="sql", scd=2
    )
    sql = project.files["transformations/streamforge_energy.sql"]
    seen = check_sql(sql, "databricks")
    assert seen["cdc"] == 2  # customer (SCD1) and customer_history (SCD2)
    assert "APPLY AS DELETE WHEN `change_type` = 'DELETE'" in sql
    assert "AS AUTO CDC INTO `customer`" in sql
    assert "STREAM read_files(" in sql and "schemaHints =>" in sql
    expected = "CONSTRAINT valid_kwh_consumed EXPECT (`kwh_consumed` BETWEEN 0 AND 150)"
    assert f"{expected} ON VIOLATION DROP ROW" in sql


def test_databricks_python_uses_the_current_api() -> None:
    project = api.pipeline("Energy", None, schema_dir=SCHEMA, target="databricks", scd=2)
    code = project.files["transformations/streamforge_energy.py"]
    tree = ast.parse(code)
    calls = {
        n.func.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    }
    assert "from pyspark import pipelines as dp" in code and "import dlt" not in code
    assert {"create_auto_cdc_flow", "create_streaming_table"} <= calls
    assert "apply_as_deletes=F.expr(\"`change_type` = 'DELETE'\")" in code
    assert '.format("cloudFiles")' in code and "cloudFiles.schemaHints" in code
    assert "@dp.expect_all_or_drop" in code and "dropDuplicatesWithinWatermark" in code


def test_dlt_legacy_uses_import_dlt_and_apply_changes() -> None:
    python = api.pipeline("Energy", None, schema_dir=SCHEMA, target="dlt-legacy").files
    sql = api.pipeline("Energy", None, schema_dir=SCHEMA, target="dlt-legacy", language="sql").files
    code = python["transformations/streamforge_energy.py"]
    assert "import dlt" in code and "dlt.apply_changes(" in code and "pipelines" not in code
    assert "APPLY CHANGES INTO LIVE.`customer`" in sql["transformations/streamforge_energy.sql"]


def test_descriptions_become_comments() -> None:
    code = api.pipeline("Energy", None, schema_dir=SCHEMA).files[
        "transformations/streamforge_energy.py"
    ]
    assert "Interval readings (15 min) from customer smart meters." in code


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("language", ["python", "sql"])
def test_energy_matches_golden_files(target: str, language: str, update_golden: bool) -> None:
    files = api.pipeline(
        "Energy",
        None,
        schema_dir=SCHEMA,
        target=target,
        language=language,
        landing="/Volumes/main/streamforge/landing/energy",
        scd=2,
    ).files
    folder = GOLDEN / f"{target}-{language}"
    for name, text in files.items():
        path = folder / name
        if update_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"missing golden file {path}; run pytest --update-golden"
        assert text == path.read_text(encoding="utf-8"), f"{path} differs (--update-golden)"


def test_change_feed_rules_are_the_snapshot_rules_with_deletes_judged_on_keys() -> None:
    """README, Change feeds: the snapshot obeys the same rules as change rows; a DELETE row is
    judged on its keys, change type and sequence only."""
    from streamforge.pipelines.model import build_model

    plan = api.load_plan("Energy", SCHEMA)
    checked = {c.source.table: c for c in build_model(plan).checked}
    snapshot, feed = checked["customer"], checked["customer_changes"]
    roles = plan.table("customer_changes").feed
    assert roles is not None
    on_delete = {roles.entity_key, roles.type_column, roles.timestamp_column, "change_id"}
    snapshot_rules = {r.column: r for r in snapshot.rules}
    exempt = "`change_type` = 'DELETE' OR ("
    for rule in feed.rules:
        if rule.column in on_delete:
            assert not rule.condition.startswith(exempt), rule
            continue
        assert rule.condition.startswith(exempt) and rule.condition.endswith(")"), rule
        same = snapshot_rules[rule.column]
        assert rule.condition == f"{exempt}{same.condition})" and rule.action == same.action
    assert any(r.column == "billing_cycle_day" and r.action == "drop" for r in feed.rules)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("language", ["python", "sql"])
def test_every_target_checks_the_snapshot_and_the_feed_with_the_same_drop_rules(
    target: str, language: str
) -> None:
    from streamforge.pipelines.model import build_model

    plan = api.load_plan("Energy", SCHEMA)
    checked = {c.source.table: c for c in build_model(plan).checked}
    files = api.pipeline(
        "Energy", None, schema_dir=SCHEMA, target=target, language=language, scd=2
    ).files
    text = "\n".join(t for n, t in files.items() if n.startswith("transformations/"))
    for table in ("customer", "customer_changes"):
        for rule in checked[table].drop_rules:
            assert rule.condition in text or repr(rule.condition) in text, rule
    # The dimension is replayed from the checked snapshot, never from its raw bronze rows.
    dimensions = text[text.index("dimensions:") : text.index("gold:")]
    assert "silver_customer" in dimensions.replace("silver_customer_changes", "")
    assert "bronze_customer" not in dimensions

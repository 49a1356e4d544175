"""What the generated expectations catch and report: quarantined rows name their rules, AUTO CDC
sources cannot be failed by one bad row, dimensions keep one row per key, and the data-quality
comparison (injected vs caught) is right rule by rule."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

from streamforge import api
from streamforge.pipelines.expectations import rules_for
from streamforge.pipelines.local_spark import spark_available, table_path
from streamforge.pipelines.model import build_model
from streamforge.pipelines.quality import compare, injected_counts, rule_sources
from streamforge.readback import read_manifest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"
# A fixed start: rows per cycle follow the clock (`profile:`), and at a quiet hour 0.5 % kwh
# anomalies of ~200 rows could be none at all (the tests failed near 00:00 UTC).
START = datetime(2026, 1, 31, 12, tzinfo=UTC)
SECTORS = ["Energy", "Retail", "Healthcare", "Finance", "Manufacturing"]
TARGETS = ["databricks", "dlt-legacy", "spark"]


def sql_statements(sql: str) -> list[str]:
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*\n", body) if s.strip()]


def statement_creating(sql: str, name: str) -> str:
    pattern = re.compile(rf"^CREATE [A-Z ]*(VIEW|TABLE) {name}\b")
    (found,) = [s for s in sql_statements(sql) if pattern.match(s)]
    return found


def literals_of_failed_rules(statement: str, dialect: str) -> set[str]:
    """The rule names the `_failed_rules` column of a statement's query can hold."""
    query = statement[statement.index("AS SELECT") + 3 :]
    tree = sqlglot.parse_one(query, read=dialect)
    (column,) = [a for a in tree.find_all(sqlglot.exp.Alias) if a.alias == "_failed_rules"]
    return {s.this for s in column.find_all(sqlglot.exp.Literal) if s.is_string}


@pytest.mark.parametrize("sector", SECTORS)
@pytest.mark.parametrize("target", ["databricks", "dlt-legacy"])
def test_databricks_quarantine_names_every_drop_rule(sector: str, target: str) -> None:
    plan = api.load_plan(sector, SCHEMA)
    model = build_model(plan)
    sql = api.pipeline(sector, None, schema_dir=SCHEMA, target=target, language="sql").files
    text = sql[f"transformations/streamforge_{sector.lower()}.sql"]
    for c in model.checked:
        if not c.drop_rules:
            continue
        statement = statement_creating(text, c.source.quarantine)
        named = literals_of_failed_rules(statement, "databricks")
        assert {r.name for r in c.drop_rules} <= named, c.source.table


@pytest.mark.parametrize("sector", SECTORS)
def test_spark_sql_quarantine_names_every_drop_rule_and_repeated_keys(sector: str) -> None:
    model = build_model(api.load_plan(sector, SCHEMA))
    files = api.pipeline(sector, None, schema_dir=SCHEMA, target="spark", language="sql").files
    text = files[f"transformations/streamforge_{sector.lower()}.sql"]
    for c in model.checked:
        checked = literals_of_failed_rules(
            statement_creating(text, f"{c.source.table}_checked"), "spark"
        )
        assert {r.name for r in c.drop_rules} <= checked
        quarantine = statement_creating(text, c.source.quarantine)
        assert "_failed_rules" in quarantine
        if c.unique_rule:
            assert f"'{c.unique_rule}'" in quarantine


@pytest.mark.parametrize("sector", SECTORS)
def test_a_change_feed_drops_rows_without_a_key_or_a_sequence(sector: str) -> None:
    """AUTO CDC rejects a NULL key or sequence value for the whole micro-batch."""
    plan = api.load_plan(sector, SCHEMA)
    model = build_model(plan)
    for d in model.dimensions:
        assert d.rules[0].column == d.key and d.rules[0].action == "drop"
        assert d.rules[0].condition == f"`{d.key}` IS NOT NULL"
        if d.feed is None:
            continue
        rules = {r.column: r for r in rules_for(plan.table(d.feed.table))}
        for column in (d.key, d.sequence):
            assert column is not None
            assert rules[column].action == "drop", (d.feed.table, column)
            assert rules[column].condition.startswith(f"`{column}` IS NOT NULL")


def write_sector(root: Path, expect: str) -> None:
    folder = root / "Shop"
    folder.mkdir(parents=True)
    (folder / "item.yml").write_text(
        "table: item\ntype: dimension\nnum_rows: 10\ncolumns:\n  item_id: int\n"
        "  label: {type: string, values: [A, B]}\n",
        encoding="utf-8",
    )
    (folder / "item_changes.yml").write_text(
        "table: item_changes\ntype: change_feed\nnum_rows: 5\ntracks: item\ncolumns:\n"
        "  change_id: int\n  item_id: int\n"
        '  change_type: {type: string, format: "INSERT|UPDATE|DELETE"}\n'
        f"  changed_at: {{type: datetime, expect: {expect}}}\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("expect", "action"), [("warn", "drop"), ("drop", "drop"), ("fail", "fail")]
)
def test_the_sequence_rule_is_never_weaker_than_drop(tmp_path, expect: str, action: str) -> None:
    write_sector(tmp_path, expect)
    plan = api.load_plan("Shop", tmp_path)
    (rule,) = [r for r in rules_for(plan.table("item_changes")) if r.column == "changed_at"]
    assert (rule.condition, rule.action) == ("`changed_at` IS NOT NULL", action)


def decorator_dicts(code: str, function: str, decorator: str) -> dict[str, str]:
    """The {rule: condition} a generated function's `@dp.<decorator>({...})` declares."""
    (node,) = [
        n
        for n in ast.walk(ast.parse(code))
        if isinstance(n, ast.FunctionDef) and n.name == function
    ]
    found: dict[str, str] = {}
    for d in node.decorator_list:
        if (
            isinstance(d, ast.Call)
            and isinstance(d.func, ast.Attribute)
            and d.func.attr == decorator
        ):
            found.update(ast.literal_eval(d.args[0]))
    return found


@pytest.mark.parametrize("language", ["python", "sql"])
def test_auto_cdc_reads_the_checked_snapshot(language: str) -> None:
    """Snapshot rows reach AUTO CDC only through a dataset whose expectations drop NULL keys:
    the checked silver snapshot of a dimension with a change feed, else a checked view."""
    files = api.pipeline("Energy", None, schema_dir=SCHEMA, target="databricks", language=language)
    code = files.files[
        f"transformations/streamforge_energy.{'py' if language == 'python' else 'sql'}"
    ]
    model = build_model(api.load_plan("Energy", SCHEMA))
    for d in model.dimensions:
        checked = d.snapshot.silver if d.feed else d.snapshot_view
        if language == "sql":
            spec = statement_creating(code, checked)
            rule = f"CONSTRAINT valid_{d.key} EXPECT (`{d.key}` IS NOT NULL) ON VIOLATION DROP ROW"
            assert rule in spec, d.name
            source = statement_creating(code, d.changes) if d.feed else code
            assert f"FROM STREAM({checked})" in source
        else:
            drops = decorator_dicts(code, checked, "expect_all_or_drop")
            assert drops.get(f"valid_{d.key}") == f"`{d.key}` IS NOT NULL", d.name
            if d.feed:
                assert f"spark.readStream.table('{checked}')" in code
        # only the checked dataset (and, in silver, its quarantine) reads the bronze table
        reads = code.count(f"STREAM({d.snapshot.bronze})") + code.count(
            f"readStream.table('{d.snapshot.bronze}')"
        )
        assert reads == (2 if d.feed else 1), d.name


@pytest.mark.parametrize("target", TARGETS)
def test_every_project_ships_a_data_quality_report(target: str) -> None:
    files = api.pipeline("Energy", None, schema_dir=SCHEMA, target=target).files
    report = files["reports/data_quality.sql"]
    sqlglot.parse_one(report, read="databricks" if target != "spark" else "spark")
    model = build_model(api.load_plan("Energy", SCHEMA))
    for s in rule_sources(model, unique=target == "spark", rescued=target != "spark"):
        assert f"('{s.dataset}', '{s.rule}', '{s.action}', '{s.table}'," in report
    if target == "spark":
        assert "FROM expectations" in report
    else:
        assert "details:flow_progress.data_quality.expectations" in report
        assert "('silver_meter_readings', 'no_rescued_data', 'warn'" in report
        assert "_streamforge/manifest.jsonl" in report
        bundle = files["databricks.yml"]
        if target == "databricks":  # Unity Catalog: the bundle publishes the event log
            assert "name: streamforge_energy_event_log" in bundle
            assert "main.streamforge_energy.streamforge_energy_event_log" in report
        else:  # Hive metastore: the event log lives under the pipeline's storage
            assert "/system/events`" in report


def manifest_entries(draw_counts: list[tuple[int, int, int]]) -> list[dict]:
    return [
        {
            "table": "meter_readings",
            "anomalies": {"kwh_consumed": kwh, "voltage_v": volts},
            "faults": {"duplicate": dup, "late": 3},
        }
        for kwh, volts, dup in draw_counts
    ]


COUNTS = st.lists(st.tuples(*[st.integers(0, 50)] * 3), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(COUNTS, st.data())
def test_compare_pairs_each_rule_with_what_was_injected_into_its_column(counts, data) -> None:
    model = build_model(api.load_plan("Energy", SCHEMA))
    manifest = manifest_entries(counts)
    injected = injected_counts(manifest)
    metrics = []
    for s in rule_sources(model):  # a pipeline that catches exactly what was injected
        failed = injected[(s.table, s.cause)]
        metrics.append(
            {"dataset": s.dataset, "rule": s.rule, "passed_records": 7, "failed_records": failed}
        )
    checks = compare(model, manifest, metrics)
    assert all(c.ok for c in checks)
    by_rule = {(c.dataset, c.rule): c for c in checks}
    assert by_rule[("silver_meter_readings", "valid_kwh_consumed")].injected == sum(
        c[0] for c in counts
    )
    assert by_rule[("silver_meter_readings", "valid_voltage_v")].injected == sum(
        c[1] for c in counts
    )
    assert by_rule[("silver_meter_readings", "unique_reading_id")].injected == sum(
        c[2] for c in counts
    )
    assert by_rule[("silver_outage_events", "valid_duration_min")].injected == 0
    # one rule that misses a row is reported, and only that one
    victim = data.draw(st.sampled_from(metrics))
    victim["failed_records"] += 1
    wrong = [c for c in compare(model, manifest, metrics) if not c.ok]
    assert [(c.dataset, c.rule) for c in wrong] == [(victim["dataset"], victim["rule"])]


def test_a_rule_without_metrics_is_not_run_and_not_ok() -> None:
    model = build_model(api.load_plan("Energy", SCHEMA))
    checks = compare(model, manifest_entries([(1, 2, 3)]), [])
    assert all(c.caught is None and not c.ok for c in checks)


def test_pipeline_quality_reads_the_landing_and_the_expectations_view(tmp_path) -> None:
    """`streamforge pipeline --run` compares the project's landing manifest with the
    `expectations` view a local run wrote (here written by hand, as the view's rows)."""
    landing, project = tmp_path / "landing", tmp_path / "project"
    api.generate("Energy", landing, schema_dir=SCHEMA, cycles=2, scale=0.1, start=START)
    api.pipeline("Energy", project, schema_dir=SCHEMA, target="spark", landing=str(landing))
    model = build_model(api.load_plan("Energy", SCHEMA))
    injected = injected_counts(read_manifest(landing))
    assert injected[("meter_readings", "kwh_consumed")] > 0  # the landing did inject some
    rows = [
        {
            "dataset": s.dataset,
            "rule": s.rule,
            "action": s.action,
            "passed_records": 1,
            "failed_records": injected[(s.table, s.cause)],
        }
        for s in rule_sources(model)
    ]
    rows[0]["failed_records"] += 2  # one rule that caught two rows nobody injected
    folder = table_path(project / ".spark-work", "expectations")
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-0.parquet")
    checks = api.pipeline_quality("Energy", project, schema_dir=SCHEMA)
    assert len(checks) == len(rows)
    assert [c.rule for c in checks if not c.ok] == [rows[0]["rule"]]
    kwh = next(c for c in checks if c.rule == "valid_kwh_consumed")
    assert kwh.caught == kwh.injected == injected[("meter_readings", "kwh_consumed")]


def write_metrics(project: Path, landing: Path, miss: str | None = None) -> None:
    """The `expectations` rows of a pipeline that caught what the landing injected, except
    one row less for the rule `miss`."""
    injected = injected_counts(read_manifest(landing))
    model = build_model(api.load_plan("Energy", SCHEMA))
    rows = [
        {
            "dataset": s.dataset,
            "rule": s.rule,
            "action": s.action,
            "passed_records": 10,
            "failed_records": injected[(s.table, s.cause)] - (s.rule == miss),
        }
        for s in rule_sources(model)
    ]
    folder = table_path(project / ".spark-work", "expectations")
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-0.parquet")


@pytest.mark.parametrize("miss", [None, "valid_kwh_consumed"])
def test_pipeline_run_prints_injected_vs_caught(tmp_path, monkeypatch, miss) -> None:
    from click.testing import CliRunner

    from streamforge.cli import main

    landing, project = tmp_path / "landing", tmp_path / "project"
    api.generate("Energy", landing, schema_dir=SCHEMA, cycles=2, scale=0.1, start=START)

    def run_locally(project_dir, work_dir=None):  # Spark stands aside: the view is written here
        write_metrics(Path(project_dir), landing, miss)
        return {"expectations": 1}

    monkeypatch.setattr(api, "run_pipeline_locally", run_locally)
    args = ["pipeline", "Energy", "--schema-dir", SCHEMA, "--out", project, "--target", "spark"]
    args += ["--landing", landing, "--run"]
    env = {"COLUMNS": "200", "NO_COLOR": "1"}
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert result.exit_code == 0, result.output
    assert "injected vs caught" in result.output
    rules = len(rule_sources(build_model(api.load_plan("Energy", SCHEMA))))
    if miss is None:
        assert f"all {rules} rules caught exactly what the landing injected" in result.output
    else:
        assert f"1 of {rules} rules did not catch what was injected" in result.output
        line = next(ln for ln in result.output.splitlines() if miss in ln)
        assert "MISMATCH" in line


@pytest.mark.slow
@pytest.mark.skipif(not spark_available(), reason="needs pyspark and Java")
def test_the_spark_report_runs_and_finds_the_rule_that_missed(tmp_path) -> None:
    """reports/data_quality.sql of a `spark` project, run as written by Spark SQL over the
    landing manifest and an `expectations` view: every rule 'ok' but the one that missed."""
    import os
    import sys

    from pyspark.sql import SparkSession

    landing, project = tmp_path / "landing", tmp_path / "project"
    api.generate("Energy", landing, schema_dir=SCHEMA, cycles=2, scale=0.1, start=START)
    files = api.pipeline(
        "Energy", project, schema_dir=SCHEMA, target="spark", landing=str(landing)
    ).files
    write_metrics(project, landing, miss="valid_kwh_consumed")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    try:
        metrics = table_path(project / ".spark-work", "expectations")
        spark.read.parquet(str(metrics)).createOrReplaceTempView("expectations")
        rows = spark.sql(files["reports/data_quality.sql"]).collect()
    finally:
        spark.stop()
    injected = injected_counts(read_manifest(landing))
    assert len(rows) == len(rule_sources(build_model(api.load_plan("Energy", SCHEMA))))
    verdicts = {(r["dataset"], r["rule"]): r["verdict"] for r in rows}
    assert verdicts.pop(("silver_meter_readings", "valid_kwh_consumed")) == "MISMATCH"
    assert set(verdicts.values()) == {"ok"}
    kwh = next(r for r in rows if r["rule"] == "valid_kwh_consumed")
    assert kwh["injected"] == injected[("meter_readings", "kwh_consumed")] > 0

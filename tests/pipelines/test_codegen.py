"""Generated pipelines are valid code: Python parses, every SQL query parses with sqlglot, and the
pipeline-only clauses follow the documented grammar. Energy's output is pinned by golden files."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
import sqlglot
import yaml
from tests.pipelines.registry import DIALECT, TARGET_LANGUAGES, TARGETS, languages

from streamforge import api, sectors
from streamforge.pipelines.model import build_model

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"
GOLDEN = ROOT / "tests" / "golden" / "pipelines"
SECTORS = sectors.sector_names(SCHEMA)  # every shipped sector

CONSTRAINT = re.compile(
    r"^\s*CONSTRAINT (\w+) EXPECT \((?P<cond>.+)\)"
    r"(?P<action> ON VIOLATION (DROP ROW|FAIL UPDATE))?,?$"
)
AUTO_CDC = re.compile(
    r"^(CREATE FLOW (?P<flow>\w+) AS AUTO CDC INTO (?P<target>`\w+`)"
    r"|APPLY CHANGES INTO LIVE\.(`\w+`))\s+"
    r"FROM STREAM\((?P<source>[\w.]+)\)\s+"
    r"KEYS \((?P<keys>[^)]+)\)\s+"
    r"(APPLY AS DELETE WHEN (?P<delete>.+?)\s+)?"
    r"SEQUENCE BY (?P<sequence>\S+|STRUCT\([^)]+\))\s+"
    r"COLUMNS \* EXCEPT \((?P<except>[^)]+)\)\s+"
    r"STORED AS SCD TYPE (?P<scd>[12])$",
    re.S,
)


def statements(sql: str) -> list[str]:
    """Statements of a generated SQL file (comment lines dropped)."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*\n", body) if s.strip().rstrip(";")]


# CREATE statements as the pipeline SQL references document them: a kind, a name, an optional
# table specification (one column or CONSTRAINT per line), table clauses, then the query.
CREATE = re.compile(
    r"^CREATE (?P<kind>(?:OR REFRESH )?(?:STREAMING TABLE|MATERIALIZED VIEW|LIVE TABLE)"
    r"|TEMPORARY VIEW|TEMPORARY STREAMING LIVE VIEW) `?(?P<name>\w+)`?"
    r"(?: \(\n(?P<spec>.*?)\n\))?"
    r"(?P<clauses>(?:\n(?:COMMENT '(?:[^'\\]|\\.)*'"
    r"|CLUSTER BY \([^)]*\)|TBLPROPERTIES \([^)]*\)))*)"
    r"(?:\nAS (?P<query>SELECT.*))?$",
    re.S,
)
COLUMN = re.compile(
    r"^`(?P<name>[^`]+)` (?P<type>[A-Z][A-Z0-9_<>(), ]*?)"
    r"(?: COMMENT (?P<comment>'(?:[^'\\]|\\.)*'))?$"
)
PROPERTIES = re.compile(r"^TBLPROPERTIES \(('[\w.]+' = '[^']*')(, '[\w.]+' = '[^']*')*\)$")
# read_files options the Databricks reference lists (Auto Loader's, without `cloudFiles.`)
READ_FILES_OPTIONS = {
    "format", "header", "schemaHints", "schemaEvolutionMode", "maxFilesPerTrigger",
    "maxBytesPerTrigger", "rescuedDataColumn", "escape", "quote", "multiLine", "mode",
    "encoding", "sep", "inferSchema", "schema", "primitivesAsString", "inferColumnTypes",
    "nullValue", "emptyValue",
}  # fmt: skip
SCHEMA_EVOLUTION_MODES = {"addNewColumns", "rescue", "failOnNewColumns", "none"}


def query_of(statement: str) -> str | None:
    match = re.search(r"^AS (SELECT.*)$", statement, re.M | re.S)
    return match.group(1).rstrip(";") if match else None


def check_read_files(query: str) -> None:
    """Every read_files option is a documented one, with a documented value where it matters."""
    for call in re.findall(r"read_files\((.*?)\n\)", query, re.S):
        options = dict(re.findall(r"^\s*(\w+) => (.+?),?$", call, re.M))
        assert options.keys() <= READ_FILES_OPTIONS, options.keys() - READ_FILES_OPTIONS
        if "schemaEvolutionMode" in options:
            assert options["schemaEvolutionMode"].strip("'") in SCHEMA_EVOLUTION_MODES
        if "maxFilesPerTrigger" in options:
            assert int(options["maxFilesPerTrigger"]) > 0


def check_create(statement: str, dialect: str, seen: dict[str, int]) -> None:
    """A CREATE statement follows the documented grammar, and each part of it parses."""
    match = CREATE.match(statement)
    assert match, f"malformed CREATE statement: {statement[:120]}"
    columns: list[str] = []
    constraints = 0
    for line in (match["spec"] or "").splitlines():
        item = line.strip().removesuffix(",")
        if item.startswith("CONSTRAINT"):
            found = CONSTRAINT.match(line)
            assert found, f"malformed constraint: {line}"
            sqlglot.parse_one(f"SELECT 1 FROM t WHERE {found['cond']}", read=dialect)
            constraints += 1
            continue
        column = COLUMN.match(item)
        assert column, f"malformed column definition: {line}"
        assert "VIEW" not in match["kind"] or "TEMPORARY" not in match["kind"], line
        sqlglot.parse_one(f"SELECT CAST(NULL AS {column['type']})", read=dialect)
        if column["comment"]:
            sqlglot.parse_one(f"SELECT {column['comment']}", read=dialect)
        columns.append(column["name"])
    seen["constraints"] += constraints
    query = match["query"]
    for clause in (match["clauses"] or "").strip().splitlines():
        if clause.startswith("CLUSTER BY"):
            keys = [k.strip().strip("`") for k in clause[len("CLUSTER BY (") : -1].split(",")]
            assert all(k in columns or k in (query or "") for k in keys), clause
        elif clause.startswith("TBLPROPERTIES"):
            assert PROPERTIES.match(clause), clause
    if query is None:  # an AUTO CDC target: columns at most, no expectations
        assert match["kind"] == "OR REFRESH STREAMING TABLE" and not constraints, statement[:80]
        return
    check_read_files(query)
    sqlglot.parse_one(query.rstrip(";"), read=dialect)
    seen["queries"] += 1


def check_sql(sql: str, dialect: str) -> dict[str, int]:
    """Parse every query and check every pipeline clause; return counts of what was seen."""
    seen = {"queries": 0, "constraints": 0, "cdc": 0}
    targets, flows = set(), []
    for statement in statements(sql):
        if AUTO_CDC.match(statement):
            match = AUTO_CDC.match(statement)
            assert match is not None
            if match["delete"]:
                sqlglot.parse_one(f"SELECT 1 WHERE {match['delete']}", read=dialect)
            sqlglot.parse_one(f"SELECT 1 ORDER BY {match['sequence']}", read=dialect)
            flows.append((match["target"] or match[4]).strip("`"))
            seen["cdc"] += 1
            continue
        check_create(statement, dialect, seen)
        create = CREATE.match(statement)
        if create and create["query"] is None:
            targets.add(create["name"])
    assert targets == set(flows), "every AUTO CDC target is declared once and fed by a flow"
    return seen


@pytest.mark.parametrize("sector", SECTORS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_every_generated_file_is_valid(sector: str, target: str, fmt: str) -> None:
    for language in languages(target):
        project = api.pipeline(
            sector, None, schema_dir=SCHEMA, target=target, language=language, scd=2, fmt=fmt
        )
        for name, text in project.files.items():
            if name.endswith(".py"):
                ast.parse(text, filename=name)
            elif name.startswith("reports/"):
                sqlglot.parse_one(text, read=DIALECT[target])
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
    # customer (SCD1) and customer_history (SCD2) from the change feed; equipment and plant, which
    # have none, keep one row per key when a snapshot lands again
    assert seen["cdc"] == 4
    for dimension in ("equipment", "plant"):
        flow = sql[sql.index(f"AUTO CDC INTO `{dimension}`\n") :].split(";")[0]
        assert f"FROM STREAM({dimension}_snapshot)" in flow
        assert "SEQUENCE BY STRUCT(_ingested_at, _source_file)" in flow
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
    assert "import dlt" in code and "dlt.apply_changes(" in code
    assert "from pyspark import pipelines" not in code
    assert "APPLY CHANGES INTO LIVE.`customer`" in sql["transformations/streamforge_energy.sql"]


def test_descriptions_become_comments() -> None:
    code = api.pipeline("Energy", None, schema_dir=SCHEMA).files[
        "transformations/streamforge_energy.py"
    ]
    assert "Interval readings (15 min) from customer smart meters." in code


@pytest.mark.parametrize(("target", "language"), TARGET_LANGUAGES)
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
    check_golden(files, GOLDEN / f"{target}-{language}", update_golden)


def check_golden(files: dict[str, str], folder: Path, update_golden: bool) -> None:
    """Every file equals its golden copy under `folder` (`--update-golden` rewrites them)."""
    for name, text in files.items():
        path = folder / name
        if update_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"missing golden file {path}; run pytest --update-golden"
        assert text == path.read_text(encoding="utf-8"), f"{path} differs (--update-golden)"


# Keyword arguments the pyspark.pipelines / dlt Python references document, per function
PYTHON_API = {
    "table": {"name", "comment", "spark_conf", "table_properties", "path", "partition_cols",
              "cluster_by_auto", "cluster_by", "schema", "row_filter", "private"},
    "materialized_view": {"name", "comment", "spark_conf", "table_properties", "path",
                          "partition_cols", "cluster_by_auto", "cluster_by", "schema",
                          "row_filter", "private"},
    "temporary_view": {"name", "comment", "spark_conf"},
    "view": {"name", "comment", "spark_conf"},
    "create_streaming_table": {"name", "comment", "spark_conf", "table_properties", "path",
                               "partition_cols", "cluster_by_auto", "cluster_by", "schema",
                               "expect_all", "expect_all_or_drop", "expect_all_or_fail",
                               "row_filter"},
    "create_auto_cdc_flow": {"target", "source", "keys", "sequence_by", "ignore_null_updates",
                             "apply_as_deletes", "apply_as_truncates", "column_list",
                             "except_column_list", "stored_as_scd_type",
                             "track_history_column_list", "track_history_except_column_list",
                             "name", "once"},
}  # fmt: skip
PYTHON_API["apply_changes"] = PYTHON_API["create_auto_cdc_flow"] - {"name"}
PYTHON_API["read_stream"] = PYTHON_API["read"] = set()  # legacy dlt.read_stream(name), dlt.read
AUTO_LOADER_OPTIONS = {
    "cloudFiles.format", "cloudFiles.schemaHints", "cloudFiles.schemaEvolutionMode",
    "cloudFiles.maxFilesPerTrigger", "cloudFiles.maxBytesPerTrigger", "rescuedDataColumn",
    "header", "escape", "quote", "multiLine", "mode", "encoding", "sep", "nullValue", "emptyValue",
}  # fmt: skip


def python_calls(code: str, module: str) -> list[ast.Call]:
    """Every call of `<module>.<function>(...)`, decorators included."""
    return [
        n
        for n in ast.walk(ast.parse(code))
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == module
    ]


@pytest.mark.parametrize("sector", SECTORS)
@pytest.mark.parametrize(("target", "module"), [("databricks", "dp"), ("dlt-legacy", "dlt")])
def test_databricks_python_follows_the_documented_api(sector: str, target: str, module: str):
    files = api.pipeline(sector, None, schema_dir=SCHEMA, target=target, scd=2).files
    code = files[f"transformations/streamforge_{sector.lower()}.py"]
    tree = ast.parse(code)
    constants = {
        t.id: ast.literal_eval(n.value)
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant | ast.Dict)
    }
    for call in python_calls(code, module):
        function = call.func.attr  # type: ignore[attr-defined]
        if function.startswith("expect"):
            continue
        kwargs = {k.arg: k.value for k in call.keywords}
        assert kwargs.keys() <= PYTHON_API[function], (function, kwargs.keys())
        declared: list[str] = []
        if "schema" in kwargs:
            schema = ast.literal_eval(kwargs["schema"])
            created = sqlglot.parse_one(f"CREATE TABLE t ({schema})", read="databricks")
            declared = [c.name for c in created.find_all(sqlglot.exp.ColumnDef)]
        if "cluster_by" in kwargs:
            keys = ast.literal_eval(kwargs["cluster_by"])
            assert keys and (not declared or set(keys) <= set(declared)), keys
        if "table_properties" in kwargs:
            node = kwargs["table_properties"]
            properties = constants[node.id] if isinstance(node, ast.Name) else node
            assert all(isinstance(v, str) for v in dict(properties).values())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "option":
            name = ast.literal_eval(node.args[0])
            assert name in AUTO_LOADER_OPTIONS, name
            if name == "cloudFiles.schemaEvolutionMode":
                assert ast.literal_eval(node.args[1]) in SCHEMA_EVOLUTION_MODES


@pytest.mark.parametrize("language", ["python", "sql"])
def test_production_touches(language: str) -> None:
    """Bronze survives a full refresh, ingests a backlog in bounded batches and rescues unknown
    columns (counted by a warn rule); silver facts cluster on event time and key; YAML column
    descriptions become column comments."""
    files = api.pipeline("Energy", None, schema_dir=SCHEMA, target="databricks", language=language)
    code = files.files[
        f"transformations/streamforge_energy.{'py' if language == 'python' else 'sql'}"
    ]
    # the column's description from its YAML (no quotes in it to escape)
    kwh = yaml.safe_load((SCHEMA / "Energy" / "meter_readings.yml").read_text())["columns"]
    comment = f"`kwh_consumed` DOUBLE COMMENT '{kwh['kwh_consumed']['description']}'"
    if language == "sql":
        bronze = [
            s for s in statements(code) if s.startswith("CREATE OR REFRESH STREAMING TABLE bronze_")
        ]
        assert len(bronze) == 7
        for s in bronze:
            assert "TBLPROPERTIES ('pipelines.reset.allowed' = 'false')" in s
            assert "schemaEvolutionMode => 'rescue'" in s and "maxFilesPerTrigger => 100" in s
        readings = next(s for s in statements(code) if "VIEW silver_meter_readings" in s)
        assert "CLUSTER BY (`reading_time`, `reading_id`)" in readings
        assert comment in readings
        assert readings.count("no_rescued_data") == 1
    else:
        assert code.count("table_properties=BRONZE_PROPERTIES") == 7
        assert 'BRONZE_PROPERTIES = {"pipelines.reset.allowed": "false"}' in code
        assert code.count('.option("cloudFiles.schemaEvolutionMode", "rescue")') == 7
        assert "cluster_by=['reading_time', 'reading_id']" in code
        assert comment in code
        silvers = len(build_model(api.load_plan("Energy", SCHEMA)).checked)
        assert code.count("'no_rescued_data': '_rescued_data IS NULL'") == silvers


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


@pytest.mark.parametrize(("target", "language"), TARGET_LANGUAGES)
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


@pytest.mark.parametrize(("target", "language"), TARGET_LANGUAGES)
def test_every_target_comments_the_described_columns(target: str, language: str) -> None:
    """A YAML column description becomes the column's comment in silver and in the dimensions,
    in every target (the spark target declares the schemas of its materialized views too)."""
    from streamforge.pipelines.literals import quote, sql_string

    model = build_model(api.load_plan("Energy", SCHEMA))
    files = api.pipeline("Energy", None, schema_dir=SCHEMA, target=target, language=language)
    text = "\n".join(t for n, t in files.files.items() if n.startswith("transformations/"))
    described = [(s, c) for s in model.sources for c in s.columns if c.comment]
    assert described, "Energy describes some columns"
    for source, column in described:
        ddl = f"{quote(column.name)} {column.type} COMMENT {sql_string(column.comment)}"
        # in silver if the table is checked there, in the dimension kept from its rows
        silver = any(c.source == source for c in model.checked)
        dimension = any(d.snapshot == source for d in model.dimensions)
        assert text.count(ddl) >= silver + dimension >= 1, ddl


@pytest.mark.parametrize("target", TARGETS)
def test_every_name_a_target_declares_reaches_its_code(target: str) -> None:
    """A target's `names` say what its templates call things: each text or number among them
    appears in what the target renders (over every shipped sector and language), so a name
    declared and never used, or a template that hardcodes another target's name, is seen."""
    from streamforge.pipelines.targets import get_target

    rendered = "\n".join(
        text
        for sector in SECTORS
        for language in languages(target)
        for text in api.pipeline(
            sector, None, schema_dir=SCHEMA, target=target, language=language, scd=2
        ).files.values()
    )
    declared: dict[str, list[str]] = {}  # name -> the texts of which one must appear
    tables = [t.name for t in api.load_plan(SECTORS[0], SCHEMA).tables]
    for key, value in get_target(target).names.items():
        if isinstance(value, str | int) and not isinstance(value, bool):
            declared[key] = [str(value)]
        elif callable(value) and len(inspect.signature(value).parameters) == 1:
            declared[key] = [str(value(table)) for table in tables]  # e.g. ref(<dataset>)
    assert declared  # the check reads something
    unused = {k: t[:2] for k, t in declared.items() if all(x not in rendered for x in t)}
    assert not unused, unused

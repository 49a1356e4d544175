"""Generated readers match the writers, and literals follow Spark SQL's string rules (fast checks;
test_end_to_end_formats.py runs them on Spark)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
import sqlglot
from hypothesis import given
from hypothesis import strategies as st

from streamforge import api
from streamforge.pipelines.expectations import rules_for
from streamforge.pipelines.literals import sql_string, timestamp_literal
from streamforge.pipelines.readers import CSV_OPTIONS, from_text, text_type

SECTORS = Path(__file__).parent / "sectors"
TARGETS = ["databricks", "dlt-legacy", "spark"]


def sources(target: str, language: str, fmt: str) -> str:
    files = api.pipeline(
        "Quirks", None, schema_dir=SECTORS, target=target, language=language, fmt=fmt
    ).files
    code = {name: text for name, text in files.items() if name.startswith("transformations/")}
    return "\n".join(text for name, text in code.items() if name.endswith((".py", ".sql")))


@given(st.text())
def test_sql_string_reads_back_as_written(text: str) -> None:
    literal = sql_string(text)
    assert "\n" not in literal and "\r" not in literal  # one line: CONSTRAINT lines stay whole
    parsed = sqlglot.parse_one(f"SELECT {literal}", read="spark").expressions[0]
    assert parsed.this == text


@pytest.mark.parametrize(
    ("bound", "instant"),
    [
        ("2026-01-01T08:00:00Z", datetime(2026, 1, 1, 8, tzinfo=UTC)),
        ("2026-01-01T08:00:00", datetime(2026, 1, 1, 8, tzinfo=UTC)),  # naive is UTC
        ("2026-01-01T10:00:00+02:00", datetime(2026, 1, 1, 8, tzinfo=UTC)),
        ("2026-01-01", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T08:00:00.25Z", datetime(2026, 1, 1, 8, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_timestamp_bounds_carry_their_zone(bound: str, instant: datetime) -> None:
    literal = timestamp_literal(bound)
    text = literal.removeprefix("TIMESTAMP '").removesuffix("'")
    assert text.endswith("Z")  # read as an instant, whatever the session's time zone
    assert datetime.fromisoformat(text.replace("Z", "+00:00")) == instant


def test_rule_literals_escape_backslashes_and_keep_the_zone() -> None:
    plan = api.load_plan("Quirks", SECTORS)
    rules = {r.name: r.condition for r in rules_for(plan.table("session"))}
    assert "'CORP\\\\alice'" in rules["valid_login"]  # Spark reads '\\' as one backslash
    assert "'o\\'neil'" in rules["valid_login"]
    assert "TIMESTAMP '2026-01-01 00:00:00Z'" in rules["valid_valid_until"]


def test_map_keys_come_back_from_text() -> None:
    dtype = pa.list_(pa.map_(pa.int32(), pa.map_(pa.int64(), pa.string())))
    assert text_type(dtype) == pa.list_(pa.map_(pa.string(), pa.map_(pa.string(), pa.string())))
    assert from_text(dtype, "v") == (
        "transform(v, x0 -> transform_keys(transform_values(x0, (k1, v1) -> "
        "transform_keys(v1, (k2, v2) -> CAST(k2 AS BIGINT))), (k1, v1) -> CAST(k1 AS INT)))"
    )
    assert from_text(pa.map_(pa.string(), pa.int32()), "v") is None
    assert from_text(pa.list_(pa.string()), "v") is None


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("language", ["python", "sql"])
def test_csv_is_read_as_written(target: str, language: str) -> None:
    code = sources(target, language, "csv")
    for key, value in CSV_OPTIONS.items():
        if language == "sql" and target != "spark":
            literal = value if value in ("true", "false") else sql_string(value)
            assert f"{key} => {literal}," in code
        else:
            assert f".option({key!r}, {value!r})" in code
    # Nested columns are text in a CSV cell: hinted as STRING, parsed in bronze.
    assert "ARRAY<" not in _schema_text(code) and "MAP<" not in _schema_text(code)
    assert "from_json(`labels`, 'ARRAY<STRING>')" in code
    assert "transform_keys(from_json(`counters`, 'MAP<STRING, INT>'), (k0, v0) -> " in code


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("language", ["python", "sql"])
def test_json_maps_are_read_with_text_keys(target: str, language: str) -> None:
    code = sources(target, language, "json")
    assert "`counters` MAP<STRING, INT>" in code
    assert "transform_keys(`counters`, (k0, v0) -> CAST(k0 AS INT))" in code
    assert "multiLine" not in code  # CSV options stay with CSV
    parquet = sources(target, language, "parquet")
    assert "transform_keys" not in parquet and "`counters` MAP<INT, INT>" in parquet


def _schema_text(code: str) -> str:
    """Every schema or schema hint string in generated code."""
    found = []
    for line in code.splitlines():
        line = line.strip()
        if line.startswith((".schema(", '.option("cloudFiles.schemaHints"', "schemaHints =>")):
            found.append(line)
    assert found, "no schema in the generated code"
    return "\n".join(found)


def test_generated_python_parses() -> None:
    for target in TARGETS:
        for fmt in ("json", "csv", "parquet"):
            ast.parse(sources(target, "python", fmt))

"""`dlt-legacy` speaks the legacy Delta Live Tables API only: datasets of the pipeline are read with
dlt.read / dlt.read_stream (an unqualified spark.readStream.table fails in legacy publishing mode),
materialized views are @dlt.table over a batch read (there is no dlt.materialized_view in the legacy
reference), SQL materialized views are LIVE TABLEs and reads go through LIVE."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from streamforge import api

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"
SECTORS = ["Energy", "Retail", "Healthcare", "Finance", "Manufacturing"]
# The functions of the legacy `dlt` Python reference that these pipelines need.
LEGACY_DLT = {
    "table",
    "view",
    "read",
    "read_stream",
    "expect",
    "expect_or_drop",
    "expect_or_fail",
    "expect_all",
    "expect_all_or_drop",
    "expect_all_or_fail",
    "create_streaming_table",
    "apply_changes",
}


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else "?"


def calls(code: str) -> list[str]:
    return [dotted(n.func) for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)]


def transformations(sector: str, target: str, language: str) -> str:
    files = api.pipeline(
        sector, None, schema_dir=SCHEMA, target=target, language=language, scd=2
    ).files
    return "\n".join(t for n, t in files.items() if n.startswith("transformations/"))


@pytest.mark.parametrize("sector", SECTORS)
def test_legacy_python_uses_only_the_legacy_dlt_api(sector: str) -> None:
    names = calls(transformations(sector, "dlt-legacy", "python"))
    used = {name.removeprefix("dlt.") for name in names if name.startswith("dlt.")}
    assert used <= LEGACY_DLT, used - LEGACY_DLT
    assert {"read_stream", "read", "table"} <= used
    # every dataset the pipeline defines is read through dlt, never from the catalog
    assert not [n for n in names if n in ("spark.readStream.table", "spark.read.table")]


@pytest.mark.parametrize("sector", SECTORS)
def test_current_target_keeps_the_current_api(sector: str) -> None:
    names = calls(transformations(sector, "databricks", "python"))
    assert not [n for n in names if n.startswith("dlt.")]
    assert "spark.readStream.table" in names and "dp.materialized_view" in names


@pytest.mark.parametrize("sector", SECTORS)
def test_legacy_sql_materializes_live_tables_and_reads_through_live(sector: str) -> None:
    sql = transformations(sector, "dlt-legacy", "sql")
    assert "MATERIALIZED VIEW" not in sql and "CREATE OR REFRESH LIVE TABLE" in sql
    # every FROM / JOIN / STREAM(...) of a pipeline dataset is LIVE-qualified
    names = re.findall(r"(?:FROM|JOIN)\s+(?:STREAM\()?([\w.`]+)", sql)
    datasets = [n for n in names if not n.startswith(("read_files", "STREAM"))]
    assert datasets and all(n.startswith("LIVE.") for n in datasets), datasets


@pytest.mark.parametrize("sector", SECTORS)
def test_legacy_sql_views_over_streams_are_streaming_live_views(sector: str) -> None:
    """The legacy SQL reference declares views as `CREATE TEMPORARY [STREAMING] LIVE VIEW`: a view
    whose query reads STREAM(...) is a STREAMING LIVE VIEW, one over a batch read a LIVE VIEW."""
    sql = transformations(sector, "dlt-legacy", "sql")
    views = re.findall(r"^CREATE TEMPORARY (STREAMING )?LIVE VIEW (\w+).*?;$", sql, re.M | re.S)
    assert views, "a legacy pipeline with dimensions declares views"
    for streaming, name in views:
        query = re.search(rf"LIVE VIEW {name}\b.*?;$", sql, re.M | re.S)
        assert query is not None
        assert bool(streaming) == ("STREAM(" in query.group(0)), name
    assert "CREATE TEMPORARY VIEW" not in sql  # the current syntax is not the legacy one

"""A local Spark session starts in a process whose engine threads already evaluated `expr`
columns with DuckDB (expr/duck.py closes its connections before any fork; pyspark forks to
launch its JVM through a Python preexec_fn).

The check runs in a fresh interpreter: pyspark launches its JVM once per process, so in the
suite's process an earlier Spark test would have launched it before any expression ran."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from streamforge.pipelines.local_spark import spark_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available(), reason="needs pyspark and Java"),
]

# `concat` is evaluated by DuckDB (the numpy path hands it back), on the engine's threads: the
# shipped sectors' expressions now all run on the numpy path, so they would open no connection.
ITEM = """\
table: item
type: dimension
num_rows: 150000
columns:
  item_id: int
  code: {type: string, format: "IT-####"}
  label: {type: string, expr: "concat(code, '-x')"}
"""

SCRIPT = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path

    from streamforge import api
    from streamforge.engine_spark.start import local_session
    from streamforge.expr import connections

    schema, work = Path(sys.argv[1]), Path(sys.argv[2])
    api.generate("lab", work / "landing", schema_dir=schema, fmt="parquet", cycles=0,
                 start=datetime(2026, 1, 1, tzinfo=UTC), workers=2)
    assert connections._opened.connections, "no DuckDB connection opened: proves nothing"
    spark = local_session("local[2]", work / "spark")
    print("rows", spark.range(5).selectExpr("sum(id) AS s").first()["s"])
    spark.stop()
    """
)


def test_local_spark_starts_after_expressions_ran_in_the_process(tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    (schema / "lab").mkdir(parents=True)
    (schema / "lab" / "item.yml").write_text(ITEM)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(schema), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "rows 10" in done.stdout  # 0 + 1 + 2 + 3 + 4
    assert any((tmp_path / "landing").rglob("*.parquet"))

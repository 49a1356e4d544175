"""The `spark` pipeline target reads a landing the Spark engine wrote: a folder of part files per
table and cycle, which open-source Spark's file source lists only with `recursiveFileLookup`
(Auto Loader lists recursively on its own). Bronze holds every row the manifest records, each
read from a part file inside its cycle's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamforge import api
from streamforge.pipelines.local_spark import read_table, run_pipeline, spark_available
from streamforge.readback import read_landing

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available(), reason="needs pyspark[pipelines] and Java"),
]

SCHEMA = Path(__file__).resolve().parents[2] / "schema"


def test_the_spark_target_ingests_a_spark_engine_landing(tmp_path: Path) -> None:
    from streamforge.engine_spark import generate_spark
    from streamforge.engine_spark.start import local_session

    landing, project, work = tmp_path / "landing", tmp_path / "project", tmp_path / "work"
    spark = local_session("local[2]", tmp_path / "engine")
    try:
        generate_spark(
            spark, SCHEMA, "Energy", out=str(landing), cycles=2, scale=0.3, seed=3, fmt="json"
        )
    finally:
        spark.stop()  # the pipeline runs on its own Spark Connect server
    api.pipeline("Energy", project, schema_dir=SCHEMA, target="spark", landing=str(landing))
    run_pipeline(project, work)

    plan = api.load_plan("Energy", SCHEMA)
    landed = read_landing(landing, plan)
    for table in plan.tables:
        assert all(f.path.is_dir() for f in landed[table.name])  # the Spark engine's layout
        rows = sum(f.data.num_rows for f in landed[table.name])
        bronze = read_table(work, f"bronze_{table.name}")
        assert bronze.num_rows == rows > 0, table.name
        sources = set(bronze.column("_source_file").to_pylist())
        folders = {str(f.path) for f in landed[table.name]}
        # Spark names a file `file:/...` (one slash): compare the paths.
        read = {"/" + s.split(":", 1)[1].lstrip("/").rsplit("/", 1)[0] for s in sources}
        assert read == folders, table.name
        key = table.primary_key
        if key is not None and table.kind != "change_feed":
            ours = sorted(
                str(k) for f in landed[table.name] for k in f.data.column(key).to_pylist()
            )
            theirs = sorted(str(k) for k in bronze.column(key).to_pylist())
            assert theirs == ours, table.name

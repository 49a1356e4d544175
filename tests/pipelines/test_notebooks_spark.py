"""A workshop on local Spark: the solution notebooks (Databricks source format, so plain .py and
.sql files for `spark-pipelines`) ingest exactly what the generator wrote, layer by layer, as the
plain project does; the exercise notebooks fail before any data moves, naming their placeholder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.pipelines.test_end_to_end import check_layers, generate
from tests.times import FakeClock

from streamforge import api
from streamforge.pipelines.local_spark import PipelineRunError, run_pipeline, spark_available

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available(), reason="needs pyspark[pipelines] and Java"),
]


def test_workshop_solutions_run_and_exercises_fail_clearly(tmp_path: Path) -> None:
    landing, project, work = tmp_path / "landing", tmp_path / "project", tmp_path / "work"
    generate(landing, FakeClock(), 3)
    # SQL: its bronze is a Python notebook beside the SQL one, so both notebook kinds run
    api.pipeline(
        "Energy",
        project,
        schema_dir=SCHEMA,
        target="spark",
        language="sql",
        landing=str(landing),
        scd=2,
        workshop=True,
    )
    with pytest.raises(PipelineRunError) as failure:
        run_pipeline(project, tmp_path / "dry-run", dry_run=True)
    for number in (1, 2, 3):  # each exercise named in the message, not only in a log
        assert f"TODO_exercise_{number}_" in str(failure.value), str(failure.value)

    spec_path = project / "spark-pipeline.yml"
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    spec["libraries"] = [{"glob": {"include": "solutions/**"}}]
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    run_pipeline(project, work)
    check_layers(landing, work)

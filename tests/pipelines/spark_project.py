"""What the end-to-end pipeline tests do around a generated `spark` project: read what the
generator landed, table by table, and run the project's session in a chosen time zone."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import yaml

from streamforge.plan import Plan
from streamforge.readback import read_landing


def landed_tables(landing: Path, plan: Plan) -> dict[str, pa.Table]:
    """Every table's landed files at `landing`, in cycle order, as one Arrow table each."""
    return {
        name: pa.concat_tables([f.data for f in files])
        for name, files in read_landing(landing, plan).items()
    }


def set_session_zone(project: Path, zone: str) -> None:
    """Make the project's `spark-pipeline.yml` run its Spark session in time zone `zone` (one far
    from UTC shows a timestamp read or compared in the session's zone)."""
    spec_path = project / "spark-pipeline.yml"
    spec = yaml.safe_load(spec_path.read_text())
    spec["configuration"]["spark.sql.session.timeZone"] = zone
    spec_path.write_text(yaml.safe_dump(spec))

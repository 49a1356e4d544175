"""The run's interval reaches the pipeline: the watermark follows it and keeps every row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner
from tests.times import FakeClock

from streamforge import api
from streamforge.cli import main
from streamforge.errors import StreamForgeError
from streamforge.pipelines.interval import landing_format, landing_interval, watermark_seconds
from streamforge.readback import read_landing

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"


def rows_behind_watermark(landing: Path, delay_s: int) -> int:
    """Rows a streaming de-duplication with this delay would drop, in its worst case: every
    cycle's file in a micro-batch of its own, so the watermark is the newest event time of the
    earlier cycles minus the delay (Structured Streaming drops rows behind it)."""
    plan = api.load_plan("Energy", SCHEMA)
    dropped = 0
    for table in plan.tables:
        if table.kind != "fact" or table.event_time is None:
            continue
        newest = None
        for landed in read_landing(landing, plan)[table.name]:
            micros = landed.data.column(table.event_time).cast(pa.int64()).to_numpy()
            if newest is not None:
                dropped += int(np.sum(micros < newest - delay_s * 1_000_000))
            newest = max(newest or micros.max(), micros.max())
    return dropped


@pytest.mark.parametrize("interval", [30, 120])
def test_the_watermark_keeps_every_late_row_of_the_run(tmp_path: Path, interval: int) -> None:
    landing = tmp_path / "landing"
    api.generate("Energy", landing, schema_dir=SCHEMA, cycles=5, interval=interval, scale=0.3)
    late = sum(
        f.manifest.get("faults", {}).get("late", 0)
        for files in read_landing(landing, api.load_plan("Energy", SCHEMA)).values()
        for f in files
    )
    assert late > 0  # the run has late rows to keep
    assert rows_behind_watermark(landing, watermark_seconds(interval)) == 0
    if interval > 30:  # the old fixed guess (30 s) loses rows of a slower run
        assert rows_behind_watermark(landing, watermark_seconds(30)) > 0


def test_the_interval_is_read_from_the_landing(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    api.generate("Energy", generated, schema_dir=SCHEMA, cycles=1, interval=120, scale=0.05)
    assert landing_interval(generated) == 120  # from the manifest's event-time windows

    live = tmp_path / "live"
    api.run("Energy", live, schema_dir=SCHEMA, interval=45, cycles=2, scale=0.05, clock=FakeClock())
    assert landing_interval(live) == 45  # from the checkpoint
    assert landing_interval("/Volumes/main/s/v/landing") is None
    assert landing_interval(tmp_path / "missing") is None


def silver_watermark(project) -> str:
    code = project.files["transformations/streamforge_energy.py"]
    line = next(ln for ln in code.splitlines() if 'seconds"' in ln)
    return line.split('"')[1]


def test_the_pipeline_watermark_follows_the_interval(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    api.generate("Energy", landing, schema_dir=SCHEMA, cycles=1, interval=120, scale=0.05)
    read = api.pipeline("Energy", None, schema_dir=SCHEMA, landing=str(landing))
    assert silver_watermark(read) == f"{watermark_seconds(120)} seconds"
    given = api.pipeline("Energy", None, schema_dir=SCHEMA, landing=str(landing), interval=10)
    assert silver_watermark(given) == f"{watermark_seconds(10)} seconds"
    remote = api.pipeline("Energy", None, schema_dir=SCHEMA, landing="/Volumes/m/s/v/x")
    assert silver_watermark(remote) == f"{watermark_seconds(30)} seconds"
    assert "late_meter_readings" in read.files["transformations/streamforge_energy.py"]
    with pytest.raises(StreamForgeError, match="positive"):
        api.pipeline("Energy", None, schema_dir=SCHEMA, interval=0)


def test_the_cli_takes_interval(tmp_path: Path) -> None:
    out = tmp_path / "project"
    args = ["pipeline", "Energy", "--schema-dir", str(SCHEMA), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--interval", "90"])
    assert result.exit_code == 0, result.output
    code = (out / "transformations" / "streamforge_energy.py").read_text()
    assert f'"{watermark_seconds(90)} seconds"' in code
    refused = CliRunner().invoke(main, [*args, "--interval", "-5"])
    assert refused.exit_code != 0 and "positive" in refused.output
    assert "Traceback" not in refused.output


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_format_is_read_from_a_local_landing(tmp_path: Path, fmt: str) -> None:
    # A pipeline that reads json from a csv landing finds no rows: the format, like the interval,
    # comes from the landing (generate writes a manifest only, run a checkpoint too).
    landing = tmp_path / "landing"
    api.generate("Energy", landing, schema_dir=SCHEMA, cycles=1, fmt=fmt, scale=0.05)
    assert landing_format(landing) == fmt
    assert landing_format("/Volumes/main/s/v/landing") is None
    assert landing_format(tmp_path / "missing") is None
    out = tmp_path / "project"
    args = ["pipeline", "Energy", "--schema-dir", str(SCHEMA), "--landing", str(landing)]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    code = (out / "transformations" / "streamforge_energy.py").read_text()
    assert f"FORMAT = '{fmt}'" in code
    refused = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "x"), "--format", "json"])
    assert refused.exit_code != 0 and f"--format {fmt}" in refused.output
    assert "Traceback" not in refused.output
    remote = api.pipeline("Energy", None, schema_dir=SCHEMA, landing="/Volumes/m/s/v/x")
    assert "FORMAT = 'json'" in remote.files["transformations/streamforge_energy.py"]

"""Issue 13.4 for change feeds: each INSERT/UPDATE row is the tracked dimension's row as it now
stands, so the dimension's `checks:` hold on it exactly as on a dimension row, and the unmet-check
stop applies to it (engine/feed_checks.py). Expected values come from the YAML written here: the
rule is recomputed in the test, never read from the engine."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from streamforge import api
from streamforge.cli import main
from streamforge.readback import read_landing, read_manifest

GAUGE = """\
table: gauge
type: dimension
num_rows: 5
checks:
  first_load_only: "gauge_id <= 5"
columns:
  gauge_id: int
  level: {type: int, min: 1, max: 5}
"""

FEED = """\
table: gauge_changes
type: change_feed
num_rows: 10
tracks: gauge
operations: {INSERT: 0.5, UPDATE: 0.5}
columns:
  change_id: int
  gauge_id: int
  operation: {type: string, format: "INSERT|UPDATE|DELETE"}
  change_timestamp: datetime
  level: {type: int, min: 1, max: 5}
"""


def _write(tmp_path: Path, gauge: str, feed: str = FEED) -> str:
    (tmp_path / "schema" / "Lab").mkdir(parents=True)
    (tmp_path / "schema" / "Lab" / "gauge.yml").write_text(gauge)
    (tmp_path / "schema" / "Lab" / "gauge_changes.yml").write_text(feed)
    return str(tmp_path / "schema")


def _feed_rows(schema: str, out: Path) -> list[dict]:
    files = read_landing(out, api.load_plan("Lab", schema))["gauge_changes"]
    return [r for f in files for r in f.data.to_pylist()]


def _generate(schema: str, out: Path, cycles: int):  # type: ignore[no-untyped-def]
    args = ["generate", "Lab", "--schema-dir", schema, "--out", str(out), "--cycles", str(cycles)]
    return CliRunner().invoke(main, args)


def test_an_after_image_failing_the_dimensions_check_stops_the_feed(tmp_path: Path) -> None:
    """The dimension's five rows meet `gauge_id <= 5`; the feed's INSERTs bring keys 6.. that a
    dimension row with those keys would fail: generating stops, naming the check's file:line in
    the dimension's YAML and the feed, instead of landing rows verify then rejects."""
    schema = _write(tmp_path, GAUGE)
    result = _generate(schema, tmp_path / "out", 2)
    assert result.exit_code == 2, result.output
    line = GAUGE.splitlines().index('  first_load_only: "gauge_id <= 5"') + 1
    assert f"gauge.yml:{line}" in result.output, result.output
    assert "first_load_only" in result.output and "gauge_changes" in result.output
    assert "Traceback" not in result.output


def test_a_check_every_image_meets_lets_the_feed_land_and_verify_clean(tmp_path: Path) -> None:
    """The same feed with a check the dimension's columns always meet: it lands, every feed row
    meets the rule (recomputed here from the YAML's `level` range), verify is clean."""
    schema = _write(tmp_path, GAUGE.replace('"gauge_id <= 5"', '"level BETWEEN 1 AND 5"'))
    out = tmp_path / "out"
    assert _generate(schema, out, 3).exit_code == 0
    rows = _feed_rows(schema, out)
    assert {r["operation"] for r in rows} >= {"INSERT", "UPDATE"}
    assert all(1 <= r["level"] <= 5 for r in rows)
    ver = CliRunner().invoke(main, ["verify", "Lab", "--schema-dir", schema, "--out", str(out)])
    assert ver.exit_code == 0, ver.output


def test_announced_anomalies_and_nulls_excuse_a_feed_row_and_are_counted(tmp_path: Path) -> None:
    """A row failing the check only through `level`'s anomaly_rate or null_rate was asked for,
    in the feed as in the dimension: it lands, and the feed's manifest counts the check's failures
    (rows with `level` NULL or outside 1..5, recomputed here) so verify accepts them."""
    noisy = "level: {type: int, min: 1, max: 5, null_rate: 0.2, anomaly_rate: 0.2}"
    gauge = GAUGE.replace('"gauge_id <= 5"', '"level <= 5"').replace(
        "level: {type: int, min: 1, max: 5}", noisy
    )
    schema = _write(tmp_path, gauge, FEED.replace("num_rows: 10", "num_rows: 60"))
    out = tmp_path / "out"
    result = _generate(schema, out, 4)
    assert result.exit_code == 0, result.output
    rows = _feed_rows(schema, out)
    failing = sum(r["level"] is None or r["level"] > 5 for r in rows)
    assert failing > 0, "the noisy level must make some after-images fail the check"
    counted = sum(
        e["anomalies"].get("first_load_only", 0)
        for e in read_manifest(out)
        if e["table"] == "gauge_changes"
    )
    assert counted == failing
    ver = CliRunner().invoke(main, ["verify", "Lab", "--schema-dir", schema, "--out", str(out)])
    assert ver.exit_code == 0, ver.output

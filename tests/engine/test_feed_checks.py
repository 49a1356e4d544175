"""Issue 13.4 for change feeds: each INSERT/UPDATE row is the tracked dimension's row as it now
stands, so the dimension's `checks:` hold on it exactly as on a dimension row, and the unmet-check
stop applies to it (engine/feed_checks.py). Expected values come from the YAML written here: the
rule is recomputed in the test, never read from the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _gauge_spec():  # type: ignore[no-untyped-def]
    import tempfile

    root = Path(tempfile.mkdtemp())
    schema = _write(root, GAUGE.replace('"gauge_id <= 5"', '"level <= 5"'))
    return api.load_plan("Lab", schema).table("gauge").spec


GAUGE_SPEC = _gauge_spec()
LEVEL = st.one_of(st.none(), st.integers(0, 9))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(LEVEL, LEVEL, st.booleans(), st.booleans()), min_size=1, max_size=30),
)
def test_only_an_unasked_failure_stops_and_every_failure_is_counted(rows) -> None:  # type: ignore[no-untyped-def]
    """Per row (new level, old level, INSERT?, announced anomaly?): the rule `level <= 5` from
    the YAML fails where the level is NULL or above 5; the batch stops exactly when some failing
    row is neither an announced anomaly, nor a NULL, nor an UPDATE repeating a failing old level."""
    import numpy as np
    import pyarrow as pa

    from streamforge.engine.feed_checks import judge_after_images
    from streamforge.engine.unmet_checks import UnmetCheck

    new = [r[0] for r in rows]
    old = [r[1] for r in rows]
    insert = np.array([r[2] for r in rows])
    flagged = np.array([r[3] for r in rows])
    fails = [v is None or v > 5 for v in new]
    unasked = [
        f and not (flag or v is None or (not ins and v == o and (o is None or o > 5)))
        for f, v, o, ins, flag in zip(fails, new, old, insert, flagged, strict=True)
    ]
    keys = pa.array(range(1, len(rows) + 1), pa.int64())
    columns = {"gauge_id": keys, "level": pa.array(new, pa.int64())}
    old_images = pa.table({"gauge_id": keys, "level": pa.array(old, pa.int64())})
    if any(unasked):
        with pytest.raises(UnmetCheck, match="first_load_only"):
            judge_after_images(GAUGE_SPEC, columns, old_images, insert, flagged, 1, "gauge_changes")
        return
    failing = judge_after_images(GAUGE_SPEC, columns, old_images, insert, flagged, 1, "x")
    counted = failing.get("first_load_only", np.zeros(len(rows), dtype=bool))  # none failing
    assert counted.tolist() == fails

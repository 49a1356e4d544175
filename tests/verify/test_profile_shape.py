"""verify judges `profile:` coarsely (issue 13.7): rows per hour of the day follow the hourly
weights within a bound that a correct landing leaves with probability below 1e-6; a landing too
short for the weights to show is a note, not a pass in silence."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamforge import api
from streamforge.verify import verify_landing

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
# Every other hour carries a fifth of the load: each two-hour window holds a quiet and a busy
# hour, so the shape inside the windows shows (the count per cycle is not judged).
PEAKED = [0.2, 1.0] * 12
VISITS = """\
table: visits
type: fact
num_rows: 200
profile:
  hourly: {hourly}
columns:
  visit_id: long
  visited_at: datetime
  duration_min: {{type: int, min: 1, max: 90}}
"""


def lab(root: Path, hourly: list[float]) -> Path:
    (root / "lab").mkdir(parents=True, exist_ok=True)
    (root / "lab" / "visits.yml").write_text(VISITS.format(hourly=hourly))
    return root


@pytest.fixture(scope="module")
def long_run(tmp_path_factory) -> Path:
    """Two days of two-hour cycles made with the peaked profile (issue 13.7's example)."""
    root = lab(tmp_path_factory.mktemp("peaked"), PEAKED)
    out = tmp_path_factory.mktemp("landing") / "out"
    api.generate("lab", out, schema_dir=root, cycles=24, interval=7200, start=START)
    return out


def test_a_landing_made_with_its_profile_is_clean_and_was_judged(long_run, tmp_path) -> None:
    report = verify_landing(long_run, api.load_plan("lab", lab(tmp_path, PEAKED)))
    assert report.ok, report.findings[:3]
    assert report.notes == []  # judged, not skipped


def test_a_landing_whose_load_ignores_the_clock_is_caught(tmp_path) -> None:
    """Made evenly, judged against the peaked profile: the nights hold far too many rows."""
    flat = lab(tmp_path / "flat", [1.0] * 24)
    out = tmp_path / "out"
    api.generate("lab", out, schema_dir=flat, cycles=24, interval=7200, start=START)
    report = verify_landing(out, api.load_plan("lab", lab(tmp_path / "peaked", PEAKED)))
    hours = {f.example for f in report.findings if f.kind == "profile"}
    assert hours and hours <= set(range(24))
    assert hours & set(range(0, 24, 2))  # the quiet hours overfull (and the busy ones short)


def test_a_short_landing_is_a_note_not_a_pass(tmp_path) -> None:
    root = lab(tmp_path / "schema", PEAKED)
    out = tmp_path / "out"
    api.generate("lab", out, schema_dir=root, cycles=5, start=START)
    report = verify_landing(out, api.load_plan("lab", root))
    assert report.ok
    assert len(report.notes) == 1 and "visits: profile not checkable" in report.notes[0]

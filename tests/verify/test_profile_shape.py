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


def test_a_short_landing_is_checked_for_the_hour_it_covers(tmp_path) -> None:
    """Five 30 s cycles inside 00:00-01:00: each holds 200 × 0.2 / 0.6 rows by the profile, an
    even load would hold 200, so the rows per cycle check the profile at that hour."""
    root = lab(tmp_path / "schema", PEAKED)
    out = tmp_path / "out"
    api.generate("lab", out, schema_dir=root, cycles=5, start=START)
    report = verify_landing(out, api.load_plan("lab", root))
    assert report.ok and report.notes == []
    assert report.profiled == {"visits: rows per cycle, hour 00 UTC"}


def test_a_landing_that_cannot_show_the_profile_is_a_note_not_a_pass(tmp_path) -> None:
    """Hour 00 weighs the day's mean: 30 s cycles inside it hold what an even load holds, and
    their event times are spread evenly either way."""
    root = lab(tmp_path / "schema", [1.0, 0.5, 1.5] + [1.0] * 21)
    out = tmp_path / "out"
    api.generate("lab", out, schema_dir=root, cycles=5, start=START)
    report = verify_landing(out, api.load_plan("lab", root))
    assert report.ok and not report.profiled
    assert len(report.notes) == 1 and "visits: profile not checkable" in report.notes[0]
    assert "5 cycles cover hour 00 UTC of the day" in report.notes[0]


# Energy's daily load curve: neighbouring hours weigh about the same, so inside a 2-hour window
# the event times cannot show it, but the rows per cycle do (the tryout's `--cycles 12
# --interval 7200` landing, said "not checkable" before).
CURVE = [0.55, 0.45, 0.40, 0.38, 0.38, 0.45, 0.70, 0.95, 1.00, 0.95, 0.90, 0.90]
CURVE += [0.95, 0.95, 1.00, 1.05, 1.20, 1.45, 1.65, 1.70, 1.60, 1.35, 1.05, 0.75]


def _verify_cli(schema: Path, out: Path):
    from click.testing import CliRunner

    from streamforge.cli import main

    args = ["verify", "lab", "--schema-dir", str(schema), "--out", str(out)]
    return CliRunner().invoke(main, args)


@pytest.fixture(scope="module")
def day_of_curve(tmp_path_factory) -> tuple[Path, Path]:
    root = lab(tmp_path_factory.mktemp("curve"), CURVE)
    out = tmp_path_factory.mktemp("day") / "out"
    api.generate("lab", out, schema_dir=root, cycles=12, interval=7200, start=START)
    return root, out


def test_a_day_of_two_hour_cycles_is_checked_by_its_rows_per_cycle(day_of_curve) -> None:
    root, out = day_of_curve
    result = _verify_cli(root, out)
    assert result.exit_code == 0, result.output + result.stderr
    assert "not checkable" not in result.stderr, result.stderr
    line = " ".join(result.output.split())
    assert "load follows its profile (visits: rows per cycle, all 24 hours)" in line, line


def test_a_day_landed_evenly_fails_against_the_curve(tmp_path) -> None:
    """Made without the profile, judged with it: cycles at night hold too many rows and those
    of the evening peak too few; the findings name the table, the cycle and its rows."""
    flat = lab(tmp_path / "flat", [1.0] * 24)
    out = tmp_path / "out"
    api.generate("lab", out, schema_dir=flat, cycles=12, interval=7200, start=START)
    curve = lab(tmp_path / "curve", CURVE)
    report = verify_landing(out, api.load_plan("lab", curve))
    rows = [f for f in report.findings if f.kind == "rows" and "rows were dropped" in f.message]
    # Expected by the rule: num_rows 200 × mean weight over each window / mean weight of the day;
    # an even load of 200 lies outside it wherever the window's weight is not the day's mean.
    mean = sum(CURVE) / 24
    off = [
        c for c in range(12) if abs(200 * (CURVE[2 * c] + CURVE[2 * c + 1]) / 2 / mean - 200) > 1
    ]
    assert sorted(f.cycle for f in rows) == off
    assert all(f.table == "visits" and f.message.startswith("200 rows") for f in rows)
    result = _verify_cli(curve, out)
    assert result.exit_code == 1 and "visits cycle 2: 200 rows" in " ".join(result.stderr.split())


def test_rows_dropped_at_the_evening_peak_are_caught(day_of_curve, tmp_path) -> None:
    """A pipeline that lost rows of one cycle (the manifest edited to match): its count leaves
    the profile's band for that window."""
    import json
    import shutil

    import pyarrow.json as pj

    root, good = day_of_curve
    out = tmp_path / "out"
    shutil.copytree(good, out)
    manifest = out / "_streamforge" / "manifest.jsonl"
    lines = [json.loads(x) for x in manifest.read_text().splitlines()]
    peak = next(e for e in lines if e["table"] == "visits" and e["cycle"] == 9)  # 18:00-20:00
    path = out / peak["file"]
    kept = path.read_text().splitlines(keepends=True)[: peak["rows"] * 3 // 4]
    path.write_text("".join(kept))
    assert pj.read_json(path).num_rows == len(kept)
    peak["rows"] = len(kept)
    manifest.write_text("".join(json.dumps(x) + "\n" for x in lines))
    found = [f for f in verify_landing(out, api.load_plan("lab", root)).findings]
    assert [(f.table, f.cycle, f.kind, f.count) for f in found] == [
        ("visits", 9, "rows", len(kept))
    ]

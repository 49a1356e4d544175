"""A change feed's sequence column is numbered 1, 2, 3, ... by the engine (DESIGN §5), so every
key that shapes or breaks a drawn value is refused on it with file:line and the fix, for
`sequence: true` and for an int column named `sequence_num` alike; `sequence: true` outside a
change feed is refused.
What validate accepts, the engine numbers, verify replays and the pipelines keep."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamforge import api

ITEM = """table: item
type: dimension
num_rows: 20
columns:
  item_id: int
  label: {type: string, values: [a, b, c]}
"""
FEED = """table: item_changes
type: change_feed
num_rows: 20
tracks: item
columns:
  change_id: long
  item_id: int
  change_type: {type: string, format: "INSERT|UPDATE|DELETE"}
  change_timestamp: datetime
  sequence_num:
    type: long
%s
  label: {type: string, values: [a, b, c]}
"""
SEQUENCE_LINE = 10  # the line of `sequence_num:` in FEED; its keys follow
# Each key that a drawn value has, with a value the key accepts on a long column elsewhere.
DRAWN = {
    "min": "min: 1",
    "max": "max: 300",
    "values": "values: [1, 2, 3]",
    "weights": "values: [1, 2]\n    weights: [1, 2]",
    "distribution": "distribution: normal",
    "mean": "mean: 5",
    "stddev": "stddev: 2",
    "skew": "skew: 2",
    "unique": "unique: true",
    "references": "references: item.item_id",
    "null_rate": "null_rate: 0.1",
    "anomaly_rate": "anomaly_rate: 0.1\n    min: 1",
}


def sector(tmp_path: Path, extra: str, explicit: bool = True) -> Path:
    folder = tmp_path / "S"
    folder.mkdir()
    (folder / "item.yml").write_text(ITEM, encoding="utf-8")
    keys = ("    sequence: true\n" if explicit else "") + "\n".join(
        f"    {line.strip()}" for line in extra.splitlines()
    )
    (folder / "item_changes.yml").write_text(FEED % keys.rstrip("\n"), encoding="utf-8")
    return folder


def errors(folder: Path) -> list:
    (check,) = api.validate(folder.parent, folder.name)
    return check.errors


@pytest.mark.parametrize("explicit", [True, False], ids=["sequence_true", "named_sequence_num"])
@pytest.mark.parametrize("key", sorted(DRAWN))
def test_a_drawn_key_on_a_sequence_is_refused_at_its_line(
    tmp_path: Path, key: str, explicit: bool
) -> None:
    folder = sector(tmp_path, DRAWN[key], explicit)
    found = errors(folder)
    assert len(found) == 1, found
    (issue,) = found
    text = (folder / "item_changes.yml").read_text(encoding="utf-8").splitlines()
    given = [line.split(":")[0].strip() for line in DRAWN[key].splitlines()]
    named = text[issue.line - 1].split(":")[0].strip()  # the key written on the issue's line
    assert issue.line > SEQUENCE_LINE and named in given
    assert f"so {named} does not apply" in issue.message and "sequence" in issue.message
    assert issue.hint.startswith("remove ")
    assert issue.file.endswith("item_changes.yml")


@pytest.mark.parametrize("extra", ["", "expect: fail", "description: order of the changes"])
def test_a_plain_sequence_is_valid_and_counts_from_one(tmp_path: Path, extra: str) -> None:
    folder = sector(tmp_path, extra)
    assert not errors(folder)
    out = tmp_path / "out"
    api.generate("S", out, schema_dir=tmp_path, cycles=3, fmt="parquet")
    import pyarrow.parquet as pq

    files = sorted((out / "item_changes").glob("*.parquet"))
    values = [v for f in files for v in pq.read_table(f).column("sequence_num").to_pylist()]
    assert values == list(range(1, len(values) + 1))  # strictly increasing integers from 1


@pytest.mark.parametrize("kind", ["dimension", "fact"])
def test_sequence_true_outside_a_change_feed_is_refused(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "S"
    folder.mkdir()
    rows = "num_rows: 5\n"
    (folder / "ev.yml").write_text(
        f"table: ev\ntype: {kind}\n{rows}columns:\n  ev_id: long\n"
        "  seq: {type: long, sequence: true}\n",
        encoding="utf-8",
    )
    (issue,) = errors(folder)
    assert issue.line == 6
    assert "change feeds" in issue.message and "drop `sequence: true`" in issue.hint

"""A schema that validates generates (issue 11.2, its follow-up): every case where validate said
"valid" and generate then stopped with "internal error" becomes a validate error at its line,
or is generated correctly."""

from __future__ import annotations

import contextlib
import json
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamforge import api, sectors
from streamforge.engine.unique import unique_capacity
from streamforge.errors import StreamForgeError
from streamforge.plan import plan_sector

from .conftest import errors_of
from .hostile import random_sector

DIMENSION = "table: t\ntype: dimension\nnum_rows: 20\ncolumns:\n  t_id: int\n  {column}\n"
FEED = "table: t_changes\ntype: change_feed\nnum_rows: 5\ncolumns:\n  change_id: int\n  t_id: int\n  {column}\n"  # noqa: E501


@pytest.fixture(autouse=True)
def _no_fsync(monkeypatch):
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # read back at once, never after a crash


def test_a_dimension_datetime_listed_in_its_feed_is_an_attribute_not_the_change_time(
    write_sector, tmp_path
):
    """The feed lists the dimension's `seen_at`: it is after-image, so the feed gets its own
    change_timestamp (DESIGN §5) instead of using seen_at as its ordering."""
    folder = write_sector(
        {
            "t": DIMENSION.format(column="seen_at: datetime"),
            "t_changes": FEED.format(column="seen_at: datetime"),
        }
    )
    check = sectors.check_sector(folder.parent, folder.name)
    assert check.plan is not None, check.issues
    roles = check.plan.table("t_changes").feed
    assert roles.timestamp_column == "change_timestamp"
    assert [a.name for a in roles.attributes] == ["seen_at"]
    out = tmp_path / "out"
    api.generate(folder.name, out, schema_dir=folder.parent, cycles=3)
    assert api.verify(folder.name, out, folder.parent).findings == []


def test_a_feed_column_with_another_type_than_its_dimension_is_an_error(load):
    spec, _ = load(
        {
            "t": DIMENSION.format(column="seen_on: date"),
            "t_changes": FEED.format(column="seen_on: datetime"),
        }
    )
    _, plan_issues = plan_sector(spec, unique_capacity)
    (error,) = errors_of(plan_issues)
    assert error.file.endswith("t_changes.yml") and error.line == 7
    assert "datetime here but date in dimension 't'" in error.message
    assert "t.yml:6" in error.message


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rng=st.randoms(use_true_random=False))
def test_every_schema_that_validates_generates(tmp_path_factory, rng: random.Random):
    root = tmp_path_factory.mktemp("schema")
    folder = root / "S"
    folder.mkdir()
    for name, table in random_sector(rng).items():
        (folder / f"{name}.yml").write_text(json.dumps(table))  # JSON is YAML
    if sectors.check_sector(root, "S").plan is None:
        return  # invalid: the loader fuzz checks how it is reported
    # a StreamForgeError is a message for the user (e.g. a unique space used up): allowed
    with contextlib.suppress(StreamForgeError):
        api.generate("S", root / "out", schema_dir=root, cycles=2, workers=1)


@pytest.mark.parametrize(
    ("target", "hint"),
    [("t_changes.change_id", "t.t_id"), ("o_changes.o_id", "o.o_id")],
)
def test_a_reference_to_a_change_feed_names_the_entity_it_changes(load, target, hint):
    """A feed's rows are changes, not keys: the error points at the entity, not at a 'missing
    table' whose closest match is the same name."""
    owned = "table: o_changes\ntype: change_feed\nnum_rows: 3\ncolumns:\n  change_id: int\n  o_id: int\n  v: int\n"  # noqa: E501
    fact = f"table: f\ntype: fact\nnum_rows: 5\ncolumns:\n  f_id: int\n  x: {{type: long, references: {target}}}\n"  # noqa: E501
    spec, _ = load(
        {
            "t": DIMENSION.format(column="v: int"),
            "t_changes": FEED.format(column="v: int"),
            "o_changes": owned,
            "f": fact,
        }
    )
    _, issues = plan_sector(spec, unique_capacity)
    (error,) = errors_of(issues)
    assert error.file.endswith("f.yml") and error.line == 6
    assert "references change feed" in error.message and "missing" not in error.message
    assert error.hint == f"reference the entity it changes: {hint}"

"""Every landing format reads back exactly: the `spark` pipeline over json, csv and parquet.

The Quirks test sector (tests/pipelines/sectors, not shipped) is made of what readers get wrong:
text with quotes, commas, backslashes (also at the end of a value), line breaks, non-ASCII and
empty strings; arrays; maps with int keys; rules whose literals hold backslashes and quotes; and
a timestamp bound given in UTC, checked in a session whose time zone is not UTC; and a dimension
named `class`, a Python keyword.

The truth is the generator's: the same seed and clock write the same rows in every format, so
bronze must equal the Parquet landing read with pyarrow, row for row and value for value; silver
and quarantine equal the drop rules applied to it with pyarrow; the current dimension equals the
generator's checkpointed state; gold equals the same aggregates computed with pyarrow.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from tests.times import FakeClock

from streamforge import api, checkpoint
from streamforge.engine.rules import violations
from streamforge.pipelines.expectations import rules_for
from streamforge.pipelines.local_spark import read_table, run_pipeline, spark_available
from streamforge.sinks.local import LocalLanding

from .spark_project import landed_tables, set_session_zone

SECTORS = Path(__file__).parent / "sectors"
SECTOR = "Quirks"
# Far from UTC: a timestamp bound read in the session's zone would quarantine valid rows.
SESSION_ZONE = "Pacific/Honolulu"
# Every format in Python (bronze is shared); SQL once, over the hardest format (CSV).
CASES = [("json", "python"), ("csv", "python"), ("parquet", "python"), ("csv", "sql")]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available(), reason="needs pyspark[pipelines] and Java"),
]


@pytest.fixture(scope="module")
def landings(tmp_path_factory):
    """One landing per format, written by the same seed and clock: the same rows."""
    root = tmp_path_factory.mktemp("landings")
    made = {}
    for fmt in ("parquet", "json", "csv"):
        made[fmt] = root / fmt
        api.run(
            SECTOR, made[fmt], schema_dir=SECTORS, fmt=fmt, interval=30, cycles=3, clock=FakeClock()
        )
    return made


@pytest.mark.parametrize(("fmt", "language"), CASES)
def test_every_landing_format_reads_back_exactly(landings, tmp_path, fmt, language):
    project, work = tmp_path / "project", tmp_path / "work"
    api.pipeline(
        SECTOR,
        project,
        schema_dir=SECTORS,
        target="spark",
        language=language,
        landing=str(landings[fmt]),
        scd=2,
        fmt=fmt,
    )
    set_session_zone(project, SESSION_ZONE)
    run_pipeline(project, work)

    plan = api.load_plan(SECTOR, SECTORS)
    truth = landed_tables(landings["parquet"], plan)
    for table in plan.tables:
        columns = [c.name for c in table.columns]
        assert rows(read_table(work, f"bronze_{table.name}"), columns) == rows(
            truth[table.name], columns
        ), f"bronze_{table.name} ({fmt})"
    for name in ("session", "class_changes"):
        check_silver(plan, truth[name], work, name)
    check_dimension(landings[fmt], work)
    check_gold(plan, truth["session"], work)


def canonical(value: object) -> object:
    """A value as a comparable, hashable thing: maps as sorted pairs, lists as tuples."""
    if isinstance(value, list):
        items = [canonical(v) for v in value]
        if items and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return tuple(sorted(items, key=repr))  # a map (Arrow gives its entries as pairs)
        return tuple(items)
    if isinstance(value, float):
        return Decimal(repr(value))  # exact: no tolerance hides a bad float parse
    return value


def rows(table: pa.Table, columns: list[str]) -> Counter:
    data = table.select(columns).to_pylist()
    return Counter(tuple(canonical(row[c]) for c in columns) for row in data)


def drop_failures(plan, data: pa.Table, name: str) -> np.ndarray:
    """Rows that break a drop rule of the YAML, judged by the generator's own rule kernel."""
    table = plan.table(name)
    failed = np.zeros(data.num_rows, dtype=bool)
    for rule in rules_for(table):
        if rule.action != "drop":
            continue
        col = next(c for c in table.columns if c.name == rule.column)
        values = data.column(col.name).combine_chunks()
        failed |= violations(col, values, col.null_rate == 0)
    return failed


def expected_silver(plan, data: pa.Table, name: str) -> tuple[pa.Table, int]:
    """Silver (first row of each key among the rows that pass) and the rows that failed."""
    failed = drop_failures(plan, data, name)
    passing = data.filter(pa.array(~failed))
    key = plan.table(name).primary_key
    _, first = np.unique(passing.column(key).to_numpy(), return_index=True)
    return passing.take(pa.array(np.sort(first))), int(failed.sum())


def check_silver(plan, data: pa.Table, work: Path, name: str) -> None:
    silver, failed = expected_silver(plan, data, name)
    columns = [c.name for c in plan.table(name).columns]
    assert rows(read_table(work, f"silver_{name}"), columns) == rows(silver, columns), name
    # Every row that is not in silver is in the quarantine: the failed ones and the repeats.
    quarantine = rows(read_table(work, f"quarantine_{name}"), columns)
    assert quarantine == rows(data, columns) - rows(silver, columns), name
    assert failed > 0 or name != "session", "the sector must exercise the drop rules"


def check_dimension(landing: Path, work: Path) -> None:
    state, _ = checkpoint.load(LocalLanding(landing))
    held = state.entities["class"].table
    current = read_table(work, "class")
    columns = current.column_names
    assert rows(current, columns) == rows(held, columns)
    history = read_table(work, "class_history")
    open_rows = history.filter(pc.is_null(history.column("__END_AT")))
    assert sorted(open_rows.column("class_id").to_pylist()) == sorted(
        held.column("class_id").to_pylist()
    )


def check_gold(plan, data: pa.Table, work: Path) -> None:
    silver, _ = expected_silver(plan, data, "session")
    hours = pc.floor_temporal(silver.column("started_at"), unit="hour")
    expected = (
        pa.table({"hour": hours, "amount": silver.column("amount")})
        .group_by("hour")
        .aggregate([("amount", "count"), ("amount", "sum")])
    )
    want = {r["hour"]: (r["amount_count"], r["amount_sum"]) for r in expected.to_pylist()}
    hourly = read_table(work, "gold_session_hourly")
    got = {r["hour"]: (r["events"], r["total_amount"]) for r in hourly.to_pylist()}
    assert got == want
    # Grouped by the first category of the class: its names, the hardest text of the sector.
    classes = read_table(work, "class")
    name_of = dict(
        zip(
            classes.column("class_id").to_pylist(),
            classes.column("class_name").to_pylist(),
            strict=True,
        )
    )
    by_name = read_table(work, "gold_session_by_class_name")
    counts = Counter(name_of.get(k) for k in silver.column("class_id").to_pylist())
    assert {r["class_name"]: r["events"] for r in by_name.to_pylist()} == dict(counts)

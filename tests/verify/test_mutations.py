"""verify as an oracle: a good landing corrupted one way at a time, in each format, is caught.

Each mutation must add exactly the finding its rule predicts (table, column, kind, count, example)
to whatever the untouched landing shows, and make `streamforge verify` exit 1. The untouched
landing itself must be clean; where a generator fix has not landed yet that test is an xfail.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from tests.times import at

from streamforge import api
from streamforge.cli import main
from streamforge.readback import read_landing, read_manifest
from streamforge.verify import verify_landing

# Written as text on purpose: quoted "NO" is a string under every YAML version.
EMPLOYEE = """\
table: employee
type: dimension
num_rows: 40
columns:
  employee_id: int
  manager_id: {type: int, references: employee.employee_id}
  badge: {type: string, format: "B-#####", unique: true}
  country: {type: string, values: ["NO", "FI"]}
  salary: {type: "decimal(9,2)", min: 1000, max: 99999.99}
  big: {type: long, min: 9007199254740000, max: 9007199254740992}
"""
CHANGES = """\
table: employee_changes
type: change_feed
num_rows: 12
tracks: employee
operations: {INSERT: 4, UPDATE: 6, DELETE: 2}
columns:
  change_id: long
  employee_id: int
  manager_id: {type: int, references: employee.employee_id}
  badge: {type: string, format: "B-#####", unique: true}
  country: {type: string, values: ["NO", "FI"]}
  salary: {type: "decimal(9,2)", min: 1000, max: 99999.99}
  big: {type: long, min: 9007199254740000, max: 9007199254740992}
  change_type: {type: string, format: "INSERT|UPDATE|DELETE"}
  change_timestamp: datetime
  sequence_num: long
"""
SHIFT = """\
table: shift
type: fact
num_rows: 60
columns:
  shift_id: long
  employee_id: int
  started_at: datetime
  code: {type: long, unique: true, min: 1, max: 9000000000000000000}
  tags: {type: map, keys: string, values: {type: array, items: {type: int, min: 1, max: 99}}}
  hours: {type: "decimal(4,1)", min: 0, max: 12}
"""
CYCLES = 3
FORMATS = ["json", "parquet", "csv"]


@pytest.fixture(scope="module")
def schema_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("schema")
    folder = root / "lab"
    folder.mkdir()
    for name, text in (("employee", EMPLOYEE), ("employee_changes", CHANGES), ("shift", SHIFT)):
        (folder / f"{name}.yml").write_text(text)
    return root


@pytest.fixture(scope="module", params=FORMATS)
def good(request, schema_dir, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp(f"good-{request.param}") / "landing"
    api.generate(
        "lab",
        out,
        schema_dir=schema_dir,
        fmt=request.param,
        cycles=CYCLES,
        seed=3,
        start=at("2026-01-01T00:00:00Z"),
    )
    return out, request.param


@pytest.fixture
def landing(good, tmp_path, schema_dir):
    out, fmt = good
    copy = tmp_path / "landing"
    shutil.copytree(out, copy)
    return copy, fmt, api.load_plan("lab", schema_dir)


def tally(root: Path, plan) -> Counter:
    """(table, cycle, column, kind) -> rows counted, over every finding."""
    counts: Counter = Counter()
    for f in verify_landing(root, plan).findings:
        counts[(f.table, f.cycle, f.column, f.kind)] += max(f.count, 1)
    return counts


def findings_of(root: Path, plan, table: str, cycle: int, column: str, kind: str) -> list:
    return [
        f
        for f in verify_landing(root, plan).findings
        if (f.table, f.cycle, f.column, f.kind) == (table, cycle, column, kind)
    ]


def data(root: Path, plan, table: str, cycle: int) -> list[dict]:
    files = read_landing(root, plan)[table]
    return next(f.data for f in files if f.cycle == cycle).to_pylist()


def set_value(root: Path, table: str, cycle: int, row: int, column: str, value, dtype=None):
    """Change one cell of one landed file in place, in its own format; other cells untouched."""
    entry = next(e for e in read_manifest(root) if e["table"] == table and e["cycle"] == cycle)
    path = root / entry["file"]
    if path.suffix == ".json":
        lines = path.read_text().splitlines(keepends=True)
        record = json.loads(lines[row])
        record[column] = value
        lines[row] = json.dumps(record, separators=(",", ":"), default=str) + "\n"
        path.write_text("".join(lines))
    elif path.suffix == ".parquet":
        written = pq.read_table(path)
        index = written.schema.get_field_index(column)
        cells = written.column(column).to_pylist()
        cells[row] = value
        field = written.schema.field(index)
        field = field.with_type(dtype) if dtype is not None else field
        written = written.set_column(index, field, pa.array(cells, field.type))
        pq.write_table(written, path)
    else:
        lines = path.read_text().splitlines(keepends=True)
        header = next(csv.reader([lines[0]]))
        tokens = _csv_tokens(lines[row + 1].rstrip("\n"))
        tokens[header.index(column)] = (
            f'"{value}"' if isinstance(value, str) else "" if value is None else str(value)
        )
        lines[row + 1] = ",".join(tokens) + "\n"
        path.write_text("".join(lines))


def _csv_tokens(line: str) -> list[str]:
    """The raw fields of one CSV line, quotes kept (so an unquoted empty stays a null)."""
    tokens, current, quoted = [], io.StringIO(), False
    for char in line:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            tokens.append(current.getvalue())
            current = io.StringIO()
            continue
        current.write(char)
    tokens.append(current.getvalue())
    return tokens


def run_cli(root: Path, schema_dir: Path):
    return CliRunner().invoke(
        main, ["verify", "lab", "--schema-dir", str(schema_dir), "--out", str(root)]
    )


def caught(root, plan, schema_dir, before, table, cycle, column, kind, count, example=None):
    """The corruption added exactly `count` rows of (table, cycle, column, kind), and the CLI
    shows the finding and exits 1."""
    after = tally(root, plan)
    key = (table, cycle, column, kind)
    assert after[key] - before[key] == count, (key, before[key], after[key])
    found = findings_of(root, plan, table, cycle, column, kind)
    if before[key] == 0 and example is not None:
        assert [f.example for f in found] == [example], found
    result = run_cli(root, schema_dir)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output + result.stderr
    shown = " ".join(result.stderr.split())
    assert any(" ".join(str(f).split()) in shown for f in found), shown


def test_the_untouched_landing_is_clean(landing, schema_dir) -> None:
    root, _, plan = landing
    report = verify_landing(root, plan)
    assert report.findings == [], "\n".join(map(str, report.findings))
    assert report.rows == {"employee": 40, "employee_changes": 12 * CYCLES, "shift": 60 * CYCLES}


def test_a_repeated_unique_value_in_a_dimension(landing, schema_dir) -> None:
    root, _, plan = landing
    before = tally(root, plan)
    badge = data(root, plan, "employee", 0)[0]["badge"]
    set_value(root, "employee", 0, 7, "badge", badge)
    caught(root, plan, schema_dir, before, "employee", 0, "badge", "unique", 1, badge)


def test_a_unique_fact_value_repeated_in_a_later_cycle(landing, schema_dir) -> None:
    root, _, plan = landing
    before = tally(root, plan)
    code = data(root, plan, "shift", 0)[3]["code"]
    set_value(root, "shift", 2, 5, "code", code)
    caught(root, plan, schema_dir, before, "shift", 2, "code", "unique", 1, code)


def test_a_change_feed_insert_repeating_a_unique_value(landing, schema_dir) -> None:
    root, _, plan = landing
    before = tally(root, plan)
    rows = data(root, plan, "employee_changes", 1)
    index = next(i for i, r in enumerate(rows) if r["change_type"] == "INSERT")
    badge = data(root, plan, "employee", 0)[2]["badge"]
    set_value(root, "employee_changes", 1, index, "badge", badge)
    caught(root, plan, schema_dir, before, "employee_changes", 1, "badge", "unique", 1, badge)


def test_a_long_one_above_max_as_after_float_rounding(landing, schema_dir) -> None:
    """2^53 + 1 and 2^53 are the same float64: only an exact comparison sees the difference."""
    root, _, plan = landing
    before = tally(root, plan)
    assert float(2**53 + 1) == float(2**53)
    set_value(root, "employee", 0, 4, "big", 2**53 + 1)
    caught(root, plan, schema_dir, before, "employee", 0, "big", "value", 1, 2**53 + 1)


def test_a_decimal_out_of_range(landing, schema_dir) -> None:
    root, fmt, plan = landing
    before = tally(root, plan)
    value = "100000.00"
    from decimal import Decimal

    cell = float(value) if fmt == "json" else Decimal(value) if fmt == "parquet" else 100000.00
    if fmt == "csv":
        cell = value  # written unquoted below
    set_value(root, "employee", 0, 6, "salary", cell)
    if fmt == "csv":  # a number, not a quoted string
        path = next((root / "employee").glob("*.csv"))
        path.write_text(path.read_text().replace('"100000.00"', "100000.00"))
    caught(root, plan, schema_dir, before, "employee", 0, "salary", "value", 1, Decimal(value))


def test_a_decimal_with_too_many_places(landing, schema_dir) -> None:
    """1.234 is no decimal(9,2): a reader that rounds would hide it."""
    root, fmt, plan = landing
    before = tally(root, plan)
    from decimal import Decimal

    if fmt == "parquet":
        set_value(root, "employee", 0, 6, "salary", Decimal("1.234"), pa.decimal128(12, 3))
    elif fmt == "json":
        path = next((root / "employee").glob("*.json"))
        lines = path.read_text().splitlines(keepends=True)
        record = json.loads(lines[6])
        lines[6] = (
            json.dumps(record, separators=(",", ":")).replace(
                f'"salary":{record["salary"]}', '"salary":1.234'
            )
            + "\n"
        )
        assert '"salary":1.234' in lines[6]
        path.write_text("".join(lines))
    else:
        path = next((root / "employee").glob("*.csv"))
        lines = path.read_text().splitlines(keepends=True)
        tokens = _csv_tokens(lines[7].rstrip("\n"))
        tokens[4] = "1.234"
        lines[7] = ",".join(tokens) + "\n"
        path.write_text("".join(lines))
    after = tally(root, plan)
    key = ("employee", 0, "salary", "type")
    assert after[key] - before[key] == 1, after
    assert run_cli(root, schema_dir).exit_code == 1


def test_a_fact_before_its_keys_insert(landing, schema_dir) -> None:
    root, _, plan = landing
    before = tally(root, plan)
    inserts = [r for r in data(root, plan, "employee_changes", 1) if r["change_type"] == "INSERT"]
    key, inserted = inserts[-1]["employee_id"], inserts[-1]["change_timestamp"]
    facts = data(root, plan, "shift", 1)
    index = next(
        i for i, r in enumerate(facts) if r["started_at"] < inserted and r["employee_id"] != key
    )
    set_value(root, "shift", 1, index, "employee_id", key)
    caught(root, plan, schema_dir, before, "shift", 1, "employee_id", "before_insert", 1, key)


def test_a_fact_after_its_keys_delete(landing, schema_dir) -> None:
    root, _, plan = landing
    before = tally(root, plan)
    deleted = next(
        r["employee_id"]
        for r in data(root, plan, "employee_changes", 0)
        if r["change_type"] == "DELETE"
    )
    set_value(root, "shift", 2, 0, "employee_id", deleted)
    caught(root, plan, schema_dir, before, "shift", 2, "employee_id", "after_delete", 1, deleted)


def test_a_loop_in_the_snapshot_hierarchy(landing, schema_dir) -> None:
    root, _, plan = landing
    before = tally(root, plan)
    rows = data(root, plan, "employee", 0)
    child = next(r for r in rows if r["manager_id"] is not None)
    manager = child["manager_id"]
    set_value(root, "employee", 0, manager - 1, "manager_id", child["employee_id"])
    after = tally(root, plan)
    key = ("employee", 0, "manager_id", "loop")
    assert before[key] == 0 and after[key] >= 2
    (loop,) = findings_of(root, plan, "employee", 0, "manager_id", "loop")
    assert set(loop.example) == {child["employee_id"], manager}
    assert run_cli(root, schema_dir).exit_code == 1


def test_a_loop_made_by_a_change_feed_update(landing, schema_dir) -> None:
    root, _, plan = landing
    before = tally(root, plan)
    rows = data(root, plan, "employee_changes", 1)
    index = next(i for i, r in enumerate(rows) if r["change_type"] == "UPDATE")
    key = rows[index]["employee_id"]
    set_value(root, "employee_changes", 1, index, "manager_id", key)  # manages itself
    after = tally(root, plan)
    loop_key = ("employee_changes", 1, "manager_id", "loop")
    assert after[loop_key] - before[loop_key] >= 1
    (loop,) = findings_of(root, plan, "employee_changes", 1, "manager_id", "loop")
    assert loop.example == (key,)
    assert run_cli(root, schema_dir).exit_code == 1


def test_a_change_row_for_a_key_that_does_not_exist_yet(landing, schema_dir) -> None:
    root, _, plan = landing
    before = tally(root, plan)
    later = next(
        r["employee_id"]
        for r in data(root, plan, "employee_changes", 2)
        if r["change_type"] == "INSERT"
    )
    rows = data(root, plan, "employee_changes", 0)
    index = next(i for i, r in enumerate(rows) if r["change_type"] == "UPDATE")
    set_value(root, "employee_changes", 0, index, "employee_id", later)
    caught(root, plan, schema_dir, before, "employee_changes", 0, "employee_id", "change", 1, later)


def test_a_string_holding_false_where_the_yaml_says_no(landing, schema_dir) -> None:
    root, _, plan = landing
    before = tally(root, plan)
    index = next(i for i, r in enumerate(data(root, plan, "employee", 0)) if r["country"] == "NO")
    set_value(root, "employee", 0, index, "country", "False")
    caught(root, plan, schema_dir, before, "employee", 0, "country", "value", 1, "False")


def test_a_json_boolean_in_a_string_column(landing, schema_dir) -> None:
    root, fmt, plan = landing
    if fmt != "json":
        pytest.skip("only JSON can hold a boolean where a string belongs")
    before = tally(root, plan)
    set_value(root, "employee", 0, 3, "country", False)
    after = tally(root, plan)
    key = ("employee", 0, "country", "type")
    assert after[key] - before[key] == 1
    (found,) = findings_of(root, plan, "employee", 0, "country", "type")
    assert found.example is False
    assert run_cli(root, schema_dir).exit_code == 1


def test_a_nested_map_value_out_of_range(landing, schema_dir) -> None:
    """Maps holding arrays are read in every format (JSON maps were skipped before)."""
    root, fmt, plan = landing
    before = tally(root, plan)
    tags = data(root, plan, "shift", 1)[2]["tags"]
    changed = {k: v for k, v in (tags.items() if isinstance(tags, dict) else tags)}
    first = next(iter(changed))
    changed[first] = [*changed[first], 100]
    if fmt == "parquet":
        value = list(changed.items())
    elif fmt == "csv":
        value = None
    else:
        value = changed
    if fmt == "csv":
        path = next(p for p in (root / "shift").glob("*c000001*.csv"))
        lines = path.read_text().splitlines(keepends=True)
        header = next(csv.reader([lines[0]]))
        tokens = _csv_tokens(lines[3].rstrip("\n"))
        text = json.dumps(changed, separators=(",", ":"))
        tokens[header.index("tags")] = '"' + text.replace('"', '""') + '"'
        lines[3] = ",".join(tokens) + "\n"
        path.write_text("".join(lines))
    else:
        set_value(root, "shift", 1, 2, "tags", value)
    caught(root, plan, schema_dir, before, "shift", 1, "tags", "value", 1)


def test_a_delete_that_orphans_a_child_in_the_hierarchy(landing, schema_dir) -> None:
    """Referenced keys are not deleted (issue 9.5): a DELETE of a manager with reports is caught."""
    root, _, plan = landing
    before = tally(root, plan)
    touched = {
        r["employee_id"] for c in range(CYCLES) for r in data(root, plan, "employee_changes", c)
    }
    snapshot = data(root, plan, "employee", 0)
    child = next(
        r
        for r in snapshot
        if r["manager_id"] is not None
        and r["employee_id"] not in touched
        and r["manager_id"] not in touched
    )
    manager = child["manager_id"]
    rows = data(root, plan, "employee_changes", 1)
    index = next(i for i, r in enumerate(rows) if r["change_type"] == "DELETE")
    set_value(root, "employee_changes", 1, index, "employee_id", manager)
    key = ("employee_changes", 1, "manager_id", "orphan")
    reports = sum(
        1 for r in snapshot if r["manager_id"] == manager and r["employee_id"] not in touched
    )
    assert tally(root, plan)[key] - before[key] >= reports >= 1
    (found,) = findings_of(root, plan, *key)
    assert found.example[1] == manager
    assert run_cli(root, schema_dir).exit_code == 1

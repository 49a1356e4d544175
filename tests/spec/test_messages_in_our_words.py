"""House rule: bad input gets a clear message with file, line and fix, in our words.

A valid sector that uses every key of the schema language (README, DESIGN §3) is mutated one key
at a time: a value of every wrong kind, an unknown key, an expression with a typo. Whatever the
mutation, `validate` must not crash, every error must name its file and line, and no message may
pass on a library's phrasing (pydantic's "Input should be ...", sqlglot's "Required keyword: ...
missing for <class ...>", DuckDB's "No function matches ...", Python reprs of lists).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from streamforge.errors import Issue
from streamforge.sectors import SectorCheck, _check

STORE = {
    "table": "store",
    "type": "dimension",
    "num_rows": 50,
    "description": "Stores",
    "primary_key": "store_id",
    "locale": "en_US",
    "columns": {
        "store_id": "int",
        "store_name": {"type": "string", "format": "S-####"},
        "region": {"type": "string", "values": ["north", "south"], "weights": [0.6, 0.4]},
        "opened": {"type": "date", "min": "2020-01-01", "max": "2024-01-01"},
        "size_m2": {
            "type": "double",
            "min": 10,
            "max": 900,
            "distribution": "normal",
            "mean": 300,
            "stddev": 50,
            "decimals": 1,
        },
        "tags": {"type": "array", "items": "string", "min_items": 1, "max_items": 3},
        "attrs": {"type": "map", "keys": "string", "values": "int"},
        "email": {"type": "string", "faker": "email", "null_rate": 0.1, "description": "x"},
        "credit": {"type": "decimal(10,2)", "min": 0, "max": 100},
    },
}
STORE_CHANGES = {
    "table": "store_changes",
    "type": "change_feed",
    "num_rows": 5,
    "tracks": "store",
    "operations": {"INSERT": 0.2, "UPDATE": 0.7, "DELETE": 0.1},
    "columns": {
        "store_id": "int",
        "region": {"type": "string", "values": ["north", "south"]},
        "seq": {"type": "long", "sequence": True},
    },
}
SALES = {
    "table": "sales",
    "type": "fact",
    "num_rows": 100,
    "late_rate": 0.01,
    "duplicate_rate": 0.01,
    "out_of_order_rate": 0.01,
    "expect": "warn",
    "profile": {
        "hourly": [1] * 6 + [2, 3] + [4] * 10 + [3, 3, 2, 2, 1, 1],
        "weekday": [1, 1, 1, 1, 1, 2, 2],
        "bursts": {"probability": 0.1, "multiplier": 3},
        "trend": 0.01,
    },
    "columns": {
        "sale_id": "long",
        "store_id": "int",
        "sold_at": "datetime",
        "qty": {"type": "int", "min": 1, "max": 10, "anomaly_rate": 0.01, "expect": "drop"},
        "price": {"type": "decimal(10,2)", "min": 1, "max": 100},
        "rate": {"type": "double", "min": 0.8, "max": 1.6, "hidden": True},
        "total": {"type": "decimal(12,2)", "expr": "round(qty * price * rate, 2)"},
        "region": {"type": "string", "expr": "store_id.region"},
        "who": {"type": "int", "references": "store.store_id"},
        "pick": {"type": "int", "distribution": "zipf", "skew": 2, "min": 1, "max": 10},
        "balance": {
            "type": "decimal(12,2)",
            "running": {"sum": "price", "by": "store_id", "start": "store.credit"},
        },
    },
    "checks": {
        "positive": "total >= 0",
        "rich": {
            "rule": "qty > 0",
            "anomaly_rate": 0.01,
            "column": "qty",
            "expect": "fail",
            "description": "x",
        },
    },
}
SECTOR = {"store.yml": STORE, "store_changes.yml": STORE_CHANGES, "sales.yml": SALES}

# Text, a negative, a list of one (counts of 1: "has 1 entry"), a mixed list, a mapping, a
# boolean, a date, and nothing.
WRONG: tuple[Any, ...] = ("text", -1, [1], [1, "x"], {"a": 1}, True, date(2020, 2, 1), None)
BAD_EXPRESSIONS = (
    "qty * pricee",  # a typo in a column name
    "qty *",  # an operand missing
    "round(qty",  # a parenthesis not closed
    "foo(qty)",  # no such function
    ")",
    "1 +* 2",
    "CASE WHEN qty > 1 THEN 1",
    "CASE qty END",
    "qty BETWEEN 1",
    "if(qty)",
    "date_add(sold_at)",
    "cast(qty as nosuchtype)",
    "'not closed",
    "x'zz'",
    "qty qty",
    "qty + 'a'",
    "upper(qty)",
    "store_id.regio",
    "select 1",
    "sum(qty)",
    "rand()",
)
# A library's phrasing, and Python's: none of it may reach a user.
FOREIGN = re.compile(
    r"Input should|Extra inputs|Field required|validation error|Value error|Required keyword|"
    r"missing for <class|Invalid expression|Unexpected token|Expecting |Error tokenizing|"
    r"No function matches|Could not choose|explicit type casts|Binder Error|Parser Error|"
    r"syntax error at or near|pydantic|sqlglot|duckdb|\['|\{'|\bNone\b|\bTrue\b|\bFalse\b|"
    r"Decimal\(|datetime\.|date\(|<class|object at 0x"
)
# "1 rows", "1 values": a count of one with a plural noun (a slip of f"{n} rows").
ONE_PLURAL = re.compile(r"(?<![\w.,+-])1 ([a-z]+s)\b")
NOT_PLURAL = {"is", "was", "has", "does", "as", "plus", "minus", "this", "thus"}

# (file, column, key or None): the column, and the key of it, that a mutation changed
Owner = tuple[str, str, "str | None"]
Mutation = tuple[str, dict[str, dict[str, Any]], "Owner | None"]


def _mutations() -> Iterator[Mutation]:
    """(label, sector, (file, column) when the mutated key belongs to a column, else None)."""
    for file, table in SECTOR.items():
        for key in table:
            if key != "columns":
                for wrong in WRONG:
                    yield f"{file} {key}={wrong!r}", _with(file, (key,), wrong), None
        yield f"{file} unknown table key", _with(file, ("colour",), 1), None
        for name, column in table["columns"].items():
            owner: Owner = (file, name, None)
            for wrong in WRONG:
                label = f"{file} column {name}={wrong!r}"
                yield label, _with(file, ("columns", name), wrong), owner
            given = column if isinstance(column, dict) else {"type": column}
            for key in given:
                for wrong in WRONG:
                    label = f"{file} {name}.{key}={wrong!r}"
                    mutated = _with(file, ("columns", name), {**given, key: wrong})
                    yield label, mutated, (file, name, key)
            colour = {**given, "colour": 1}
            colour_owner = (file, name, "colour")
            yield f"{file} {name}.colour", _with(file, ("columns", name), colour), colour_owner
    for nested in (("profile",), ("profile", "bursts"), ("checks", "rich")):
        keys = _at(SALES, nested)
        for key in [*keys, "colour"]:
            for wrong in WRONG:
                label = f"{'.'.join(nested)}.{key}={wrong!r}"
                yield label, _with("sales.yml", (*nested, key), wrong), None
    running = ("columns", "balance", "running")
    for key in [*_at(SALES, running), "colour"]:
        for wrong in (*WRONG, "pricee", "store_idd", "stor.credit", "store.credt"):
            label = f"balance.running.{key}={wrong!r}"
            owner = ("sales.yml", "balance", key)
            yield label, _with("sales.yml", (*running, key), wrong), owner
    for operation in ("INSERT", "UPSERT"):
        for wrong in WRONG:
            path = ("operations", operation)
            yield f"operations.{operation}={wrong!r}", _with("store_changes.yml", path, wrong), None
    for text in BAD_EXPRESSIONS:
        total: Owner = ("sales.yml", "total", "expr")
        yield f"expr {text}", _with("sales.yml", ("columns", "total", "expr"), text), total
        yield f"check {text}", _with("sales.yml", ("checks", "positive"), text), None
        yield f"rich check {text}", _with("sales.yml", ("checks", "rich", "rule"), text), None


def _at(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _with(file: str, path: tuple[str, ...], value: Any) -> dict[str, dict[str, Any]]:
    sector = copy.deepcopy(SECTOR)
    _at(sector[file], path[:-1])[path[-1]] = value
    return sector


def _validate(folder: Path, sector: dict[str, dict[str, Any]]) -> SectorCheck:
    folder.mkdir()
    for file, table in sector.items():
        (folder / file).write_text(yaml.safe_dump(table, sort_keys=False), encoding="utf-8")
    return _check(folder)


def test_the_unmutated_sector_is_valid(tmp_path: Path) -> None:
    check = _validate(tmp_path / "Shop", SECTOR)
    assert not check.errors, [str(i) for i in check.errors]


def test_no_mutation_passes_a_library_phrase_or_loses_its_line(tmp_path: Path) -> None:
    """Table-driven over every key (one run, not one test each: ~1,100 small sectors)."""
    bad: list[str] = []
    checked = 0
    for n, (label, sector, owner) in enumerate(_mutations()):
        try:
            check = _validate(tmp_path / f"s{n}", sector)
        except Exception as exc:  # a crash is the worst message of all
            bad.append(f"{label}: raised {type(exc).__name__}: {exc}")
            continue
        checked += 1
        for issue in check.issues:
            bad += [f"{label}: {slip}: {issue}" for slip in message_slips(issue, owner)]
    assert checked > 700
    assert not bad, "\n".join(bad)


def message_slips(issue: Issue, owner: Owner | None) -> list[str]:
    """What is wrong with one message by the house rule: a library's or Python's phrasing, an
    English plural after 1, an error without file:line, or (when the mutated key belongs to a
    column) an error at that column's line that does not name the column."""
    text = f"{issue.message}; {issue.hint or ''}"
    slips = []
    if FOREIGN.search(text):
        slips.append("foreign phrasing")
    plural = [m for m in ONE_PLURAL.findall(text) if m not in NOT_PLURAL and not m.endswith("ss")]
    if plural:
        slips.append(f"'1 {plural[0]}'")
    if issue.severity != "error":
        return slips
    if issue.line < 1 or not issue.file.endswith(".yml"):
        slips.append("no file:line")
    elif owner is not None and issue.file.endswith(owner[0]):
        _, column, key = owner
        if issue.line in _lines_of(issue.file, column):
            if f"'{column}'" not in text:
                slips.append(f"column '{column}' not named")
            at_key = key is not None and issue.line == _line_of_key(issue.file, column, key)
            if at_key and not re.search(rf"\b{key}\b", text, re.IGNORECASE):
                slips.append(f"key '{key}' not named")
    return slips


def _line_of_key(file: str, column: str, key: str) -> int | None:
    """The line of `key:` inside one column's entry (block layout), or None."""
    lines = Path(file).read_text(encoding="utf-8").splitlines()
    for n in _lines_of(file, column):
        if lines[n - 1].lstrip().startswith(f"{key}:"):
            return n
    return None


def _lines_of(file: str, column: str) -> range:
    """The lines of one column's entry in a table file (yaml.safe_dump's block layout)."""
    lines = Path(file).read_text(encoding="utf-8").splitlines()
    start = next((i for i, x in enumerate(lines) if x.startswith(f"  {column}:")), None)
    if start is None:
        return range(0)
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i].startswith("    ")), len(lines)
    )
    return range(start + 1, end + 1)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("num_rows",), "many", "num_rows must be a whole number, not 'many'"),
        (("late_rate",), "often", "late_rate must be a number, not 'often'"),
        (("late_rate",), 2, "late_rate must be below 1, not 2"),
        (("profile", "hourly"), 5, "profile.hourly must be a list"),
        (("profile", "bursts", "probability"), 1.5, "profile.bursts.probability must be at most 1"),
        (("checks", "rich", "expect"), "boom", "checks.rich.expect: 'boom' is not an allowed"),
        (("columns", "rate", "hidden"), "yes", "column 'rate': hidden must be true or false"),
        (("columns", "qty", "min"), [1], "column 'qty': min must be a number, a date-time, a date"),
        (("columns", "qty", "null_rate"), 3, "column 'qty': null_rate must be at most 1, not 3"),
    ],
)
def test_a_value_of_the_wrong_kind_names_the_key_and_the_kind_it_takes(
    tmp_path: Path, path: tuple[str, ...], value: Any, expected: str
) -> None:
    check = _validate(tmp_path / "Shop", _with("sales.yml", path, value))
    messages = [str(i) for i in check.errors]
    assert any(expected in m and "sales.yml:" in m for m in messages), messages


def test_the_slip_finder_finds_each_kind_of_slip(tmp_path: Path) -> None:
    """The mutation test above is worth something only if `message_slips` can fail."""
    file = tmp_path / "sales.yml"
    file.write_text(yaml.safe_dump(SALES, sort_keys=False), encoding="utf-8")
    qty_line = file.read_text().splitlines().index("  qty:") + 1
    where, owner = str(file), ("sales.yml", "qty", "min")

    def slips(message: str, line: int = qty_line) -> list[str]:
        return message_slips(Issue(where, line, message, None), owner)

    assert slips("column 'qty': min must be a number, not 'x'") == []
    assert slips("min must be a number, not 'x'") == ["column 'qty' not named"]
    assert slips("min must be a number, not 'x'", line=1) == []  # not the column's line
    min_line = qty_line + 2  # type, then min
    assert slips("column 'qty': must be a number, not 'x'", line=min_line) == [
        "key 'min' not named"
    ]
    assert slips("column 'qty': Min must be a number", line=min_line) == []
    assert slips("column 'qty': weights has 1 entries") == ["'1 entries'"]
    assert slips("column 'qty': weights has 1 entry, 11 values") == []
    assert slips("column 'qty': min Decimal('1.5') is above") == ["foreign phrasing"]
    assert slips("column 'qty': unique is True") == ["foreign phrasing"]
    assert message_slips(Issue("sales.yml", 0, "x"), None) == ["no file:line"]

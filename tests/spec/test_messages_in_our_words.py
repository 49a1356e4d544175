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
from pathlib import Path
from typing import Any

import pytest
import yaml

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

WRONG: tuple[Any, ...] = ("text", -1, [1, "x"], {"a": 1}, None)
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
    r"syntax error at or near|pydantic|sqlglot|duckdb|\['|\{'|\bNone\b|\bTrue\b|\bFalse\b"
)


def _mutations() -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    for file, table in SECTOR.items():
        for key in table:
            if key != "columns":
                for wrong in WRONG:
                    yield f"{file} {key}={wrong!r}", _with(file, (key,), wrong)
        yield f"{file} unknown table key", _with(file, ("colour",), 1)
        for name, column in table["columns"].items():
            for wrong in WRONG:
                yield f"{file} column {name}={wrong!r}", _with(file, ("columns", name), wrong)
            given = column if isinstance(column, dict) else {"type": column}
            for key in given:
                for wrong in WRONG:
                    label = f"{file} {name}.{key}={wrong!r}"
                    yield label, _with(file, ("columns", name), {**given, key: wrong})
            yield f"{file} {name}.colour", _with(file, ("columns", name), {**given, "colour": 1})
    for nested in (("profile",), ("profile", "bursts"), ("checks", "rich")):
        keys = _at(SALES, nested)
        for key in [*keys, "colour"]:
            for wrong in WRONG:
                label = f"{'.'.join(nested)}.{key}={wrong!r}"
                yield label, _with("sales.yml", (*nested, key), wrong)
    for operation in ("INSERT", "UPSERT"):
        for wrong in WRONG:
            path = ("operations", operation)
            yield f"operations.{operation}={wrong!r}", _with("store_changes.yml", path, wrong)
    for text in BAD_EXPRESSIONS:
        yield f"expr {text}", _with("sales.yml", ("columns", "total", "expr"), text)
        yield f"check {text}", _with("sales.yml", ("checks", "positive"), text)
        yield f"rich check {text}", _with("sales.yml", ("checks", "rich", "rule"), text)


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
    """Table-driven over every key (one run, not one test each: ~700 small sectors)."""
    bad: list[str] = []
    checked = 0
    for n, (label, sector) in enumerate(_mutations()):
        try:
            check = _validate(tmp_path / f"s{n}", sector)
        except Exception as exc:  # a crash is the worst message of all
            bad.append(f"{label}: raised {type(exc).__name__}: {exc}")
            continue
        checked += 1
        for issue in check.issues:
            text = f"{issue.message}; {issue.hint or ''}"
            if FOREIGN.search(text):
                bad.append(f"{label}: foreign phrasing: {issue}")
            if issue.severity == "error" and (issue.line < 1 or not issue.file.endswith(".yml")):
                bad.append(f"{label}: no file:line: {issue}")
    assert checked > 600
    assert not bad, "\n".join(bad)


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

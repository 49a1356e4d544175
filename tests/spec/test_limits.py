"""Inputs that validate used to accept and generate then crashed on (issues 9.2, 11.1): each is now
a validate error at its line, with the limit or the type's range named (README, "Limits")."""

from __future__ import annotations

import pytest

from streamforge.spec import limits

HEAD = "table: t\ntype: dimension\nnum_rows: 10\ncolumns:\n  t_id: long\n"


def refused(load, body: str, stem: str = "t") -> tuple[int, str]:
    """The single error of a table file: (line, message + hint)."""
    _, issues = load({stem: body})
    errors = [i for i in issues if i.severity == "error"]
    assert len(errors) == 1, "\n".join(map(str, issues)) or "no error"
    assert errors[0].file.endswith(f"{stem}.yml")
    return errors[0].line, f"{errors[0].message}; {errors[0].hint}"


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("{type: int, max: 3000000000}", "max 3000000000 does not fit int"),
        ("{type: int, min: -2147483649}", "min -2147483649 does not fit int"),
        ("{type: long, max: 9223372036854775808}", "does not fit long"),
        (
            "{type: 'decimal(5,2)', max: 1000}",
            "does not fit decimal(5,2): it holds -999.99 to 999.99",
        ),
        ("{type: 'decimal(38,18)', min: -1.0e+20}", "does not fit decimal(38,18)"),
        ("{type: float, max: .inf}", "max must be a finite number"),
        ("{type: double, min: .nan}", "min must be a finite number"),
        ("{type: double, min: 1000000000" + "0" * 310 + "}", "larger than a double can hold"),
        ("{type: 'decimal(10,2)', min: 0.001, max: 0.009}", "no decimal with 2 decimal places"),
        ("{type: int, min: 1.2, max: 1.8}", "no int with 0 decimal places"),
        ("{type: int, values: [1, 3000000000]}", "value 3000000000 does not fit int"),
        ("{type: 'decimal(6,2)', values: [1.005]}", "value 1.005 has more than 2 decimal places"),
        ("{type: double, distribution: normal, mean: .nan}", "mean must be a finite number"),
        ("{type: double, distribution: normal, stddev: .inf}", "stddev must be a finite number"),
        ("{type: string, values: [A, B], weights: [.nan, 1]}", "weights must be finite"),
        ("{type: string, values: [A, B], weights: [.inf, 1]}", "weights must be finite"),
        ("{type: string, values: [A, B], weights: [1e308, 1e308]}", "weights must be finite"),
        ("{type: date, values: [hello, x]}", "value 'hello' is not a date"),
        ("{type: datetime, values: [2020-01-01T00:00:00Z, later]}", "'later' is not a datetime"),
        ("{type: array, items: int, max_items: 1000000000}", "at most 1000"),
        ("{type: array, items: int, min_items: true}", "min_items"),
        (
            "{type: map, keys: bool, values: int, min_items: 5, max_items: 6}",
            "only 2 possible distinct keys, fewer than min_items (5)",
        ),
        (
            "{type: map, keys: {type: int, min: 1, max: 3}, values: int, min_items: 4,"
            " max_items: 4}",
            "only 3 possible distinct keys",
        ),
        (
            "{type: array, items: {type: string, values: [A, B, A]}, min_items: 3, max_items: 3}",
            "only 2 possible distinct values, fewer than min_items (3)",
        ),
        (
            "{type: array, items: {type: string, format: '#'}, min_items: 11, max_items: 12}",
            "only 10 possible distinct values, fewer than min_items (11); one list never repeats",
        ),
        (
            "{type: array, max_items: 100, items: {type: array, items: int, max_items: 100}}",
            "up to 10,000 elements per row",
        ),
        (
            "{type: array, max_items: 1, items: {type: array, max_items: 1, items: {type: array,"
            " max_items: 1, items: {type: array, max_items: 1, items: {type: array, items: int,"
            " max_items: 1}}}}}",
            "nests arrays/maps 5 deep; the limit is 4",
        ),
    ],
)
def test_a_column_the_engine_cannot_generate_is_refused_at_its_line(load, column, expected):
    line, message = refused(load, HEAD + f"  v: {column}\n")
    assert line == 6
    assert expected in message


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("num_rows: true", "num_rows must be a whole number, not true"),
        ("num_rows: 1000000000000000", "above the limit of 100,000,000 rows"),
        ("num_rows: 10\noperations: {INSERT: .nan, UPDATE: 1}", "must be finite"),
    ],
)
def test_table_keys_beyond_the_limits_are_refused(load, table, expected):
    kind = "change_feed" if "operations" in table else "dimension"
    body = f"table: t\ntype: {kind}\n{table}\ncolumns:\n  t_id: long\n"
    line, message = refused(load, body)
    assert line == body.splitlines().index(table.splitlines()[-1]) + 1  # the offending key's line
    assert expected in message


@pytest.mark.parametrize("name", ["_streamforge", "_staging"])
def test_a_table_name_auto_loader_would_skip_is_refused(load, name):
    line, message = refused(
        load, f"table: {name}\ntype: dimension\nnum_rows: 1\ncolumns:\n  x: int\n"
    )
    assert line == 1
    assert f"table name '{name}' starts with _" in message


def test_names_longer_than_the_limit_are_refused(load):
    long_name = "a" * (limits.MAX_NAME_LENGTH + 172)  # 300 characters
    body = f"table: {long_name}\ntype: dimension\nnum_rows: 1\ncolumns:\n  x: int\n"
    assert refused(load, body) == (1, "table name is 300 characters long; the limit is 128; None")
    column = HEAD + f"  {long_name}: int\n"
    line, message = refused(load, column)
    assert line == 6 and "is 300 characters long; the limit is 128" in message


def test_too_many_columns_are_refused(load):
    columns = "".join(f"  c{i}: int\n" for i in range(limits.MAX_COLUMNS + 1))
    line, message = refused(load, f"table: t\ntype: dimension\nnum_rows: 1\ncolumns:\n{columns}")
    assert line == 4 and "1,001 columns is above the limit of 1,000" in message


def test_bounds_at_the_limits_of_each_type_are_accepted(load_ok):
    body = HEAD + (
        "  a: {type: int, min: -2147483648, max: 2147483647}\n"
        "  b: {type: long, min: -9223372036854775808, max: 9223372036854775807}\n"
        "  c: {type: float, min: -1.0e+308, max: 1.0e+308}\n"
        "  d: {type: 'decimal(38,18)', min: -99999999999999999999, max: 99999999999999999999}\n"
        "  e: {type: 'decimal(5,2)', max: 999.999}\n"  # rounds down onto the grid: 999.99
    )
    (table,) = load_ok({"t": body}).tables
    assert table.column("b").min == -(2**63)  # a Python int, not a float that lost digits
    assert table.column("b").max == 2**63 - 1

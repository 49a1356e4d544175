"""`streamforge validate` on a running total and on number keys, as a user runs it (issue 13
point 1, house rule): every problem of a `running:` block in one run, "did you mean" for its keys
and the columns they name, an empty `running:` refused, a non-text `start` told what it takes; and
a value that is no number names the file:line, the column and the key, for every key that takes a
number. Expected texts come from the rule (DESIGN §3: `running: {sum, by, start:
<dimension>.<column>}`), not from today's output."""

from __future__ import annotations

import pytest

from .test_validate_messages import problems, validate

ACCOUNT = """\
table: acct
type: dimension
num_rows: 10
columns:
  acct_id: int
  balance_usd: {type: "decimal(12,2)", min: 0, max: 100}
"""
POSTING = """\
table: post
type: fact
num_rows: 10
columns:
  post_id: long
  acct_id: int
  posted_at: datetime
  amount_usd: {type: "decimal(12,2)", min: 1, max: 5}
  memo: string
{total}
"""


def _run(tmp_path, total: str):
    posting = POSTING.replace("{total}", total)
    result = validate(tmp_path / "Bank", ("acct.yml", ACCOUNT), ("post.yml", posting))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    return problems(result.output, "post.yml")


def test_every_problem_of_one_running_block_is_reported_in_one_run(tmp_path):
    found = _run(
        tmp_path,
        '  balance:\n    type: "decimal(12,2)"\n'
        "    running: {sum: amount_us, by: acct_idd, start: acct.balanse_usd}\n"
        '  other:\n    type: "decimal(12,2)"\n'
        "    running: {sum: memo, by: memo}\n",
    )
    texts = [text for _, text in found]
    assert {line for line, _ in found} == {10, 13}  # each column's own line
    for expected in (
        "column 'balance': running.sum 'amount_us' is not a column of 'post'; "
        "did you mean 'amount_usd'?",
        "column 'balance': running.by 'acct_idd' is not a column of 'post'; "
        "did you mean 'acct_id'?",
        "column 'balance': start 'acct.balanse_usd': dimension 'acct' has no column "
        "'balanse_usd'; did you mean 'balance_usd'?",
    ):
        assert expected in texts, texts
    # the wrong types of both sum and by, not the first only
    assert any(t.startswith("column 'other': running.sum 'memo' is string") for t in texts), texts
    assert "column 'other': running.by 'memo' must be an int or long key, not string" in texts


def test_a_typo_in_a_running_key_gets_did_you_mean_for_that_block(tmp_path):
    found = _run(
        tmp_path,
        '  balance: {type: "decimal(12,2)", running: {summ: amount_usd, by: acct_id, '
        "strat: acct.balance_usd}}",
    )
    assert found == [
        (10, "unknown key 'summ' in running of column 'balance'; did you mean 'sum'?"),
        (10, "unknown key 'strat' in running of column 'balance'; did you mean 'start'?"),
    ]


@pytest.mark.parametrize("empty", ["running: null", "running: ~", "running:"])
def test_an_empty_running_block_is_refused_with_the_fix(tmp_path, empty):
    found = _run(tmp_path, f'  balance:\n    type: "decimal(12,2)"\n    {empty}')
    assert len(found) == 1, found
    line, text = found[0]
    assert line == 12
    assert text.startswith("column 'balance': running is empty")
    assert "`running: {sum: <column>, by: <key column>}`" in text


@pytest.mark.parametrize(("start", "shown"), [("7", "7"), ("[a]", "[a]"), ("true", "true")])
def test_a_start_that_is_not_text_is_told_what_start_takes_not_to_quote_it(tmp_path, start, shown):
    found = _run(
        tmp_path,
        f'  balance: {{type: "decimal(12,2)", running: {{sum: amount_usd, by: acct_id, '
        f"start: {start}}}}}",
    )
    ((line, text),) = found
    assert line == 10
    assert text.startswith(
        f"column 'balance': running.start must be a lookup written as <dimension>.<column>, "
        f"not {shown}"
    )
    assert "quote" not in text


NUMBER_KEYS = [
    # (column written with a word where a number belongs, the key as the message names it)
    ("{type: int, min: abc}", "min"),
    ("{type: int, max: abc}", "max"),
    ('{type: "decimal(10,2)", max: abc}', "max"),
    ("{type: double, distribution: normal, mean: abc, stddev: 1}", "mean"),
    ("{type: double, distribution: normal, mean: 1, stddev: abc}", "stddev"),
    ("{type: int, distribution: zipf, skew: abc, min: 1, max: 9}", "skew"),
    ("{type: int, null_rate: abc}", "null_rate"),
    ("{type: int, min: 1, max: 9, anomaly_rate: abc}", "anomaly_rate"),
    ("{type: string, values: [a, b], weights: [1, abc]}", "weights[1]"),
    ("{type: int, values: [1, 2], weights: [1, abc]}", "weights[1]"),
]


@pytest.mark.parametrize(("column", "key"), NUMBER_KEYS)
def test_a_word_where_a_number_belongs_names_file_line_column_and_key(tmp_path, column, key):
    found = _run(tmp_path, f"  amount: {column}")
    ((line, text),) = found
    assert line == 10
    assert text.startswith(f"column 'amount': {key} must be a number, not 'abc'; write a number")


def test_num_rows_that_is_not_a_number_names_the_key_and_the_fix(tmp_path):
    posting = POSTING.replace("{total}", "").replace("num_rows: 10", "num_rows: abc")
    result = validate(tmp_path / "Bank", ("acct.yml", ACCOUNT), ("post.yml", posting))
    assert result.exit_code == 2
    assert (
        3,
        "num_rows must be a whole number, not 'abc'; write a whole number without quotes, e.g. 100",
    ) in problems(result.output, "post.yml")


def test_a_unique_faker_column_that_runs_out_is_told_fixes_that_apply_to_faker(tmp_path):
    """A Faker provider's pool is fixed: "add # to the format" cannot help it (it has none)."""
    table = (
        "table: t\ntype: dimension\nnum_rows: 500\ncolumns:\n  t_id: int\n"
        "  dow: {type: string, faker: day_of_week, unique: true}\n"
        '  code: {type: string, format: "A#", unique: true}\n'
        "  n: {type: int, min: 1, max: 9, unique: true}\n"
    )
    result = validate(tmp_path / "S", ("t.yml", table))
    assert result.exit_code == 2, result.output
    found = dict(problems(result.output, "t.yml"))
    dow = found[6]
    assert dow.startswith("unique column 'dow' has only 7 possible values for 500 rows; ")
    for fix in ("a provider with more values", "lower num_rows", "drop unique", "format"):
        assert fix in dow, dow
    assert "more #" not in dow and "min/max" not in dow
    assert found[7].endswith("add # or ? to the format, lower num_rows, or drop unique")
    assert found[8].endswith("widen min/max, lower num_rows, or drop unique")


def test_a_table_that_loads_in_part_still_gets_its_other_columns_and_checks_checked(tmp_path):
    """A typing error in one column no longer hides the table's own expression, check and
    running-total errors: the columns that loaded are checked (within the table and across
    tables); what reads the broken column is skipped, and one note at that column's line says
    what, because of which column."""
    account = ACCOUNT + (
        "  tier: {type: string, min: abc}\n"  # line 7: the typing error
        '  score: {type: int, expr: "acct_id + nope"}\n'  # line 8: the dimension's own error
    )
    posting = POSTING.replace(
        "{total}",
        "  flag: {type: int, max: [1]}\n"  # line 10: a second typing error, in the fact
        '  bad: {type: int, expr: "amount_usd + nope"}\n'  # 11
        '  uses_flag: {type: int, expr: "flag + 1"}\n'  # 12: reads the broken column
        '  tier: {type: string, expr: "acct.tier"}\n'  # 13: looks up the other broken column
        '  balance: {type: "decimal(12,2)", running: {sum: amount_us, by: acct_id}}\n'  # 14
        '  flagged: {type: "decimal(12,2)", running: {sum: flag, by: acct_id}}\n'  # 15
        "checks:\n"
        '  typo: "nope2 > 0"\n'  # 17
        '  on_flag: "flag > 0"\n'  # 18
        '  on_use: "uses_flag > 0"\n',  # 19
    )
    result = validate(tmp_path / "Bank", ("acct.yml", account), ("post.yml", posting))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    acct, post = problems(result.output, "acct.yml"), problems(result.output, "post.yml")
    assert [line for line, _ in acct] == [7, 8]
    assert acct[1][1] == "column 'score': unknown column 'nope' in 'acct_id + nope'"
    assert sorted(line for line, _ in post) == [10, 11, 14, 17]
    texts = dict(post)
    assert texts[11] == "column 'bad': unknown column 'nope' in 'amount_usd + nope'"
    assert texts[14].startswith("column 'balance': running.sum 'amount_us' is not a column")
    assert texts[17] == "check 'typo': unknown column 'nope2' in 'nope2 > 0'"
    notes = [line for line in result.output.splitlines() if ": note: " in line]
    folder = tmp_path / "Bank"
    assert notes == [
        f"{folder / 'acct.yml'}:7: note: not checked, as column 'tier' of 'acct' did not load: "
        "post.tier; fix the errors of this column, then validate again",
        f"{folder / 'post.yml'}:10: note: not checked, as column 'flag' of 'post' did not load: "
        "post.flagged, post.on_flag (check), post.on_use (check), post.uses_flag; fix the "
        "errors of this column, then validate again",
    ], result.output
    assert "Bank: invalid (2 files read, 2 failed to load, 6 errors, 0 warnings)" in result.output


def test_a_problem_in_a_nested_spec_names_the_column_and_the_key_with_advice_for_that_key(
    tmp_path,
):
    """`items:` of an array, `keys:`/`values:` of a map: the fix is for that key, not for the
    column (`write items: int`, never `write tags: int`, which would drop the array)."""
    table = (
        "table: t\ntype: dimension\nnum_rows: 5\ncolumns:\n  t_id: int\n"
        "  tags: {type: array, items: -1}\n"
        "  more: {type: array, items: {type: int, min: abc}}\n"
        "  few: {type: array, items: {min: 1}}\n"
        "  attrs: {type: map, keys: strng, values: int}\n"
        "  props: {type: map, keys: string, values: {type: int, colour: 1}}\n"
    )
    result = validate(tmp_path / "S", ("t.yml", table))
    assert result.exit_code == 2, result.output
    assert problems(result.output, "t.yml") == [
        (
            6,
            "column 'tags': items must be a type name or a mapping, not -1; write `items: int` "
            "or `items: {type: int, min: 1, max: 10}`",
        ),
        (
            7,
            "column 'more': items: min must be a number, not 'abc'; write a number without "
            "quotes, e.g. `min: 10`",
        ),
        (
            8,
            "items of column 'few' has no 'type'; add `type: string` (or int, float, "
            "datetime, ...)",
        ),
        (9, "column 'attrs': keys: unknown type 'strng'; did you mean 'string'?"),
        (10, "unknown key 'colour' in values of column 'props'; see the column keys in README.md"),
    ]


def test_a_wrong_num_rows_does_not_hide_the_tables_expression_and_check_errors(tmp_path):
    """num_rows (or a fault rate) of the wrong kind leaves the columns as checkable as before:
    their errors are reported in the same run; only what counts rows (a unique column's
    capacity) is skipped, and a note at num_rows says so."""
    table = (
        "table: t\ntype: fact\nnum_rows: lots\nlate_rate: often\ncolumns:\n  t_id: long\n"
        '  code: {type: string, format: "A#", unique: true}\n'
        '  a: {type: int, expr: "t_id + nope"}\n'
        'checks:\n  c: "zz > 1"\n'
    )
    result = validate(tmp_path / "S", ("t.yml", table))
    assert result.exit_code == 2, result.output
    found = problems(result.output, "t.yml")
    assert [line for line, _ in found] == [3, 4, 8, 10], found
    assert found[2][1] == "column 'a': unknown column 'nope' in 't_id + nope'"
    assert found[3][1] == "check 'c': unknown column 'zz' in 'zz > 1'"
    notes = [line for line in result.output.splitlines() if ": note: " in line]
    assert notes == [
        f"{tmp_path / 'S' / 't.yml'}:3: note: not checked, as num_rows did not load: whether "
        "unique 'code' can have that many values; fix num_rows, then validate again"
    ]
    # a wrong table type leaves nothing to check: its columns are not guessed at
    result = validate(tmp_path / "T", ("t.yml", table.replace("type: fact", "type: fakt")))
    assert [line for line, _ in problems(result.output, "t.yml")] == [2, 3, 4]


def test_a_typo_naming_a_column_left_out_by_another_error_still_gets_did_you_mean(tmp_path):
    """`paid_usd` reads the broken `due_usd`, so it is left out of this run's checks; an
    expression that misspells it must still be told the name it meant (as when nothing else is
    broken), and why that column is not checked."""
    table = """\
table: pay
type: fact
num_rows: 10
columns:
  pay_id: long
  due_usd: {type: "decmial(10,2)", min: 1, max: 9}
  paid_usd: {type: "decimal(10,2)", expr: "due_usd"}
  fee_usd: {type: "decimal(10,2)", expr: "round(payed_usd * 0.1, 2)"}
"""
    result = validate(tmp_path / "Loans", ("pay.yml", table))
    assert result.exit_code == 2, result.output
    found = problems(result.output, "pay.yml")
    texts = {line: text for line, text in found}
    assert "did you mean 'decimal(10,2)'" in texts[6]
    assert "unknown column 'payed_usd'" in texts[8]
    assert "did you mean 'paid_usd'?" in texts[8]
    assert "not checked in this run" in texts[8]

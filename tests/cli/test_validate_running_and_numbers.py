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

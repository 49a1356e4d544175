"""`streamforge validate` on bad sectors, as a user runs it: every problem of every table in one
run, each as `file:line: message; fix` in our words, the files read and failed in the header,
exit code 2 and no traceback (house rule; issue 13 point 1)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from streamforge.cli import main

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None}
STORE = """\
table: store
type: dimension
num_rows: 10
columns:
  store_id: int
  region: {type: string, values: [north, south]}
"""
SALES = """\
table: sales
type: fact
num_rows: 100
columns:
  sale_id: long
  qty: {type: int, min: 1, max: 9}
  price: {type: double, min: 1, max: 9}
checks:
  positive: {rule: "qty *", anomaly_rate: 0.01}
"""


def validate(folder: Path, *files: tuple[str, str]):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files:
        (folder / name).write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["validate", str(folder)], env=ENV)


def problems(output: str, file: str) -> list[tuple[int, str]]:
    """(line, text) of each `<...>/file:line: text` printed, notes left out."""
    found = re.finditer(rf"{re.escape(file)}:(\d+): (?!note: )(.*)", output)
    return [(int(m[1]), m[2]) for m in found]


def test_a_check_that_does_not_parse_is_reported_at_its_line_not_as_an_internal_error(tmp_path):
    result = validate(tmp_path / "Shop", ("store.yml", STORE), ("sales.yml", SALES))
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    found = problems(result.output, "sales.yml")
    assert [line for line, _ in found] == [9]  # the line of `positive:`
    assert "check 'positive': 'qty *' is incomplete" in found[0][1]
    assert "Required keyword" not in result.output and "<class" not in result.output


def test_a_value_of_the_wrong_kind_is_named_in_our_words_at_its_line(tmp_path):
    sales = SALES.replace("num_rows: 100", "num_rows: lots").replace('"qty *"', '"qty > 0"')
    sales = sales.replace("max: 9}\n  price", "max: 9, hidden: maybe}\n  price")
    result = validate(tmp_path / "Shop", ("store.yml", STORE), ("sales.yml", sales))
    assert result.exit_code == 2, result.output
    found = dict(problems(result.output, "sales.yml"))
    assert found[3] == "num_rows must be a whole number, not 'lots'; write a whole number " + (
        "without quotes, e.g. 100"
    )
    assert found[6].startswith("column 'qty': hidden must be true or false, not 'maybe'")
    assert "Input should" not in result.output


def test_a_type_with_a_comma_unquoted_in_a_flow_mapping_says_to_quote_it(tmp_path):
    """`{type: decimal(10,2)}` is `{type: "decimal(10", "2)": null}` to YAML; the message says so
    at the column's line, with the quoted form (or our form of array<...> and map<...>)."""
    columns = {
        "a": ("{type: decimal(10,2), min: 1}", 'quote it: `{type: "decimal(10,2)"}`'),
        "b": ("{type: decimal(40,2)}", 'quote it: `{type: "decimal(40,2)"}`'),
        "c": ("{type: decimal(5,7)}", 'quote it: `{type: "decimal(5,7)"}`'),
        "d": ("{type: decimal(10, 2)}", 'quote it: `{type: "decimal(10,2)"}`'),
        "e": ("{type: array, items: decimal(10,2)}", 'quote it: `{items: "decimal(10,2)"}`'),
        "f": ("{type: map<string,int>}", "`f: {type: map, keys: string, values: int}`"),
        "g": ("{type: array<decimal(10,2)>}", '`g: {type: array, items: "decimal(10,2)"}`'),
    }
    text = "table: t\ntype: dimension\nnum_rows: 10\ncolumns:\n  t_id: int\n"
    text += "".join(f"  {name}: {spec}\n" for name, (spec, _) in columns.items())
    result = validate(tmp_path / "S", ("t.yml", text))
    assert result.exit_code == 2, result.output
    found = dict(problems(result.output, "t.yml"))
    for line, (name, (_, fix)) in enumerate(columns.items(), start=6):
        assert found[line].startswith(f"column '{name}': `"), found
        assert "is cut at its comma" in found[line] and fix in found[line], found[line]
    assert "unknown key" not in result.output
    # quoted, each is read whole: the range check or our form of the type speaks instead
    quoted = text.replace("decimal(40,2)", '"decimal(40,2)"').replace(
        "{type: map<string,int>}", '{type: "map<string,int>"}'
    )
    found = dict(problems(validate(tmp_path / "Q", ("t.yml", quoted)).output, "t.yml"))
    assert found[7].startswith("column 'b': decimal(40,2) is out of range; use 1 <= precision")
    assert found[11].endswith("write `{type: map, keys: string, values: int}`")


def test_every_table_is_checked_in_one_run_and_the_header_counts_the_files(tmp_path):
    """A typing error in one file no longer hides an unknown column in another file's expression:
    the tables that loaded are planned, without only what depends on the failed table (a foreign
    key into it, a lookup), which is named once; the rest of such a table is still checked."""
    store = STORE.replace("type: dimension", "type: dimensoin")  # no kind: nothing to check
    clicks = (
        "table: clicks\ntype: fact\nnum_rows: 10\ncolumns:\n  click_id: long\n"
        '  n: {type: int}\n  m: {type: double, expr: "n * nn"}\nchecks:\n  ok: "n > 0 AND x"\n'
    )
    returns = (
        "table: returns\ntype: fact\nnum_rows: 10\ncolumns:\n  return_id: long\n"
        '  store_id: int\n  region: {type: string, expr: "store.region"}\n'
        '  qty: {type: int}\n  refund: {type: double, expr: "qty * pricee"}\n'
    )
    result = validate(
        tmp_path / "Shop", ("store.yml", store), ("clicks.yml", clicks), ("returns.yml", returns)
    )
    assert result.exit_code == 2, result.output
    assert problems(result.output, "store.yml") == [
        (2, "unknown table type 'dimensoin'; did you mean 'dimension'?")
    ]
    assert problems(result.output, "clicks.yml") == [
        (7, "column 'm': unknown column 'nn' in 'n * nn'; did you mean 'n'?"),
        (9, "check 'ok': unknown column 'x' in 'n > 0 AND x'"),
    ]
    # not blamed for the store's error, yet its own error is found
    assert problems(result.output, "returns.yml") == [
        (9, "column 'refund': unknown column 'pricee' in 'qty * pricee'")
    ]
    notes = [line for line in result.output.splitlines() if ": note: " in line]
    assert notes == [
        f"{tmp_path / 'Shop' / 'store.yml'}:1: note: not checked against the other tables, as "
        "'store' failed to load: returns.region, returns.store_id; fix the errors of this file, "
        "then validate again"
    ], result.output
    assert "Shop: invalid (3 files read, 1 failed to load, 4 errors, 0 warnings)" in (result.output)


def test_a_cut_type_in_a_flow_mapping_of_columns_is_one_error_not_two(tmp_path):
    text = "table: t\ntype: dimension\nnum_rows: 10\ncolumns: {t_id: int, price: decimal(10,2)}\n"
    result = validate(tmp_path / "S", ("t.yml", text))
    assert result.exit_code == 2, result.output
    (found,) = problems(result.output, "t.yml")
    assert found[0] == 4
    assert found[1].startswith("column 'price': `price: decimal(10,2)` is cut at its comma")
    assert found[1].endswith('quote it: `price: "decimal(10,2)"`')


def test_every_bad_key_of_one_column_is_reported_at_its_own_line(tmp_path):
    text = (
        "table: t\ntype: dimension\nnum_rows: 10\ncolumns:\n  t_id: int\n  a:\n    type: int\n"
        "    null_rate: 5\n    hidden: maybe\n    colour: red\n"
    )
    result = validate(tmp_path / "S", ("t.yml", text))
    assert result.exit_code == 2, result.output
    assert [line for line, _ in problems(result.output, "t.yml")] == [8, 9, 10]
    assert "S: invalid (1 file read, 1 failed to load, 3 errors, 0 warnings)" in result.output


def test_the_rest_of_a_column_with_a_cut_type_is_checked_in_the_same_run(tmp_path):
    """`{type: decimal(10,2), mni: 0}`: the cut type and the misspelt key are two errors at the
    column's line in one run (the column read as meant finds the second), the cut said once."""
    text = (
        "table: t\ntype: dimension\nnum_rows: 10\ncolumns:\n  t_id: int\n"
        "  fee: {type: decimal(10,2), mni: 0, max: 50}\n"
        "  tags: {type: map<string,int>, nul_rate: 0.1}\n"
    )
    result = validate(tmp_path / "S", ("t.yml", text))
    assert result.exit_code == 2, result.output
    found = problems(result.output, "t.yml")
    at6 = [t for line, t in found if line == 6]
    at7 = [t for line, t in found if line == 7]
    assert len(at6) == 2 and "is cut at its comma" in at6[0], found
    assert at6[1] == "unknown key 'mni' in column 'fee'; did you mean 'min'?"
    assert len(at7) == 2 and "is cut at its comma" in at7[0], found
    assert at7[1] == "unknown key 'nul_rate' in column 'tags'; did you mean 'null_rate'?"

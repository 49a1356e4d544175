"""Values are the text the user wrote (DESIGN §3, issue 9.1): a string column takes every scalar
of values/format/min/max as written; elsewhere YAML 1.2 applies; validate warns where YAML 1.1
would read a scalar otherwise."""

from __future__ import annotations

import csv
import json
import string
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from streamforge import api
from streamforge.spec.load import load_sector
from streamforge.spec.yaml_lines import YamlSyntaxError, load_lined

from .conftest import errors_of

ROOT = Path(__file__).resolve().parents[2]
SITE = """\
table: site
type: dimension
num_rows: 50
columns:
  site_id: int
  country: {type: string, values: [NO, FI, DK]}
  shift_start: {type: string, values: [06:30, 14:30]}
  cost_center: {type: string, values: [010, 020]}
  code: {type: string, format: 010|020}
"""
AS_WRITTEN = {
    "country": {"NO", "FI", "DK"},
    "shift_start": {"06:30", "14:30"},
    "cost_center": {"010", "020"},
    "code": {"010", "020"},
}


def one_column(column: str) -> str:
    """A dimension `t` with one column, written as `name: {...}` on line 5."""
    return f"table: t\ntype: dimension\nnum_rows: 5\ncolumns:\n  {column}\n"


def landed_rows(out: Path, fmt: str) -> list[dict]:
    (file,) = (out / "site").iterdir()
    if fmt == "json":
        return [json.loads(line) for line in file.read_text().splitlines()]
    if fmt == "csv":
        with file.open(newline="") as handle:
            return list(csv.DictReader(handle))
    return pq.read_table(file).to_pylist()


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_string_values_land_exactly_as_written(tmp_path, fmt):
    (tmp_path / "schema" / "Site").mkdir(parents=True)
    (tmp_path / "schema" / "Site" / "site.yml").write_text(SITE)
    api.generate("Site", tmp_path / "out", schema_dir=tmp_path / "schema", fmt=fmt, seed=7)
    rows = landed_rows(tmp_path / "out", fmt)
    assert len(rows) == 50
    for column, written in AS_WRITTEN.items():
        # 50 rows over 2-3 values: every value shows up (a miss has odds below 1e-8)
        assert {row[column] for row in rows} == written, column


def test_string_column_spec_holds_the_text(load):
    spec, issues = load({"site": SITE})
    assert not errors_of(issues)
    site = spec.table("site")
    assert site.column("country").values == ("NO", "FI", "DK")
    assert site.column("shift_start").values == ("06:30", "14:30")
    assert site.column("cost_center").values == ("010", "020")
    assert site.column("code").choices == ("010", "020")


def test_nested_string_columns_take_the_text_too(load):
    spec, issues = load(
        {
            "t": """\
            table: t
            type: dimension
            num_rows: 5
            columns:
              t_id: int
              tags: {type: array, items: {type: string, values: [yes, off, 1.50]}}
              labels: {type: map, keys: string, values: {type: string, values: [0x1F, 1e3]}}
              code: {type: string, format: "010"}
            """
        }
    )
    assert not errors_of(issues), issues
    table = spec.table("t")
    assert table.column("tags").items.values == ("yes", "off", "1.50")
    assert table.column("labels").map_values.values == ("0x1F", "1e3")
    assert table.column("code").format == "010"


def test_null_in_string_values_is_an_error_that_suggests_quotes(load):
    _, issues = load({"t": one_column("c: {type: string, values: [A, ~]}")})
    (error,) = errors_of(issues)
    assert error.line == 5 and '"~"' in error.hint and "null_rate" in error.hint


def test_yaml_1_2_applies_outside_string_columns(load):
    spec, issues = load(
        {
            "t": """\
            table: t
            type: dimension
            num_rows: 010
            columns:
              t_id: int
              level: {type: int, values: [010, 0o10, 0x10]}
              ok: {type: bool, values: [true, false]}
            """
        }
    )
    assert not errors_of(issues), issues
    table = spec.table("t")
    assert table.num_rows == 10  # YAML 1.2: no octal `010`
    assert table.column("level").values == (10, 8, 16)
    assert table.column("ok").values == (True, False)


def test_yes_is_not_a_bool_in_yaml_1_2(load):
    _, issues = load({"t": one_column("b: {type: bool, values: [yes]}")})
    assert [i.line for i in errors_of(issues)] == [5]
    warning = next(i for i in issues if i.severity == "warning")
    assert warning.line == 5 and "true" in warning.message and '"yes"' in warning.hint


@pytest.mark.parametrize(
    ("written", "yaml11"),
    [("NO", "false"), ("off", "false"), ("yes", "true"), ("010", "8"), ("14:30", "870")],
)
def test_validate_warns_where_yaml_1_1_reads_otherwise(load, written, yaml11):
    text = one_column(f"c: {{type: string, values: [A, {written}]}}")
    spec, issues = load({"t": text})
    assert not errors_of(issues)
    (warning,) = issues
    assert (warning.severity, warning.line) == ("warning", 5)
    assert warning.file.endswith("t.yml")
    assert f"read it as {yaml11}" in warning.message
    assert f'"{written}"' in warning.hint  # suggests the quotes
    # quoted, the same value is unambiguous: no warning, same text
    quoted, issues = load({"t": text.replace(f", {written}]", f', "{written}"]')})
    assert issues == []
    assert quoted.table("t").column("c").values == spec.table("t").column("c").values


@pytest.mark.parametrize("written", ["true", "06:30", "1e3", "A|B", "2020-01-01", "1_000"])
def test_no_warning_where_both_readers_agree_on_what_is_used(load, written):
    text = one_column(f"c: {{type: string, values: [{written}]}}")
    spec, issues = load({"t": text})
    assert issues == []
    assert spec.table("t").column("c").values == (written,)


def test_warning_for_an_octal_looking_number_in_an_int_field(load):
    _, issues = load({"t": "table: t\ntype: dimension\nnum_rows: 010\ncolumns:\n  t_id: int\n"})
    (warning,) = issues
    assert warning.severity == "warning" and warning.line == 3
    assert "num_rows" in warning.message and "10" in warning.message and "8" in warning.message


# A plain scalar made of the characters that YAML 1.1 and 1.2 resolve differently.
TRICKY = st.text(alphabet=string.digits + ":._-+eEoxbNOnoYyTtrufalsFLO~", min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(TRICKY)
def test_any_plain_scalar_in_a_string_column_is_its_text(tmp_path_factory, written):
    """Whatever YAML 1.1 or 1.2 would make of it, a string column's value is the text."""
    text = one_column(f"c: {{type: string, values: [{written}]}}")
    try:
        raw = load_lined(text).scalars[("columns", "c", "values", 0)]
    except (YamlSyntaxError, KeyError):
        return  # not one plain scalar (e.g. `-` or a `:` that opens a mapping): another test's job
    folder = tmp_path_factory.mktemp("s")
    (folder / "t.yml").write_text(text)
    spec, issues = load_sector(folder)
    if raw.value is None:  # `~` and friends are null, never text: an error that says so
        assert [i.line for i in errors_of(issues)] == [5]
    else:
        assert not errors_of(issues), issues
        assert spec.table("t").column("c").values == (raw.text,) == (written,)


def _iso(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


SHIPPED = sorted((ROOT / "schema").glob("*/*.yml"))


@pytest.mark.parametrize("file", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_files_read_the_same_under_yaml_1_1_and_1_2(file):
    """The shipped sectors mean the same to every YAML reader, so they load as before."""
    text = file.read_text(encoding="utf-8")
    assert load_lined(text).data == _iso(yaml.safe_load(text))
    _, issues = load_sector(file.parent)
    assert issues == []

"""The oracle reads each rule from the YAML text itself: values as written, bounds exact."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
from tests.times import at

from streamforge.verify.rules import read_rules
from streamforge.verify.values import broken_rows

TABLE = """\
table: site
type: dimension
num_rows: 5
columns:
  site_id: int
  country: {type: string, values: [NO, FI, DK]}
  shift_start: {type: string, values: [06:30, 14:30]}
  cost_center: {type: string, values: [010, 020]}
  flag: {type: string, format: "yes|off"}
  code: {type: string, format: "S-##?"}
  account: {type: long, min: 100000000000000000, max: 999999999999999999}
  balance: {type: "decimal(38,18)", min: -1.5, max: 1e3}
  small: int
"""


def rules(tmp_path: Path) -> dict:
    path = tmp_path / "site.yml"
    path.write_text(TABLE)
    return read_rules(path)


def test_string_values_are_the_text_as_written(tmp_path) -> None:
    r = rules(tmp_path)
    assert r["country"].allowed == ("NO", "FI", "DK")
    assert r["shift_start"].allowed == ("06:30", "14:30")
    assert r["cost_center"].allowed == ("010", "020")
    assert r["flag"].allowed == ("yes", "off")
    broken = broken_rows(r["country"], pa.array(["NO", "False", None, "FI"]), nulls_break=False)
    assert broken.tolist() == [False, True, False, False]


def test_a_format_pattern_is_matched_exactly(tmp_path) -> None:
    rule = rules(tmp_path)["code"]
    values = pa.array(["S-12A", "S-1AA", "S-123", "S-12AB", "s-12A"])
    assert broken_rows(rule, values, False).tolist() == [False, True, True, True, True]


def test_long_bounds_compare_exactly(tmp_path) -> None:
    rule = rules(tmp_path)["account"]
    assert rule.low == Decimal(10**17) and rule.high == Decimal(10**18 - 1)
    values = pa.array([10**17, 10**17 - 1, 10**18 - 1, 10**18], pa.int64())
    assert broken_rows(rule, values, False).tolist() == [False, True, False, True]


def test_int_is_32_bit_unless_it_is_a_key(tmp_path) -> None:
    rule = rules(tmp_path)["small"]
    values = pa.array([2**31 - 1, 2**31, -(2**31), -(2**31) - 1], pa.int64())
    assert broken_rows(rule, values, False).tolist() == [False, True, False, True]
    assert not broken_rows(rule, values, False, wide_int=True).any()


def test_decimal_bounds_compare_exactly(tmp_path) -> None:
    rule = rules(tmp_path)["balance"]
    dtype = pa.decimal128(38, 18)
    values = pa.array(
        [
            Decimal("-1.5"),
            Decimal("-1.500000000000000001"),
            Decimal("1000"),
            Decimal("1000.000000000000000001"),
        ],
        dtype,
    )
    assert broken_rows(rule, values, False).tolist() == [False, True, False, True]
    assert np.array_equal(broken_rows(rule, pa.nulls(2, dtype), True), [True, True])


def test_a_generated_landing_of_these_columns_verifies_clean(tmp_path) -> None:
    """The loader now reads the same text (issue 9.1): what it wrote passes the oracle."""
    from streamforge import api

    (tmp_path / "schema" / "lab").mkdir(parents=True)
    (tmp_path / "schema" / "lab" / "site.yml").write_text(
        TABLE.replace("num_rows: 5", "num_rows: 400")
    )
    out = tmp_path / "landing"
    api.generate("lab", out, schema_dir=tmp_path / "schema", start=at("2026-01-01T00:00:00Z"))
    report = api.verify("lab", out, schema_dir=tmp_path / "schema")
    assert report.findings == [] and report.rows == {"site": 400}


def test_the_oracle_reads_every_type_alias_as_the_loader_does(tmp_path: Path) -> None:
    """verify keeps its own copy of the type names (it must not share the loader's bugs), so
    the two must be held to agree: an alias the loader accepts and the oracle misreads would
    make verify judge a column by the wrong type."""
    from streamforge.spec.types import ALIASES, parse_type

    spellings = [*ALIASES, *(a.upper() for a in ALIASES), "Decimal(10, 2)", "DECIMAL(38,18)"]
    columns = "".join(f"  c{i}: {{type: '{s}'}}\n" for i, s in enumerate(spellings))
    path = tmp_path / "t.yml"
    path.write_text(f"table: t\ntype: dimension\nnum_rows: 1\ncolumns:\n{columns}")
    rules = read_rules(path)
    for i, spelling in enumerate(spellings):
        loaded, read = parse_type(spelling), rules[f"c{i}"]
        assert (read.type, read.precision, read.scale) == (
            loaded.name,
            loaded.precision,
            loaded.scale,
        ), spelling

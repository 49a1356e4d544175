"""Integers and decimals are exact over the whole declared range (DESIGN §3, issue 9.2).

Expected values come from the types: int holds ±(2^31-1), long ±(2^63-1), decimal(p,s) values
below 10^(p-s) with s places; `unique` never repeats a value.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from streamforge.readback import read_landing

INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1


def test_unique_long_in_a_wide_range_is_all_distinct(column_values) -> None:
    spec = {"type": "long", "min": 10**17, "max": 10**18 - 1, "unique": True}
    values = column_values(spec, rows=1000)["value"].to_pylist()
    assert len(set(values)) == 1000
    assert all(10**17 <= v <= 10**18 - 1 for v in values)
    assert len({v % 1000 for v in values}) > 500  # scattered, not one float64 grid step apart


def test_unique_long_over_the_full_int64_span(column_values) -> None:
    spec = {"type": "long", "min": -(2**63), "max": INT64_MAX, "unique": True}
    values = column_values(spec, rows=3000)["value"].to_pylist()
    assert len(set(values)) == 3000


@pytest.mark.parametrize(
    ("kind", "low", "high"),
    [
        ("long", -INT64_MAX, INT64_MAX),
        ("long", -(2**63), INT64_MAX),
        ("long", INT64_MAX - 10, INT64_MAX),
        ("long", -(2**63), -(2**63) + 3),
        ("int", -INT32_MAX, INT32_MAX),
        ("int", INT32_MAX - 2, INT32_MAX),
    ],
)
@pytest.mark.parametrize("distribution", ["uniform", "normal", "lognormal", "exponential", "zipf"])
def test_integers_at_the_limits_of_their_type(column_values, kind, low, high, distribution) -> None:
    spec = {"type": kind, "min": low, "max": high, "distribution": distribution}
    data = column_values(spec, rows=500)
    assert data.schema.field("value").type == (pa.int64() if kind == "long" else pa.int32())
    values = data["value"].to_pylist()
    assert all(low <= v <= high for v in values)
    if distribution == "uniform" and high - low > 100:
        assert len(set(values)) > 490  # a 2^64 span is not squeezed onto a few float64 values


def test_decimal_38_18_without_bounds_stays_in_the_default_range(column_values) -> None:
    data = column_values({"type": "decimal(38,18)"}, rows=1000)
    assert data.schema.field("value").type == pa.decimal128(38, 18)
    values = data["value"].to_pylist()
    assert all(Decimal(0) <= v <= Decimal(1000) for v in values)  # the documented 0..1000
    assert len(set(values)) > 990


def test_decimal_with_a_max_beyond_int64_units_does_not_overflow(column_values) -> None:
    # 999999999 in units of 10^-10 is ~1e19, beyond int64: the old float path wrapped to -9.2e8.
    data = column_values({"type": "decimal(20,10)", "max": 999999999}, rows=2000)
    values = data["value"].to_pylist()
    assert all(Decimal(0) <= v <= Decimal(999999999) for v in values)
    assert max(values) > Decimal("9.3e8")  # the whole range is reached, above the old ~9.2e8 wall


def test_decimal_38_digits_keep_every_digit(column_values) -> None:
    top = Decimal("99999999999999999999.999999999999999999")  # 38 digits, scale 18
    # Without max, the range runs from min up to the largest decimal(38,18).
    data = column_values({"type": "decimal(38,18)", "min": 99999999999999999999}, rows=500)
    values = data["value"].to_pylist()
    assert all(Decimal(99999999999999999999) <= v <= top for v in values)
    # Digits below the 17th significant one vary: the values are not floats in disguise.
    assert len({v.as_tuple().digits[-6:] for v in values}) > 400


@pytest.mark.parametrize("kind", ["int", "long", "decimal(10,2)", "decimal(38,0)"])
def test_anomalies_of_exact_types_break_the_rule_and_stay_in_the_type(run_lab, kind) -> None:
    high = {"int": INT32_MAX, "long": INT64_MAX}.get(kind, 5)
    spec = {"type": kind, "min": 0, "max": high, "anomaly_rate": 0.3}
    tables = {"t": {"type": "dimension", "num_rows": 1000, "columns": {"t_id": "long", "v": spec}}}
    output = run_lab(tables).outputs[("t", 0)]
    values = output.data["v"].to_pylist()
    outside = [v for v in values if v is not None and not 0 <= v <= high]
    nulls = sum(v is None for v in values)
    assert len(outside) + nulls == output.anomalies["v"] > 200
    if kind in ("int", "long"):
        assert nulls == 0 and all(v < 0 for v in outside)  # no room above the type's max


@st.composite
def decimal_columns(draw: st.DrawFn) -> dict:
    precision = draw(st.integers(1, 38))
    scale = draw(st.integers(0, precision))
    top = 10 ** (precision - scale) - 1  # largest integer part
    # Whole numbers of any size, or YAML floats with a few places (rounded inward onto the scale).
    # (float bounds of a strategy must be exact floats: 10**16 - 1 is not one). The YAML holds a
    # float's shortest text, read exactly: 1e23 is the float 99999999999999991611392 but the text
    # "1e+23" is 10**23, one digit too many for decimal(23,0), so the text must fit, not the float.
    edge = float(top)
    while Decimal(repr(edge)) > top:
        edge = math.nextafter(edge, 0.0)
    fractional = st.floats(-edge, edge).map(lambda v: round(v, draw(st.integers(0, 4))))
    bound = st.one_of(st.integers(-top, top), fractional)
    low, high = sorted([draw(bound), draw(bound)])
    places = 10**scale
    assume(math.ceil(Decimal(repr(low)) * places) <= math.floor(Decimal(repr(high)) * places))
    spec: dict = {"type": f"decimal({precision},{scale})"}
    if draw(st.booleans()):
        spec["min"] = low
    if draw(st.booleans()):
        spec["max"] = high
    spec["distribution"] = draw(
        st.sampled_from(["uniform", "normal", "lognormal", "exponential", "zipf"])
    )
    return spec


@st.composite
def integer_columns(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(["int", "long"]))
    limit = INT32_MAX if kind == "int" else INT64_MAX
    low, high = sorted([draw(st.integers(-limit - 1, limit)), draw(st.integers(-limit - 1, limit))])
    distribution = draw(st.sampled_from(["uniform", "normal", "lognormal", "exponential", "zipf"]))
    return {"type": kind, "min": low, "max": high, "distribution": distribution}


def _written(bound: object) -> object:
    return Decimal(repr(bound)) if isinstance(bound, float) else bound


def _in_type(spec: dict, value: object) -> bool:
    kind = spec["type"]
    if kind == "int":
        return -(2**31) <= value <= INT32_MAX  # type: ignore[operator]
    if kind == "long":
        return -(2**63) <= value <= INT64_MAX  # type: ignore[operator]
    precision, scale = map(int, kind[len("decimal(") : -1].split(","))
    digits = value.as_tuple()  # type: ignore[attr-defined]
    # copy_abs and scaleb are exact; abs() and ** round to the context's 28 digits, which turned
    # 999.999999999999999999999999999999999 (36 digits) into 1000 and failed a valid value.
    limit = Decimal(1).scaleb(precision - scale)
    return -digits.exponent <= scale and value.copy_abs() < limit  # type: ignore[attr-defined]


@settings(max_examples=25)
@given(spec=st.one_of(decimal_columns(), integer_columns()))
def test_every_value_is_in_range_typed_and_the_same_in_every_format(
    lab_plan, drive, new_dir, spec
) -> None:
    tables = {"t": {"type": "dimension", "num_rows": 300, "columns": {"t_id": "long", "v": spec}}}
    plan = lab_plan(tables)
    written = {}
    for fmt in ("json", "csv", "parquet"):
        out = new_dir(fmt)
        drive(plan, cycles=0, out=out, fmt=fmt)
        (landed,) = read_landing(out, plan)["t"]
        written[fmt] = landed.data.column("v")
    expected_type = {"int": pa.int32(), "long": pa.int64()}.get(spec["type"])
    if expected_type is None:
        precision, scale = map(int, spec["type"][len("decimal(") : -1].split(","))
        expected_type = pa.decimal128(precision, scale)
    assert written["parquet"].type == expected_type
    values = written["parquet"].to_pylist()
    # A bound means the number its YAML text writes (6.510165023436634e+17 is ...3400, not the
    # binary float ...3360), so compare with the text's exact value.
    low, high = (_written(spec.get(k)) for k in ("min", "max"))
    assert all(_in_type(spec, v) for v in values)
    assert all(low is None or v >= low for v in values)
    assert all(high is None or v <= high for v in values)
    for fmt in ("json", "csv"):
        assert written[fmt].cast(expected_type).to_pylist() == values, fmt

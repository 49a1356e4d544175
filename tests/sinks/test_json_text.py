"""to_json_text / encode_ndjson: exact renderings per type, and JSON round-trips as properties."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from streamforge.sinks._fast.json_text import encode_ndjson, format_timestamps, to_json_text

UTC = dt.UTC


def texts_of(array: pa.Array | pa.ChunkedArray) -> list[str]:
    return to_json_text(array).to_pylist()


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (pa.array([1, None, -3]), ["1", "null", "-3"]),
        (pa.array([0, 255], pa.uint8()), ["0", "255"]),
        (pa.array([True, False, None]), ["true", "false", "null"]),
        (pa.array([0.5, -0.25, None]), ["0.5", "-0.25", "null"]),
        (
            pa.array([Decimal("1.50"), Decimal("-3.00"), None], pa.decimal128(5, 2)),
            ["1.50", "-3.00", "null"],
        ),
        (pa.array(["plain", "", None]), ['"plain"', '""', "null"]),
        (
            pa.array(['a"b', "c\\d", "e\nf\rg\th", "\x01\x1f", "é😀\u2028"]),
            ['"a\\"b"', '"c\\\\d"', '"e\\nf\\rg\\th"', '"\\u0001\\u001f"', '"é😀\u2028"'],
        ),
        (pa.array([dt.date(2026, 11, 27), None]), ['"2026-11-27"', "null"]),
        (pa.nulls(2), ["null", "null"]),
        (pa.array([[1, None], None, []]), ["[1,null]", "null", "[]"]),
        (pa.array([[["a"]], [[], None]]), ['[["a"]]', "[[],null]"]),
        (pa.array([[1, 2]], pa.list_(pa.int64(), 2)), ["[1,2]"]),
        (pa.array([[1, 2], None], pa.large_list(pa.int64())), ["[1,2]", "null"]),
        (
            pa.array([[("a", 1), ("b", None)], None, []], pa.map_(pa.string(), pa.int64())),
            ['{"a":1,"b":null}', "null", "{}"],
        ),
        (
            pa.array([[(1, "x"), (2, 'q"')]], pa.map_(pa.int64(), pa.string())),
            ['{"1":"x","2":"q\\""}'],
        ),
        (pa.array([{"x": 1, "y": "q"}, None]), ['{"x":1,"y":"q"}', "null"]),
        (pa.array(["a", "b", None, "a"]).dictionary_encode(), ['"a"', '"b"', "null", '"a"']),
        (pa.chunked_array([[1], [2, 3]]), ["1", "2", "3"]),
        (pa.chunked_array([], pa.int64()), []),
        (pa.array([], pa.list_(pa.string())), []),
    ],
)
def test_renders_each_type_as_json(array: pa.Array, expected: list[str]) -> None:
    assert texts_of(array) == expected


def test_whole_floats_render_as_valid_numbers() -> None:
    texts = texts_of(pa.array([3.0, 1e20, 1e-7, -0.0, 5e-324]))
    assert texts[0] in ("3", "3.0")
    assert [json.loads(text) for text in texts] == [3.0, 1e20, 1e-7, -0.0, 5e-324]


def test_non_finite_floats_become_null() -> None:
    assert texts_of(pa.array([float("nan"), float("inf"), -float("inf"), 1.0])) == [
        "null", "null", "null", "1",
    ]  # fmt: skip


def test_timestamps_are_iso_8601_in_utc() -> None:
    moment = dt.datetime(2026, 11, 27, 10, 15, 30, 123456, tzinfo=UTC)
    utc = pa.array([moment, None], pa.timestamp("us", "UTC"))
    assert texts_of(utc) == ['"2026-11-27T10:15:30.123456Z"', "null"]
    paris = pa.array([moment], pa.timestamp("us", "Europe/Paris"))
    assert texts_of(paris) == ['"2026-11-27T10:15:30.123456Z"']  # same instant, shown in UTC
    naive = pa.array([moment.replace(tzinfo=None)], pa.timestamp("ms"))
    assert texts_of(naive) == ['"2026-11-27T10:15:30.123"']


def test_timestamps_outside_four_digit_years_keep_the_t_separator() -> None:
    seconds = pa.array([253_402_300_800, 0], pa.timestamp("s", "UTC"))
    assert texts_of(seconds) == ['"10000-01-01T00:00:00Z"', '"1970-01-01T00:00:00Z"']


def test_format_timestamps_is_unquoted_and_keeps_nulls() -> None:
    moment = dt.datetime(2026, 11, 27, 10, 15, 30, tzinfo=UTC)
    text = format_timestamps(pa.array([moment, None], pa.timestamp("us", "UTC")))
    assert text.to_pylist() == ["2026-11-27T10:15:30.000000Z", None]


def test_sliced_arrays_render_only_their_slice() -> None:
    assert texts_of(pa.array(['x"', "y", "z"]).slice(1)) == ['"y"', '"z"']
    assert texts_of(pa.array([[1], [2, 3], None, [4]]).slice(1, 2)) == ["[2,3]", "null"]
    entries = pa.array([[("a", 1)], [("b", 2)]], pa.map_(pa.string(), pa.int64()))
    assert texts_of(entries.slice(1)) == ['{"b":2}']


def test_unsupported_types_are_refused_by_name() -> None:
    with pytest.raises(TypeError, match="binary"):
        to_json_text(pa.array([b"\x00"]))


def test_encode_ndjson_writes_one_object_per_line() -> None:
    batch = pa.record_batch(
        {
            "id": [1, 2],
            "name": ["a", None],
            "at": pa.array([0, None], pa.timestamp("us", "UTC")),
            "tags": [["x"], []],
            'we"ird': [True, False],
        }
    )
    assert bytes(encode_ndjson(batch)) == (
        b'{"id":1,"name":"a","at":"1970-01-01T00:00:00.000000Z","tags":["x"],"we\\"ird":true}\n'
        b'{"id":2,"name":null,"at":null,"tags":[],"we\\"ird":false}\n'
    )


def test_encode_ndjson_edge_shapes() -> None:
    assert bytes(encode_ndjson(pa.record_batch({"a": pa.array([], pa.int64())}))) == b""
    no_columns = pa.RecordBatch.from_pydict({}).slice(0, 0)
    assert bytes(encode_ndjson(no_columns)) == b""
    assert bytes(encode_ndjson(pa.record_batch({"a": [1, 2, 3]}).slice(1))) == (
        b'{"a":2}\n{"a":3}\n'
    )


# --- properties -------------------------------------------------------------------------------

_INTS = st.integers(-(2**63), 2**63 - 1)
_FLOATS = st.floats(allow_nan=False, allow_infinity=False)
_TEXTS = st.text() | st.text(alphabet='"\\\n\r\t\x00\x08\x0c\x1f\x7f\u2028é😀 ,:{}[]ab')
_KINDS: dict[str, tuple[pa.DataType, st.SearchStrategy[Any]]] = {
    "int": (pa.int64(), _INTS),
    "float": (pa.float64(), _FLOATS),
    "str": (pa.string(), _TEXTS),
    "bool": (pa.bool_(), st.booleans()),
    "null": (pa.null(), st.none()),
    "list_int": (pa.list_(pa.int64()), st.lists(st.none() | _INTS, max_size=4)),
    "list_str": (pa.list_(pa.string()), st.lists(st.none() | _TEXTS, max_size=4)),
    "list_list": (pa.list_(pa.list_(pa.float64())), st.lists(st.lists(_FLOATS, max_size=3))),
    "map": (
        pa.map_(pa.string(), pa.int64()),
        st.dictionaries(_TEXTS, st.none() | _INTS, max_size=4),
    ),
    "map_list": (
        pa.map_(pa.string(), pa.list_(pa.string())),
        st.dictionaries(_TEXTS, st.lists(_TEXTS, max_size=2), max_size=3),
    ),
}


@st.composite
def columns(draw: st.DrawFn, rows: int | None = None) -> tuple[pa.Array, list[Any]]:
    """A random column and its values as json.loads should return them; often a slice."""
    data_type, values = _KINDS[draw(st.sampled_from(sorted(_KINDS)))]
    count = draw(st.integers(0, 12)) if rows is None else rows
    lead = draw(st.integers(0, 3))  # rows before the slice: exercises array offsets
    drawn = draw(st.lists(st.none() | values, min_size=lead + count, max_size=lead + count))
    arrow_values = [list(v.items()) if isinstance(v, dict) else v for v in drawn]
    return pa.array(arrow_values, data_type).slice(lead), drawn[lead:]


@given(columns())
def test_every_value_round_trips_through_json(column: tuple[pa.Array, list[Any]]) -> None:
    array, expected = column
    assert [json.loads(text) for text in texts_of(array)] == expected


@given(st.data())
def test_ndjson_lines_parse_back_to_the_rows(data: st.DataObject) -> None:
    rows = data.draw(st.integers(0, 8))
    names = data.draw(st.lists(_TEXTS, min_size=1, max_size=5, unique=True))
    drawn = [data.draw(columns(rows)) for _ in names]
    batch = pa.RecordBatch.from_arrays([array for array, _ in drawn], names=names)
    payload = bytes(encode_ndjson(batch))
    # Split on "\n" only: raw U+2028 inside a JSON string is legal and must not end a line.
    lines = payload.split(b"\n")
    assert lines[-1] == b""
    parsed = [json.loads(line) for line in lines[:-1]]
    assert parsed == [
        {name: values[row] for name, (_, values) in zip(names, drawn, strict=True)}
        for row in range(rows)
    ]


@given(
    st.lists(
        st.none()
        | st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
        max_size=10,
    )
)
def test_timestamps_round_trip(moments: list[dt.datetime | None]) -> None:
    zoned = [m.replace(tzinfo=UTC) if m else None for m in moments]
    texts = texts_of(pa.array(zoned, pa.timestamp("us", "UTC")))
    parsed = [json.loads(text) for text in texts]
    assert [dt.datetime.fromisoformat(p) if p else None for p in parsed] == zoned

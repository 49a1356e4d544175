"""The format registry, the contract every registered format keeps, and each format's output."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamforge.sinks import FORMATS, get_format, register_format
from streamforge.sinks.fmt_json import JsonFormat

MOMENT = dt.datetime(2026, 11, 27, 10, 15, 30, 123456, tzinfo=dt.UTC)


def sample_batch() -> pa.RecordBatch:
    return pa.record_batch(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "name": ["plain", 'with "quotes", comma', None],
            "at": pa.array([MOMENT, None, MOMENT], pa.timestamp("us", "UTC")),
            "day": pa.array([dt.date(2026, 11, 27)] * 3),
            "amount": pa.array([Decimal("1.50"), None, Decimal("-2.25")], pa.decimal128(9, 2)),
            "ok": [True, False, None],
            "tags": pa.array([["a", "b"], [], None], pa.list_(pa.string())),
            "attrs": pa.array(
                [[("k", 1)], None, [("x", 2), ("y", 3)]], pa.map_(pa.string(), pa.int64())
            ),
        }
    )


def write(format_name: str, *batches: pa.RecordBatch) -> bytes:
    stream = io.BytesIO()
    writer = get_format(format_name).open(stream, batches[0].schema)
    for batch in batches:
        writer.write(batch)
    writer.close()
    return stream.getvalue()


def test_the_three_formats_are_registered() -> None:
    assert {"json", "csv", "parquet"} <= set(FORMATS)
    assert get_format("parquet").extension == "parquet"


def test_unknown_format_lists_known_names_and_a_suggestion() -> None:
    with pytest.raises(ValueError, match=r"'jsn'.*csv, delta, json, parquet.*did you mean 'json'"):
        get_format("jsn")


def test_a_second_format_class_cannot_take_a_registered_name() -> None:
    class Impostor(JsonFormat):
        pass

    with pytest.raises(ValueError, match="already registered"):
        register_format(Impostor())
    assert register_format(FORMATS["json"]) is FORMATS["json"]  # same object again: no-op


# --- contract: runs over every registered file format, including ones added later ------------
# (table formats such as Delta write whole tables, not streams: tests/runner covers them)
FILE_FORMATS = sorted(n for n, f in FORMATS.items() if f.writes == "files")


@pytest.mark.parametrize("name", FILE_FORMATS)
def test_format_contract(name: str) -> None:
    fmt = FORMATS[name]
    assert fmt.name == name
    assert fmt.extension and "." not in fmt.extension
    stream = io.BytesIO()
    writer = fmt.open(stream, sample_batch().schema)
    writer.write(sample_batch())
    writer.write(sample_batch().slice(1))
    writer.close()
    assert not stream.closed  # the caller owns the stream
    assert stream.getvalue()


@pytest.mark.parametrize("name", FILE_FORMATS)
def test_format_refuses_a_batch_of_another_schema(name: str) -> None:
    writer = FORMATS[name].open(io.BytesIO(), sample_batch().schema)
    with pytest.raises(ValueError):
        writer.write(pa.record_batch({"other": [1]}))


# --- per format ---------------------------------------------------------------------------------


def test_json_is_ndjson_of_every_batch() -> None:
    lines = write("json", sample_batch(), sample_batch().slice(2)).decode().split("\n")
    assert lines[-1] == ""
    rows = [json.loads(line) for line in lines[:-1]]
    assert len(rows) == 4
    assert rows[0] == {
        "id": 1,
        "name": "plain",
        "at": "2026-11-27T10:15:30.123456Z",
        "day": "2026-11-27",
        "amount": 1.5,
        "ok": True,
        "tags": ["a", "b"],
        "attrs": {"k": 1},
    }
    assert rows[3]["id"] == 3


def test_csv_has_a_header_iso_timestamps_and_nested_columns_as_json() -> None:
    data = write("csv", sample_batch())
    header = data.split(b"\n", 1)[0].decode()
    assert header == '"id","name","at","day","amount","ok","tags","attrs"'
    table = pcsv.read_csv(
        io.BytesIO(data),
        convert_options=pcsv.ConvertOptions(
            column_types={name: pa.string() for name in ("at", "tags", "attrs")},
            strings_can_be_null=True,
        ),
    )
    assert table.column("name").to_pylist() == ["plain", 'with "quotes", comma', None]
    assert table.column("at").to_pylist() == [
        "2026-11-27T10:15:30.123456Z", None, "2026-11-27T10:15:30.123456Z",
    ]  # fmt: skip
    assert table.column("tags").to_pylist() == ['["a","b"]', "[]", None]
    attrs = [json.loads(text) if text else None for text in table.column("attrs").to_pylist()]
    assert attrs == [{"k": 1}, None, {"x": 2, "y": 3}]


def test_csv_writes_one_header_for_many_batches() -> None:
    data = write("csv", sample_batch(), sample_batch())
    assert data.count(b'"id","name"') == 1
    assert len(pcsv.read_csv(io.BytesIO(data))) == 6


def test_parquet_round_trips_with_snappy() -> None:
    batch = sample_batch()
    data = write("parquet", batch, batch)
    table = pq.read_table(io.BytesIO(data))
    assert table.equals(pa.Table.from_batches([batch, batch]))
    metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    assert metadata.row_group(0).column(0).compression == "SNAPPY"


@pytest.mark.parametrize("plain", [False, True])
def test_parquet_row_groups_hold_part_rows_whatever_the_batches(monkeypatch, plain) -> None:
    """Rule (fmt_parquet.PART_ROWS): batches are gathered into row groups of PART_ROWS rows and
    cut at it; only the last row group may be smaller. Both writers cut alike."""
    from streamforge.sinks import fmt_parquet

    monkeypatch.setenv(fmt_parquet.PLAIN_PARQUET_ENV, "1" if plain else "0")
    monkeypatch.setattr(fmt_parquet, "PART_ROWS", 4)
    batches = [sample_batch().slice(i % 3) for i in range(12)] + [sample_batch().slice(3)]
    data = write("parquet", *batches)
    parquet = pq.ParquetFile(io.BytesIO(data))
    expected = pa.Table.from_batches(batches)
    assert parquet.read().equals(expected)
    sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.metadata.num_row_groups)]
    assert expected.num_rows == 24 and sizes == [4] * 6  # 3+2+1 rows gathered, empty adds none
    data = write("parquet", *batches[:-1], sample_batch().slice(1))  # 24 + 2 rows
    parquet = pq.ParquetFile(io.BytesIO(data))
    sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.metadata.num_row_groups)]
    assert sizes == [4] * 6 + [2]  # the rest is the last row group
    big = pa.Table.from_batches([sample_batch()] * 3).combine_chunks().to_batches()[0]
    parquet = pq.ParquetFile(io.BytesIO(write("parquet", big)))
    sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.metadata.num_row_groups)]
    assert sizes == [4, 4, 1] and parquet.read().equals(pa.Table.from_batches([big]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=12), st.integers(1, 7))
def test_parquet_row_groups_depend_on_the_row_count_only(cuts: list[int], part: int) -> None:
    """However the rows come in batches, the row groups are PART_ROWS rows, then the rest."""
    from streamforge.sinks import fmt_parquet

    total = sum(cuts)
    table = pa.table({"n": pa.array(range(total), pa.int64())})
    batches, start = [], 0
    for rows in cuts:
        batches.append(
            table.slice(start, rows).combine_chunks().to_batches()[0]
            if rows
            else pa.record_batch({"n": pa.array([], pa.int64())})
        )
        start += rows
    original = fmt_parquet.PART_ROWS
    fmt_parquet.PART_ROWS = part  # hypothesis runs many examples per test: no monkeypatch fixture
    try:
        data = write("parquet", *batches)
    finally:
        fmt_parquet.PART_ROWS = original
    parquet = pq.ParquetFile(io.BytesIO(data))
    sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.metadata.num_row_groups)]
    assert sizes == [part] * (total // part) + ([total % part] if total % part else [])
    assert parquet.read().column("n").to_pylist() == list(range(total))


def test_parquet_first_row_groups_are_one_chunk_each() -> None:
    """Rule (fmt_parquet.SMALL_PARTS): the first SMALL_PARTS row groups hold SMALL_PART_ROWS rows
    (a dimension's parts encode in parallel), then PART_ROWS, then the rest."""
    from streamforge.sinks import fmt_parquet

    small, part = fmt_parquet.SMALL_PART_ROWS, fmt_parquet.PART_ROWS
    total = fmt_parquet.SMALL_PARTS * small + part + 5
    table = pa.table({"n": pa.array(range(total), pa.int64())})
    data = write("parquet", *table.to_batches(max_chunksize=100_000))
    parquet = pq.ParquetFile(io.BytesIO(data))
    sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.metadata.num_row_groups)]
    assert sizes == [1 << 16] * 4 + [1 << 18, 5]
    assert parquet.read().column("n").equals(table.column("n"))


def test_parquet_with_no_rows_is_a_valid_empty_file() -> None:
    schema = sample_batch().schema
    data = write("parquet", sample_batch().slice(3))
    table = pq.read_table(io.BytesIO(data))
    assert table.num_rows == 0 and table.schema.equals(schema, check_metadata=False)


def test_parquet_gives_dictionaries_to_text_that_repeats_over_a_row_group() -> None:
    import numpy as np
    import pyarrow.compute as pc

    from streamforge.sinks.fmt_parquet import _repetitive, estimated_distinct

    rng = np.random.default_rng(3)
    rows = 65_536
    text = lambda n: pc.cast(pa.array(rng.integers(0, n, rows)), pa.string())  # noqa: E731
    batch = pa.record_batch(
        {"segment": text(3), "city": text(4000), "name": text(10**9), "id": np.arange(rows)}
    )
    assert _repetitive(batch) == ["segment", "city"]
    assert _repetitive(batch.slice(0, 5000)) == ["segment"]  # 4000 cities barely repeat
    for population in (10, 700, 4000, 50_000):
        seen = len(np.unique(rng.integers(0, population, 4096)))
        assert 0.85 * population < estimated_distinct(seen, 4096) < 1.15 * population
    assert estimated_distinct(4096, 4096) == float("inf")
    assert estimated_distinct(0, 4096) == 0  # a column of nulls
    parquet = pq.ParquetFile(io.BytesIO(write("parquet", batch)))
    encodings = [parquet.metadata.row_group(0).column(i).encodings for i in range(4)]
    assert "RLE_DICTIONARY" in encodings[1] and "RLE_DICTIONARY" not in encodings[2]


def test_parquet_delta_encodes_integers_and_times_without_a_dictionary() -> None:
    """Rule (fmt_parquet._delta_encoded): integer, timestamp and date columns that get no
    dictionary are DELTA_BINARY_PACKED; dictionary columns, floats and text are not. Values
    (nulls included) read back unchanged."""
    rows = 20_000
    at = [MOMENT + dt.timedelta(seconds=i) if i % 97 else None for i in range(rows)]
    batch = pa.record_batch(
        {
            "id": pa.array(range(1, rows + 1), pa.int64()),
            "plant_id": pa.array([1 + i * 7 % 120 for i in range(rows)], pa.int64()),
            "at": pa.array(at, pa.timestamp("us", "UTC")),
            "day": pa.array([dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(rows)]),
            "small": pa.array([(i * 7919) % 30_001 - 15_000 for i in range(rows)], pa.int16()),
            "amount": pa.array([i * 0.37 for i in range(rows)], pa.float64()),
            "email": pa.array([f"user{i}@example.com" for i in range(rows)]),
        }
    )
    data = write("parquet", batch)
    assert pq.read_table(io.BytesIO(data)).equals(pa.Table.from_batches([batch]))
    group = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0)
    delta = {
        group.column(i).path_in_schema
        for i in range(group.num_columns)
        if "DELTA_BINARY_PACKED" in group.column(i).encodings
    }
    assert delta == {"id", "at", "day", "small"}
    sizes = {
        group.column(i).path_in_schema: group.column(i).total_compressed_size for i in range(7)
    }
    assert sizes["id"] < rows // 100  # consecutive keys pack into almost nothing


def test_parquet_dictionary_for_repetitive_columns_and_statistics_for_non_text() -> None:
    """Rule (fmt_parquet): a dictionary for columns that repeat over a row group (categories, a
    foreign key to a small dimension), plain encoding for distinct values (keys, amounts);
    min/max statistics for every non-text column, none for text."""
    rows = 20_000
    batch = pa.record_batch(
        {
            "id": pa.array(range(1, rows + 1), pa.int64()),
            "plant_id": pa.array([1 + i * 7 % 120 for i in range(rows)], pa.int64()),
            "amount": pa.array([i * 0.37 for i in range(rows)], pa.float64()),
            "weather": pa.array([("CLEAR", "RAINY", "SNOWY")[i % 3] for i in range(rows)]),
            "email": pa.array([f"user{i}@example.com" for i in range(rows)]),
        }
    )
    metadata = pq.ParquetFile(io.BytesIO(write("parquet", batch))).metadata
    group = metadata.row_group(0)
    columns = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
    dictionary = {name for name, c in columns.items() if c.has_dictionary_page}
    assert dictionary == {"plant_id", "weather"}
    with_statistics = {name for name, c in columns.items() if c.is_stats_set}
    assert with_statistics == {"id", "plant_id", "amount"}
    assert pq.read_table(io.BytesIO(write("parquet", batch))).equals(pa.Table.from_batches([batch]))

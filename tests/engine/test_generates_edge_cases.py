"""Schemas that validated but crashed at generate time (issue 11.1) now generate, with the values
their YAML asks for."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from streamforge import api

SCHEMA = Path(__file__).resolve().parents[2] / "schema"


def test_shipped_loan_payments_with_late_rows_generates(tmp_path: Path) -> None:
    # paid_at (the event time) has null_rate 0.06; a late_rate used to crash every cycle.
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA / "Finance", schema / "Finance")
    source = schema / "Finance" / "loan_payments.yml"
    source.write_text(source.read_text().replace("type: fact\n", "type: fact\nlate_rate: 0.02\n"))
    result = api.generate("Finance", tmp_path / "out", schema_dir=schema, cycles=2, workers=1)
    files = [f for f in result.files if f.table == "loan_payments"]
    assert len(files) == 2 and all(f.rows >= 300 for f in files)


def test_nullable_event_time_keeps_its_nulls_under_every_fault(run_lab) -> None:
    spec = {"type": "datetime", "null_rate": 0.3}
    faults = {"late_rate": 0.3, "out_of_order_rate": 0.3, "duplicate_rate": 0.1}
    columns = {"t_id": "long", "event_time": spec, "x": "int"}
    run = run_lab({"t": {"type": "fact", "num_rows": 2000, **faults, "columns": columns}})
    stamps = run.table("t")["event_time"]
    nulls = stamps.null_count / len(stamps)
    assert 0.2 < nulls < 0.4  # null_rate holds: faults neither fill nor add nulls
    window_start = run.config.window(0)[0]
    late = pc.sum(pc.less(stamps.cast("int64"), window_start)).as_py()
    assert late > 0  # the non-null rows are still made late


def test_float_bounds_near_the_double_limit(column_values) -> None:
    for distribution in ("uniform", "normal", "lognormal", "exponential", "zipf"):
        spec = {"type": "float", "min": -1e308, "max": 1e308, "distribution": distribution}
        values = column_values(spec, rows=500)["value"].to_numpy()
        assert np.isfinite(values).all()
        assert ((values >= -1e308) & (values <= 1e308)).all()


def test_float_anomalies_near_the_double_limit_stay_finite(run_lab) -> None:
    spec = {"type": "double", "min": -1e308, "max": 1.7e308, "anomaly_rate": 0.5}
    tables = {"t": {"type": "dimension", "num_rows": 400, "columns": {"t_id": "long", "v": spec}}}
    output = run_lab(tables).outputs[("t", 0)]
    values = output.data["v"].to_numpy()
    outside = (values < -1e308) | (values > 1.7e308)
    assert np.isfinite(values).all()
    assert outside.sum() == output.anomalies["v"] > 100


def test_unique_format_of_64_letters(column_values) -> None:
    values = column_values({"type": "string", "format": "?" * 64, "unique": True}, rows=3000)
    texts = values["value"].to_pylist()
    assert len(set(texts)) == 3000
    assert all(len(t) == 64 and t.isalpha() and t.isupper() for t in texts)
    assert len({t[:10] for t in texts}) > 2900  # the leading letters vary too, not just 'AAAA…'


def test_map_with_integer_keys_at_the_top_of_long(column_values) -> None:
    keys = {"type": "long", "min": 2**63 - 5, "max": 2**63 - 1}
    spec = {"type": "map", "keys": keys, "values": "int", "min_items": 5, "max_items": 5}
    maps = column_values(spec, rows=50)["value"].to_pylist()
    assert all(sorted(k for k, _ in m) == list(range(2**63 - 5, 2**63)) for m in maps)


def test_lognormal_with_a_huge_stddev(column_values) -> None:
    spec = {"type": "double", "min": 0, "max": 10, "distribution": "lognormal", "stddev": 1e299}
    values = column_values(spec, rows=200)["value"].to_numpy()
    assert ((values >= 0) & (values <= 10)).all()


def test_anomalies_on_arrays_and_maps_are_counted(run_lab) -> None:
    columns = {
        "t_id": "long",
        "tags": {"type": "array", "items": "int", "anomaly_rate": 0.3},
        "attrs": {"type": "map", "keys": "string", "values": "double", "anomaly_rate": 0.3},
    }
    output = run_lab({"t": {"type": "dimension", "num_rows": 500, "columns": columns}}).outputs
    data, anomalies = output[("t", 0)].data, output[("t", 0)].anomalies
    for name in ("tags", "attrs"):  # an anomalous collection is a null (it has no min/max)
        assert data[name].null_count == anomalies[name] > 100


def test_datetime_with_only_a_max_before_the_history_window(column_values) -> None:
    for kind, bound in (("datetime", "1900-01-01T00:00:00Z"), ("date", "1900-01-01")):
        data = column_values({"type": kind, "max": bound}, rows=300)
        column = data["value"]
        micros = (column.cast("int32") if kind == "date" else column.cast("int64")).to_numpy()
        limit = -2208988800 * 10**6 if kind == "datetime" else -25567  # 1900-01-01
        assert (micros <= limit).all()
        assert len(set(micros.tolist())) > 100  # a window of history before max, not one value


def test_dates_far_from_1970_keep_their_microseconds(column_values) -> None:
    bound = "0001-01-01T00:00:00.000001Z"
    data = column_values({"type": "datetime", "min": bound, "max": bound}, rows=5)
    assert data["value"].cast("int64").to_pylist() == [-62135596800 * 10**6 + 1] * 5


def test_double_values_beyond_int64(column_values) -> None:
    spec = {"type": "double", "values": [-2414570942809872269312, 117276442]}
    values = set(column_values(spec, rows=100)["value"].to_pylist())
    assert values == {-2414570942809872269312.0, 117276442.0}


def test_a_change_feed_listing_a_datetime_attribute_of_its_dimension(run_lab) -> None:
    # No change timestamp is listed: the dimension's `seen_on` stays an attribute; the feed gets
    # its own change_timestamp (it used to take `seen_on` as the timestamp, then fail).
    dimension = {"d_id": "long", "seen_on": {"type": "datetime", "min": "2020-01-01T00:00:00Z"}}
    feed = {"d_id": "long", "change_type": {"type": "string", "format": "INSERT|UPDATE|DELETE"}}
    tables = {
        "d": {"type": "dimension", "num_rows": 20, "columns": dimension},
        "d_changes": {"type": "change_feed", "num_rows": 10, "tracks": "d",
                      "columns": {**feed, "seen_on": dimension["seen_on"]}},
    }  # fmt: skip
    run = run_lab(tables, cycles=2)
    changes = run.table("d_changes", 1)
    assert "change_timestamp" in changes.column_names
    assert changes["seen_on"].null_count == 0


def test_decimal_scale_0_anomalies_in_a_change_feed(run_lab) -> None:
    # The rule's bound of a decimal(12,0) was an int64 scalar, which needs precision 19.
    attribute = {"type": "decimal(12,0)", "min": -340618, "anomaly_rate": 0.5}
    feed = {"e_id": "long", "op": {"type": "string", "format": "INSERT|UPDATE|DELETE"}}
    tables = {
        "e_changes": {"type": "change_feed", "num_rows": 30, "columns": {**feed, "c": attribute}}
    }
    run = run_lab(tables, cycles=2)
    values = [v for v in run.table("e_changes", 1)["c"].to_pylist() if v is not None]
    assert any(v < -340618 for v in values)


def test_a_change_feed_whose_every_row_is_held_back_late(run_lab) -> None:
    # Two rows, late_rate 0.9: a cycle can hold back every row; its file is then empty.
    feed = {"d_id": "long", "change_type": {"type": "string", "format": "INSERT|UPDATE|DELETE"}}
    tables = {
        "d": {"type": "dimension", "num_rows": 5, "columns": {"d_id": "long", "x": "int"}},
        "d_changes": {"type": "change_feed", "num_rows": 2, "tracks": "d", "late_rate": 0.9,
                      "columns": {**feed, "x": "int"}},
    }  # fmt: skip
    run = None
    for seed in range(8):  # some seed holds back both rows of a cycle
        run = run_lab(tables, cycles=3, seed=seed)
        if any(run.table("d_changes", c).num_rows == 0 for c in range(3)):
            break
    assert run is not None
    assert any(run.table("d_changes", c).num_rows == 0 for c in range(3))

"""Injected data-quality faults: null_rate, and anomaly_rate counted exactly per chunk."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from streamforge.engine import seeding
from streamforge.engine.generators.temporal import to_micros


@pytest.mark.parametrize("kind", ["int", "string", "datetime", "float", "bool"])
def test_null_rate_is_roughly_respected(column_values, kind) -> None:
    table = column_values({"type": kind, "null_rate": 0.25}, rows=20_000)
    share = table.column("value").null_count / 20_000
    assert abs(share - 0.25) < 0.015
    assert table.column("t_id").null_count == 0  # the key is never nulled


def test_no_null_rate_means_no_nulls(column_values) -> None:
    table = column_values({"type": "string", "format": "A|B"}, rows=5000)
    assert table.column("value").null_count == 0


def broken(values: list, spec: dict) -> np.ndarray:
    """Rows that break the column's rule, judged here from the spec alone."""
    if "values" in spec or "|" in spec.get("format", ""):
        allowed = set(spec.get("values") or spec["format"].split("|"))
        return np.array([v is not None and v not in allowed for v in values])
    if "min" in spec or "max" in spec:
        low, high = spec.get("min"), spec.get("max")
        if spec["type"] in ("datetime", "date"):
            low = to_micros(low) if low else None
            high = to_micros(high) + (86_400_000_000 - 1 if spec["type"] == "date" else 0)
        elif spec["type"].startswith("decimal"):
            low, high = Decimal(str(low)), Decimal(str(high))
        out = [
            v is not None and ((low is not None and v < low) or (high is not None and v > high))
            for v in values
        ]
        return np.array(out)
    return np.array([v is None for v in values])


ANOMALOUS = {
    "int": {"type": "int", "min": 10, "max": 20},
    "int_min_only": {"type": "int", "min": 0},
    "float": {"type": "float", "min": 0.5, "max": 2.5},
    "float_whole": {"type": "float", "min": 1, "max": 5, "decimals": 0},
    "decimal": {"type": "decimal(6,2)", "min": 1, "max": 99},
    "decimal_whole": {"type": "decimal(5,0)", "min": 1, "max": 3},
    "values": {"type": "string", "values": ["A", "B", "C"], "weights": [5, 3, 2]},
    "format": {"type": "string", "format": "RES|COM|IND"},
    "int_values": {"type": "int", "values": [1, 2, 3]},
    "datetime": {"type": "datetime", "min": "2024-01-01T00:00:00Z", "max": "2024-06-30T00:00:00Z"},
    "date": {"type": "date", "min": "2024-01-01", "max": "2024-01-31"},
    "no_rule": {"type": "string"},
}


def as_comparable(column: pa.ChunkedArray, spec: dict) -> list:
    if spec["type"] in ("datetime", "date"):
        if spec["type"] == "date":
            return [
                None if v is None else v * 86_400_000_000
                for v in column.cast(pa.int32()).to_pylist()
            ]
        return column.cast(pa.int64()).to_pylist()
    return column.to_pylist()


@pytest.mark.parametrize("name", list(ANOMALOUS))
def test_anomalies_break_the_rule_and_are_counted_exactly(run_lab, monkeypatch, name) -> None:
    monkeypatch.setattr(seeding, "CHUNK_ROWS", 1500)
    spec = {**ANOMALOUS[name], "anomaly_rate": 0.1}
    tables = {"m": {"type": "fact", "num_rows": 4000, "columns": {"m_id": "long", "v": spec}}}
    run = run_lab(tables, cycles=2)
    for cycle in range(2):
        output = run.outputs[("m", cycle)]
        assert len(output.chunk_anomalies) == 3
        values = as_comparable(output.data.column("v"), spec)
        bad = broken(values, ANOMALOUS[name])
        for (lo, hi), counts in zip(
            seeding.chunk_bounds(4000), output.chunk_anomalies, strict=True
        ):
            assert counts.get("v", 0) == int(bad[lo:hi].sum()), f"cycle {cycle} rows {lo}:{hi}"
        assert 250 < bad.sum() < 550  # about 10% of 4000
        assert output.anomalous_rows == int(bad.sum())


def test_clean_columns_break_no_rule(column_values) -> None:
    for spec in ANOMALOUS.values():
        if spec["type"] == "string" and "format" not in spec and "values" not in spec:
            continue
        values = as_comparable(column_values(spec, rows=3000, name="v").column("v"), spec)
        assert not broken(values, spec).any(), spec


def test_anomalous_rows_count_each_row_once(run_lab) -> None:
    columns = {
        "m_id": "long",
        "a": {"type": "int", "min": 0, "max": 9, "anomaly_rate": 0.3},
        "b": {"type": "string", "format": "X|Y", "anomaly_rate": 0.3},
    }
    run = run_lab({"m": {"type": "fact", "num_rows": 3000, "columns": columns}})
    output = run.outputs[("m", 0)]
    a = np.array(broken(output.data.column("a").to_pylist(), columns["a"]))
    b = np.array(broken(output.data.column("b").to_pylist(), columns["b"]))
    assert output.anomalies == {"a": int(a.sum()), "b": int(b.sum())}
    assert output.anomalous_rows == int((a | b).sum()) < int(a.sum() + b.sum())


def test_an_anomalous_foreign_key_is_null_and_counted(run_lab) -> None:
    tables = {
        "shop": {"type": "dimension", "num_rows": 20, "columns": {"shop_id": "int"}},
        "sale": {
            "type": "fact",
            "num_rows": 3000,
            "columns": {"sale_id": "long", "shop_id": {"type": "int", "anomaly_rate": 0.1}},
        },
    }
    output = run_lab(tables).outputs[("sale", 0)]
    column = output.data.column("shop_id")
    assert output.anomalies["shop_id"] == column.null_count > 200
    assert set(pc.drop_null(column).to_pylist()) <= set(range(1, 21))

"""The gold as-of views (`--scd 2`): which facts get one, what they join, and the boundary rule.

The end-to-end proof on Spark is test_end_to_end_as_of.py; here the generated join runs on DuckDB
(sqlglot turns the Spark SQL into DuckDB's) over SCD2 histories drawn by hypothesis, event times
falling exactly on change times included, against the generator's own lookup (engine/versions.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

from streamforge import api
from streamforge.engine.key_time import BEFORE_RUN
from streamforge.engine.versions import Versions
from streamforge.pipelines.as_of import as_of_query
from streamforge.pipelines.model import build_model

ROOT = Path(__file__).resolve().parents[2]
SECTORS = Path(__file__).parent / "sectors"
TARGETS = [(t, lang) for t in ("databricks", "dlt-legacy", "spark") for lang in ("python", "sql")]


def as_of_model():
    return build_model(api.load_plan("AsOf", SECTORS))


def test_a_fact_with_lookups_joins_history_for_a_changing_dimension_and_the_row_otherwise():
    (view,) = as_of_model().as_of
    assert (view.name, view.event_time) == ("gold_sales_as_of", "sold_at")
    store, product = view.joins
    assert (store.table, store.via, store.history) == ("store_history", "store_id", True)
    assert store.columns == (("region", "store_region"), ("price_band", "store_price_band"))
    assert (product.table, product.history) == ("product", False)
    assert product.columns == (("list_price", "product_list_price"),)
    sql = as_of_query(view)
    valid = "f.`sold_at` >= d1.__START_AT AND (d1.__END_AT IS NULL OR f.`sold_at` < d1.__END_AT)"
    assert valid in sql
    assert sqlglot.parse_one(sql, read="spark") is not None


def test_a_fact_referencing_a_changing_dimension_shows_all_its_attributes():
    model = build_model(api.load_plan("Energy", ROOT / "schema"))
    (view,) = model.as_of  # meter_readings -> customer (customer_changes); plants never change
    (join,) = view.joins
    customer = next(d for d in model.dimensions if d.name == "customer")
    assert join.table == "customer_history"
    assert [c for c, _ in join.columns] == list(customer.attributes)
    # a name the fact already has would be ambiguous: kept apart
    assert len({out for _, out in join.columns} | {c.name for c in view.fact.columns}) == len(
        join.columns
    ) + len(view.fact.columns)


@pytest.mark.parametrize(("target", "language"), TARGETS)
def test_every_gold_target_renders_the_as_of_view_with_scd2_only(target, language):
    def code(scd):
        project = api.pipeline(
            "AsOf", None, schema_dir=SECTORS, target=target, language=language, scd=scd
        )
        return "\n".join(t for n, t in project.files.items() if n.startswith("transformations"))

    with_history = code(2)
    assert "gold_sales_as_of" in with_history
    assert "f.`sold_at` >= d1.__START_AT" in with_history
    assert "gold_sales_as_of" not in code(1)


@pytest.mark.parametrize(("target", "language"), TARGETS)
def test_the_history_is_valid_from_the_change_time(target, language):
    """__START_AT is the change timestamp (what event times compare with), not the sequence."""
    project = api.pipeline(
        "AsOf", None, schema_dir=SECTORS, target=target, language=language, scd=2
    )
    text = "\n".join(project.files.values())
    if target == "spark":
        assert "'change_timestamp').alias(\"__START_AT\")" in text or (
            "`change_timestamp` AS __START_AT" in text
        )
    elif language == "python":
        assert "sequence_by=F.col('change_timestamp')" in text
    else:
        history = "COLUMNS * EXCEPT (`change_type`, `sequence_num`, `change_timestamp`)"
        assert f"SEQUENCE BY `change_timestamp`\n{history}\nSTORED AS SCD TYPE 2" in text


VALUES = ["NORTH", "SOUTH", "EAST", "WEST"]


@st.composite
def histories(draw):
    """Per key: a snapshot version, then changes at increasing times, the last maybe a DELETE;
    and facts whose event times hit change times exactly, just before, or anywhere."""
    keys, stamps, deleted, values = [], [], [], []
    probes = []
    for key in range(1, draw(st.integers(1, 5)) + 1):
        times = sorted(draw(st.sets(st.integers(0, 50), max_size=5)))
        keys.append(key)
        stamps.append(BEFORE_RUN)
        deleted.append(False)
        values.append(draw(st.sampled_from(VALUES)))
        for i, t in enumerate(times):
            keys.append(key)
            stamps.append(t)
            deleted.append(i == len(times) - 1 and draw(st.booleans()))
            values.append(draw(st.sampled_from(VALUES)))
            probes += [(key, t), (key, t - 1)]
        probes += [(key, draw(st.integers(-5, 60))) for _ in range(3)]
    return keys, stamps, deleted, values, probes


@settings(max_examples=60, deadline=None)
@given(histories())
def test_the_as_of_join_reads_what_the_generator_looked_up(drawn):
    keys, stamps, deleted, values, probes = drawn
    (view,) = as_of_model().as_of
    snapshot = np.array([s == BEFORE_RUN for s in stamps])
    versions = Versions.snapshot(
        np.array(keys)[snapshot], pa.table({"region": np.array(values)[snapshot]})
    )
    versions = versions.changed(
        np.array(keys)[~snapshot],
        np.array(stamps)[~snapshot],
        np.array(deleted)[~snapshot],
        pa.table({"region": np.array(values, dtype=object)[~snapshot]}),
    )
    fact_keys = np.array([k for k, _ in probes])
    fact_times = np.array([t for _, t in probes])
    expected = versions.at(fact_keys, fact_times).column("region").to_pylist()

    # The SCD2 history as the pipelines keep it: a row per version, valid from its change time
    # until the next version's; a DELETE closes the last version and leaves no row itself.
    history = []
    for i, key in enumerate(keys):
        nxt = stamps[i + 1] if i + 1 < len(keys) and keys[i + 1] == key else None
        if not deleted[i]:
            start = -(10**6) if stamps[i] == BEFORE_RUN else stamps[i]
            history.append((key, values[i], start, nxt))
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE store_history (store_id BIGINT, region VARCHAR, price_band VARCHAR, "
        "__START_AT BIGINT, __END_AT BIGINT)"
    )
    con.executemany("INSERT INTO store_history VALUES (?, ?, 'LOW', ?, ?)", history)
    con.execute("CREATE TABLE product (product_id BIGINT, list_price DECIMAL(10,2))")
    con.execute(
        "CREATE TABLE silver_sales (sale_id BIGINT, store_id BIGINT, product_id BIGINT, "
        "sold_at BIGINT, quantity INT, region VARCHAR, price_band VARCHAR, amount DECIMAL(12,2))"
    )
    con.executemany(
        "INSERT INTO silver_sales VALUES (?, ?, 1, ?, 1, NULL, NULL, 0)",
        [(i, k, t) for i, (k, t) in enumerate(probes)],
    )
    sql = sqlglot.transpile(as_of_query(view), read="spark", write="duckdb")[0]
    rows = con.execute(f"SELECT sale_id, store_region FROM ({sql}) ORDER BY sale_id").fetchall()
    assert [r[0] for r in rows] == list(range(len(probes))), "a fact matched two versions"
    assert [r[1] for r in rows] == expected

"""Proof that the pipelines' SCD2 history joined as of the event time gives the generator's lookups.

The AsOf test sector (tests/pipelines/sectors, not shipped): `sales` computes `region` and
`price_band` from `store.region` / `store.price_band` (a dimension whose change feed updates them
every cycle) and `amount` from `product.list_price` (a dimension without a feed). The generator
reads the store as it stood at `sold_at`: after every change stamped at or before it. The
generated `spark` pipeline (`--scd 2`) runs on local Spark, and its `gold_sales_as_of` view must
show, row for row, the values the generator wrote into the fact.

Ties decide the boundary rule, and drawn times never tie: the test lands extra sales whose
`sold_at` is exactly a change's timestamp (the rule: the change counts) and one microsecond
before it (the version it replaced), with the value the rule gives, computed from the landed
snapshot and change rows.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from tests.times import FakeClock

from streamforge import api
from streamforge.pipelines.local_spark import read_table, run_pipeline, spark_available
from streamforge.plan.columns import table_schema
from streamforge.sinks.formats import get_format

from .spark_project import landed_tables, set_session_zone

SECTORS = Path(__file__).parent / "sectors"
SECTOR = "AsOf"
CYCLES = 6
TIES_FROM = 10_000_000  # sale_id of the first hand-made row (the generator's stay far below)
# One case reads in a session far from UTC: the snapshot's change time and every comparison
# must not depend on the session's zone.
CASES = [
    ("json", "python", "UTC"),
    ("csv", "sql", "Pacific/Honolulu"),
    ("parquet", "python", "UTC"),
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available(), reason="needs pyspark[pipelines] and Java"),
]


@pytest.mark.parametrize(("fmt", "language", "zone"), CASES)
def test_as_of_join_gives_the_generators_lookups(tmp_path, fmt, language, zone):
    landing, project, work = tmp_path / "landing", tmp_path / "project", tmp_path / "work"
    clock = FakeClock()
    api.run(SECTOR, landing, schema_dir=SECTORS, fmt=fmt, interval=30, cycles=CYCLES, clock=clock)
    plan = api.load_plan(SECTOR, SECTORS)
    landed = landed_tables(landing, plan)
    ties = land_ties(plan, landed, landing, fmt)
    api.pipeline(
        SECTOR,
        project,
        schema_dir=SECTORS,
        target="spark",
        language=language,
        landing=str(landing),
        scd=2,
        fmt=fmt,
    )
    set_session_zone(project, zone)
    run_pipeline(project, work)

    gold = read_table(work, "gold_sales_as_of").to_pylist()
    by_sale = {row["sale_id"]: row for row in gold}
    assert len(by_sale) == len(gold), "a fact matched more than one version"
    sales = landed["sales"].to_pylist()
    generated = {row["sale_id"]: row for row in sales}  # duplicates are exact copies
    assert set(by_sale) == set(generated) | {t["sale_id"] for t in ties}
    # The generator's lookups, row for row: the landing's columns beside the pipeline's join.
    for sale_id, row in generated.items():
        got = by_sale[sale_id]
        assert (got["store_region"], got["store_price_band"]) == (
            row["region"],
            row["price_band"],
        ), (sale_id, row["sold_at"])
        assert row["amount"] == row["quantity"] * got["product_list_price"], sale_id
    for tie in ties:
        got = by_sale[tie["sale_id"]]
        assert (got["store_region"], got["store_price_band"]) == (
            tie["region"],
            tie["price_band"],
        ), tie

    # Preconditions: the join had something to get wrong.
    current = {r["store_id"]: r["region"] for r in read_table(work, "store").to_pylist()}
    stale = [r for r in generated.values() if r["region"] != current.get(r["store_id"])]
    assert len(stale) >= len(generated) // 4, "too few facts saw a region that later changed"
    seen: dict[int, set[str]] = {}
    for row in generated.values():
        seen.setdefault(row["store_id"], set()).add(row["region"])
    assert sum(len(regions) > 1 for regions in seen.values()) >= 3, seen
    assert any(t["at_change"] for t in ties) and any(not t["at_change"] for t in ties)


def land_ties(plan, landed: dict[str, pa.Table], landing: Path, fmt: str) -> list[dict]:
    """Land sales at exactly a change's timestamp and 1 µs before it, for UPDATEs that changed the
    store's region; return them with the region and price band the rule gives (from the landed
    snapshot and change rows)."""
    changes = landed["store_changes"]
    changes = changes.take(pc.sort_indices(changes, [("sequence_num", "ascending")])).to_pylist()
    state = {r["store_id"]: r for r in landed["store"].to_pylist()}
    ties: list[dict] = []
    template = landed["sales"].slice(0, 1).to_pylist()[0]
    done = set()
    for change in changes:
        if change["sequence_num"] in done:
            continue  # a duplicate of a change already applied
        done.add(change["sequence_num"])
        before = state.get(change["store_id"])
        if change["change_type"] == "DELETE":
            state.pop(change["store_id"], None)
            continue
        after = {k: change[k] for k in ("store_id", "region", "price_band")}
        state[change["store_id"]] = after
        if change["change_type"] != "UPDATE" or before is None:
            continue
        if before["region"] == after["region"] or len(ties) >= 40:
            continue
        stamp = change["change_timestamp"]
        for at_change, version, when in (
            (True, after, stamp),
            (False, before, stamp - timedelta(microseconds=1)),
        ):
            ties.append(
                {
                    **template,
                    "sale_id": TIES_FROM + len(ties),
                    "store_id": change["store_id"],
                    "sold_at": when,
                    "region": version["region"],
                    "price_band": version["price_band"],
                    "at_change": at_change,
                }
            )
    assert len(ties) >= 10, "too few UPDATEs changed a region to test the boundary"
    schema = table_schema(plan.table("sales"))
    rows = pa.Table.from_pylist([{k: t[k] for k in schema.names} for t in ties], schema=schema)
    writer_format = get_format(fmt)
    path = landing / "sales" / f"sales-c999999-ties.{writer_format.extension}"
    with path.open("wb") as stream:
        writer = writer_format.open(stream, schema)
        for batch in rows.to_batches():
            writer.write(batch)
        writer.close()
    return ties


def test_retail_order_lines_as_of_give_the_generators_prices(tmp_path):
    """The shipped Retail sector: `gold_order_lines_as_of` joins product_history as of `sold_at`
    and shows the price each line was sold at (the generator's lookup), also for lines sold after
    their product's price changed."""
    landing, project, work = tmp_path / "landing", tmp_path / "project", tmp_path / "work"
    api.run("Retail", landing, fmt="parquet", interval=30, cycles=3, scale=0.2, clock=FakeClock())
    plan = api.load_plan("Retail")
    landed = landed_tables(landing, plan)
    api.pipeline(
        "Retail",
        project,
        target="spark",
        language="python",
        landing=str(landing),
        scd=2,
        fmt="parquet",
    )
    run_pipeline(project, work)
    gold = {r["order_line_id"]: r for r in read_table(work, "gold_order_lines_as_of").to_pylist()}
    lines = landed["order_lines"].to_pylist()
    assert set(gold) == {r["order_line_id"] for r in lines}
    for line in lines:
        got = gold[line["order_line_id"]]
        assert got["product_unit_price_usd"] == line["unit_price_usd"], line
        assert got["product_department"] == line["department"], line
    first = {r["product_id"]: r["unit_price_usd"] for r in landed["product"].to_pylist()}
    # a product the feed inserted has no snapshot price
    repriced = [
        r for r in lines if first.get(r["product_id"], r["unit_price_usd"]) != r["unit_price_usd"]
    ]
    assert repriced, "no line was sold after its product's price changed"

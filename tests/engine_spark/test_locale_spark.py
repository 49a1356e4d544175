"""The Spark engine draws a de_DE table in German, as the local engine does (issue #13.5): the
same rows, file by file, for a dimension whose `faker:` columns are unique or inside arrays and its
change feed; values checked against Faker's de_DE lists and ISO 13616."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from faker.providers.person.de_DE import Provider as Person
from tests.engine.conftest import write_sector
from tests.times import at

from streamforge import api
from streamforge.pipelines.local_spark import spark_available
from streamforge.readback import read_landing

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available(), reason="needs pyspark and Java"),
]

START = at("2026-01-01T00:00:00Z")
FIRST = set(Person.first_names_female) | set(Person.first_names_male)
SHOP = {
    "type": "dimension",
    "num_rows": 300,
    "locale": "de_DE",
    "columns": {
        "shop_id": "int",
        "iban": {"type": "string", "faker": "iban", "unique": True},
        "last_name": {"type": "string", "unique": True},
        "staff": {"type": "array", "items": {"type": "string", "faker": "first_name"}},
        "postal_code": "string",
    },
}
FEED = {
    "type": "change_feed",
    "num_rows": 50,
    "tracks": "shop",
    "columns": {
        "shop_id": "int",
        "change_type": {"type": "string", "values": ["INSERT", "UPDATE", "DELETE"]},
        "change_ts": "datetime",
        "staff": {"type": "array", "items": {"type": "string", "faker": "first_name"}},
    },
}


def iban_valid(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    from streamforge.engine_spark.start import local_session

    session = local_session("local[2]", tmp_path_factory.mktemp("spark"))
    yield session
    session.stop()


def test_spark_writes_the_local_engines_german_rows(spark, tmp_path: Path) -> None:
    from streamforge.engine_spark import generate_spark

    schema = write_sector(tmp_path / "schema", {"shop": SHOP, "shop_changes": FEED})
    args = dict(seed=5, cycles=2, start=START, interval=30.0)
    api.generate("lab", tmp_path / "local", schema_dir=schema, fmt="parquet", **args)
    generate_spark(spark, schema, "lab", out=str(tmp_path / "spark"), fmt="parquet", **args)
    plan = api.load_plan("lab", schema)
    mine, theirs = read_landing(tmp_path / "local", plan), read_landing(tmp_path / "spark", plan)
    for table in plan.tables:
        for ours, spark_file in zip(mine[table.name], theirs[table.name], strict=True):
            assert spark_file.data.equals(ours.data), (table.name, ours.cycle)
    (shop,) = theirs["shop"]
    for row in shop.data.to_pylist():
        assert row["iban"].startswith("DE") and iban_valid(row["iban"]), row
        assert row["last_name"] in Person.last_names, row
        assert set(row["staff"]) <= FIRST, row
    feed_rows = [r for f in theirs["shop_changes"] for r in f.data.to_pylist()]
    assert feed_rows and all(set(r["staff"] or []) <= FIRST for r in feed_rows)

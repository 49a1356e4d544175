"""Keys consistent in time (DESIGN §4, issue 9.4): a fact never happens before the INSERT of a
key it references nor after its DELETE, and a change row never touches a key before it exists.

The repro sector lives in fixtures/key_time/lab: a feed that INSERTs and DELETEs stores, a
feed-owned entity (devices), and sales of both. The truth comes from the written rows alone: each
key's INSERT and DELETE times are read from the change feeds, never from the engine's state.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamforge import checkpoint
from streamforge.engine.session import Session
from streamforge.engine.settings import RunSettings
from streamforge.sinks.local import LocalLanding

FIXTURE = Path(__file__).parent / "fixtures" / "key_time" / "lab"
FEEDS = {"store_changes": "store_id", "device_changes": "device_id"}  # feed -> entity key
FACT, EVENT = "sale", "sold_at"
FKS = {"store_id": "store_changes", "device_id": "device_changes"}  # fact column -> its feed
# (feed, column, feed of the referenced entity): change rows that name another entity's keys
REFERENCING_FEEDS = [
    ("device_changes", "home_store", "store_changes"),
    ("repair_changes", "device_id", "device_changes"),
]
# A feed-owned entity whose rows name devices: in cycle 0 its changes race the devices' INSERTs.
REPAIRS = {
    "type": "change_feed",
    "num_rows": 20,
    "columns": {
        "repair_id": "int",
        "change_type": {"type": "string", "format": "INSERT|UPDATE|DELETE"},
        "change_timestamp": "datetime",
        "sequence_num": "long",
        "device_id": {"type": "int", "references": "device.device_id"},
    },
}


def fixture_tables() -> dict[str, dict]:
    tables: dict[str, dict] = {"repair_changes": REPAIRS}
    for path in sorted(FIXTURE.glob("*.yml")):
        body = yaml.safe_load(path.read_text())
        tables[body.pop("table")] = body
    return tables


def lifetimes(run, feed: str, key: str, cycles: int) -> tuple[dict, dict, list[str]]:
    """(INSERT time, DELETE time) of each key from the feed's rows, and the feed's own faults:
    a change that touches a key before its INSERT or after its DELETE."""
    born: dict[int, object] = {}
    died: dict[int, object] = {}
    problems = []
    for cycle in range(cycles):
        for row in run.rows(feed, cycle):
            k, at, op = row[key], row["change_timestamp"], row["change_type"]
            if op == "INSERT":
                born[k] = at
            elif k in born and at < born[k]:
                problems.append(f"{feed} {op} of {k} at {at}, before its INSERT {born[k]}")
            if k in died:
                problems.append(f"{feed} {op} of {k} at {at}, after its DELETE {died[k]}")
            if op == "DELETE":
                died[k] = at
    return born, died, problems


def time_faults(run, cycles: int) -> tuple[list[str], int]:
    """Every fact row against the lifetimes of the keys it references; also counts the rows that
    reference a key inserted during the run (so a test can tell the case really arose)."""
    problems: list[str] = []
    life = {}
    for feed, key in FEEDS.items():
        born, died, feed_problems = lifetimes(run, feed, key, cycles)
        life[feed] = (born, died)
        problems += feed_problems
    # A feed's attribute that references another entity obeys the same rule at its change time.
    for feed, column, target in REFERENCING_FEEDS:
        born, died = life[target]
        for row in (r for c in range(cycles) for r in run.rows(feed, c)):
            k, at = row[column], row["change_timestamp"]
            if k in born and born[k] > at:
                problems.append(f"{feed} row at {at} names {column}={k}, born {born[k]}")
            if k in died and died[k] < at:
                problems.append(f"{feed} row at {at} names {column}={k}, deleted {died[k]}")
    new_keys = 0
    for cycle in range(cycles):
        for row in run.rows(FACT, cycle):
            at = row[EVENT]
            for column, feed in FKS.items():
                born, died = life[feed]
                k = row[column]
                if k in born:
                    new_keys += 1
                    if born[k] > at:
                        problems.append(f"{FACT} at {at}: {column}={k} inserted at {born[k]}")
                if k in died and died[k] < at:
                    problems.append(f"{FACT} at {at}: {column}={k} deleted at {died[k]}")
    return problems, new_keys


def test_the_repro_sales_never_precede_their_store(lab_plan, drive) -> None:
    cycles = 6
    run = drive(lab_plan(fixture_tables()), cycles=cycles, seed=7)
    problems, new_keys = time_faults(run, cycles)
    assert not problems, f"{len(problems)} rows out of time, e.g. {problems[:3]}"
    assert new_keys > 500  # sales of stores and devices inserted during the run


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    cycles=st.integers(1, 6),
    late=st.sampled_from([0.0, 0.2]),
    shuffled=st.sampled_from([0.0, 0.3]),
    duplicates=st.sampled_from([0.0, 0.1]),
    zipf=st.booleans(),
)
def test_keys_stay_in_time_for_any_seed_and_faults(
    lab_plan, drive, seed, cycles, late, shuffled, duplicates, zipf
) -> None:
    """Late, shuffled and duplicated sales are events too: their keys were born by then."""
    tables = fixture_tables()
    sale = tables[FACT]
    sale.update(late_rate=late, out_of_order_rate=shuffled, duplicate_rate=duplicates)
    if zipf:
        sale["columns"]["store_id"] = {"type": "int", "distribution": "zipf", "skew": 1.3}
    run = drive(lab_plan(tables), cycles=cycles, seed=seed)
    problems, _ = time_faults(run, cycles)
    assert not problems, f"{len(problems)} rows out of time, e.g. {problems[:3]}"


def test_births_survive_a_checkpoint(lab_plan, new_dir, start_us) -> None:
    """A restart continues with each key's birth, so later facts still respect it."""
    plan = lab_plan(fixture_tables())
    session = Session(plan, RunSettings(seed=3, start_us=start_us))
    for outputs in (session.dimensions(), session.cycle(0), session.cycle(1)):
        for output in outputs:
            list(output.chunks)
    assert session.state.entities["store"].born is not None  # stores were inserted
    landing = LocalLanding(new_dir("ckpt"))
    meta = checkpoint.RunMeta("lab", 3, "json", start_us, 30.0, 1.0, checkpoint.fingerprint(plan))
    checkpoint.save(landing, session.state, meta, entities_changed=True)
    loaded = checkpoint.load(landing)
    assert loaded is not None
    for name, entity in session.state.entities.items():
        again = loaded[0].entities[name]
        assert (again.born is None) == (entity.born is None), name
        if entity.born is not None:
            assert again.born is not None and again.born.tolist() == entity.born.tolist()
            assert again.table is not None and again.table.equals(entity.table)

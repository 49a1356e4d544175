"""A change feed keeps each person and place whole (issue 13.5): replaying the feed, every live
row's name, email and username describe one person and its address, city, state and zip one
place. Expected values come from the rule (us_reference.py, Faker's name lists), not the pools."""

from __future__ import annotations

import re

from faker.providers.person.en_US import Provider as UsPerson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.engine.test_change_feed import FEED_COLUMNS
from tests.engine.test_people_places import ascii_lower
from tests.engine.us_reference import STATE_NAMES, ZIP3

PATIENT_CHANGES = {
    "type": "change_feed",
    "num_rows": 40,
    "columns": {
        "patient_id": "int",
        **FEED_COLUMNS,
        "first_name": "string",
        "last_name": "string",
        "name": "string",
        "email": "string",
        "sex": {"type": "string", "values": ["F", "M"]},
        "address": "string",
        "city": "string",
        "state_code": "string",
        "state": "string",
        "zip": "string",
        "status": {"type": "string", "format": "ACTIVE|INACTIVE"},
    },
}
PERSON = {"first_name", "last_name", "name", "email", "sex"}
PLACE = {"address", "city", "state_code", "state", "zip"}


def assert_coherent(row: dict) -> None:
    first, last = row["first_name"], row["last_name"]
    assert row["name"] == f"{first} {last}", row
    names = UsPerson.first_names_female if row["sex"] == "F" else UsPerson.first_names_male
    assert first in names, row
    assert ascii_lower(last) in row["email"], row
    abbr = row["state_code"]
    assert STATE_NAMES[abbr] == row["state"], row
    assert int(row["zip"][:3]) in ZIP3[abbr], row
    assert row["address"].endswith(f", {row['city']}, {abbr} {row['zip']}"), row
    assert re.match(r"\d+ [A-Z]", row["address"]), row


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), cycles=st.integers(1, 6))
def test_replayed_feed_keeps_people_and_places_whole(run_lab, seed: int, cycles: int) -> None:
    run = run_lab({"patient_changes": PATIENT_CHANGES}, cycles=cycles, seed=seed)
    live: dict[int, dict] = {}
    for cycle in range(cycles):
        rows = sorted(run.rows("patient_changes", cycle), key=lambda r: r["sequence_num"])
        for row in rows:
            if row["change_type"] == "DELETE":
                live.pop(row["patient_id"], None)
                continue
            changed = set(row["changed_fields"])
            if row["change_type"] == "UPDATE":
                # a person or place changes whole, or not at all
                for group in (PERSON, PLACE):
                    touched = changed & group
                    assert not touched or touched == group - _same(live, row, group), row
            live[row["patient_id"]] = row
        for row in live.values():
            assert_coherent(row)


def _same(live: dict[int, dict], row: dict, group: set[str]) -> set[str]:
    """Fields of the group whose new value happens to equal the old one (not reported)."""
    old = live[row["patient_id"]]
    return {f for f in group if old[f] == row[f]}


def test_a_move_changes_the_whole_address(run_lab) -> None:
    run = run_lab({"patient_changes": PATIENT_CHANGES}, cycles=6, seed=11)
    moves = [
        set(r["changed_fields"])
        for c in range(6)
        for r in run.rows("patient_changes", c)
        if r["change_type"] == "UPDATE" and PLACE & set(r["changed_fields"])
    ]
    assert moves
    assert all({"address", "city", "zip"} <= m for m in moves), moves


PERSON_FACTS = ("sex", "age", "birth_date")
RENAMED = {
    **PATIENT_CHANGES,
    "columns": {
        **PATIENT_CHANGES["columns"],
        "age": {"type": "int", "min": 18, "max": 90},
        "birth_date": "date",
    },
}


def replay_renames(run, cycles: int) -> int:
    """Replay the feed; every UPDATE keeps the person's sex, age and birth date and names none
    of them, and its first name fits the kept sex. Returns how many renames were seen."""
    live: dict[int, dict] = {}
    renames = 0
    for cycle in range(cycles):
        for row in sorted(run.rows("patient_changes", cycle), key=lambda r: r["sequence_num"]):
            key = row["patient_id"]
            if row["change_type"] == "UPDATE":
                old = live[key]
                assert all(row[f] == old[f] for f in PERSON_FACTS), (old, row)
                assert not set(PERSON_FACTS) & set(row["changed_fields"]), row
                renames += row["first_name"] != old["first_name"]
            if row["change_type"] == "DELETE":
                live.pop(key, None)
            else:
                names = (
                    UsPerson.first_names_female if row["sex"] == "F" else UsPerson.first_names_male
                )
                assert row["first_name"] in names, row
                live[key] = row
    return renames


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), cycles=st.integers(2, 6))
def test_a_renamed_person_keeps_sex_age_and_birth_date(run_lab, seed: int, cycles: int) -> None:
    replay_renames(run_lab({"patient_changes": RENAMED}, cycles=cycles, seed=seed), cycles)


def test_renames_happen_and_keep_the_person(run_lab) -> None:
    assert replay_renames(run_lab({"patient_changes": RENAMED}, cycles=6, seed=5), 6) > 5


# A feed that tracks a dimension and declares only some of its columns (as the shipped
# Healthcare patient_changes does): the after-image still carries the dimension's person and
# place fields, so the person and place groups must come from the dimension's columns.
PATIENT = {
    "type": "dimension",
    "num_rows": 40,
    "columns": {
        "patient_id": "int",
        **{k: v for k, v in RENAMED["columns"].items() if k not in FEED_COLUMNS},
    },
}
PATIENT["columns"].pop("patient_id")
PATIENT["columns"] = {"patient_id": "int", **PATIENT["columns"]}
THIN_FEED = {
    "type": "change_feed",
    "num_rows": 40,
    "tracks": "patient",
    "columns": {"patient_id": "int", **FEED_COLUMNS, "status": PATIENT["columns"]["status"]},
}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), cycles=st.integers(2, 5))
def test_a_feed_that_declares_few_columns_keeps_people_and_places_whole(
    run_lab, seed: int, cycles: int
) -> None:
    run = run_lab({"patient": PATIENT, "patient_changes": THIN_FEED}, cycles=cycles, seed=seed)
    live = {r["patient_id"]: r for r in run.rows("patient", 0)}
    for cycle in range(cycles):
        for row in sorted(run.rows("patient_changes", cycle), key=lambda r: r["sequence_num"]):
            key = row["patient_id"]
            if row["change_type"] == "DELETE":
                live.pop(key, None)
                continue
            if row["change_type"] == "UPDATE":
                old = live[key]
                assert all(row[f] == old[f] for f in PERSON_FACTS), (old, row)
            assert_coherent(row)
            live[key] = row


def test_a_feed_writes_its_dimensions_people_and_places_in_the_dimensions_locale(run_lab) -> None:
    """`locale: de_DE` on the dimension: its change feed's INSERTs and UPDATEs are German people
    and places too (surnames from Faker's de_DE list, "<street>, <5-digit PLZ> <city>")."""
    from faker.providers.person.de_DE import Provider as DePerson

    shop = {
        "type": "dimension",
        "num_rows": 30,
        "locale": "de_DE",
        "columns": {
            "shop_id": "int",
            "first_name": "string",
            "last_name": "string",
            "address": "string",
            "city": "string",
            "postal_code": "string",
        },
    }
    feed = {
        "type": "change_feed",
        "num_rows": 30,
        "tracks": "shop",
        "columns": {"shop_id": "int", **FEED_COLUMNS},
    }
    run = run_lab({"shop": shop, "shop_changes": feed}, cycles=3, seed=3)
    rows = [r for c in range(3) for r in run.rows("shop_changes", c)]
    assert {r["change_type"] for r in rows} >= {"INSERT", "UPDATE"}
    for row in run.rows("shop", 0) + rows:
        assert row["last_name"] in DePerson.last_names, row
        assert re.search(r", \d{5} ", row["address"]), row
        assert row["address"].endswith(f"{row['postal_code']} {row['city']}"), row

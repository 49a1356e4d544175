"""A change feed's move carries the place's phone along (issue 13.5): an UPDATE that moves a
person (new address, city, state, zip) gives a landline of the new place, keeps a German mobile
number, and keeps the person (birth date; a rename only as often as without a move). Replaying the
feed, every live row's landline is of its own place. The judges are libphonenumber (a US code's
state), the shipped German places' area codes (tests/engine/test_de_area_codes.py checks them
against the numbering plan) and the rule, never the output."""

from __future__ import annotations

from pathlib import Path

import phonenumbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.engine.test_change_feed import FEED_COLUMNS
from tests.engine.test_de_area_codes import us_state_of
from tests.engine.test_locale_validity import GERMAN_AREA, MOBILE

from streamforge import api

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
PLACE = ("address", "city", "state", "zip", "latitude", "longitude")
COLUMNS = {
    "patient_id": "int",
    **FEED_COLUMNS,
    "first_name": "string",
    "last_name": "string",
    "email": "string",
    "birth_date": {"type": "date", "min": "1940-01-01", "max": "2005-01-01"},
    "address": "string",
    "city": "string",
    "state": "string",
    "zip": "string",
    "latitude": "double",
    "longitude": "double",
    "phone": "string",
    "contact_number": {"type": "string", "faker": "phone_number"},  # the phone generator's too
    "plan": {"type": "string", "values": ["A", "B", "C"]},
}


def is_german_mobile(text: str) -> bool:
    return bool(MOBILE.match(str(phonenumbers.parse(text, "DE").national_number)))


def assert_phone_of_place(row: dict, locale: str) -> None:
    for text in (row["phone"], row["contact_number"]):
        if locale == "en_US":
            state = row["address"].rsplit(", ", 1)[1][:2]
            assert us_state_of(text[1:4]) == state, row
        elif not is_german_mobile(text):
            national = str(phonenumbers.parse(text, "DE").national_number)
            assert national.startswith(GERMAN_AREA[(row["zip"], row["city"])]), row


def replay(run, cycles: int, locale: str) -> tuple[int, int]:
    """Check every row; (moves, moves that also renamed)."""
    live: dict[int, dict] = {}
    moves = renames = 0
    for cycle in range(cycles):
        for row in sorted(run.rows("patient_changes", cycle), key=lambda r: r["sequence_num"]):
            key = row["patient_id"]
            if row["change_type"] == "DELETE":
                live.pop(key, None)
                continue
            old = live.get(key)
            if row["change_type"] == "UPDATE" and old is not None:
                assert row["birth_date"] == old["birth_date"], row  # a fact of the person
                if row["city"] != old["city"] or row["zip"] != old["zip"]:
                    moves += 1
                    renames += row["last_name"] != old["last_name"]
                    assert {"latitude", "longitude"} <= set(row["changed_fields"]), row
                    for name in ("phone", "contact_number"):
                        if locale == "de_DE" and is_german_mobile(old[name]):
                            assert row[name] == old[name], (old, row)
                        if row[name] != old[name]:
                            assert name in row["changed_fields"], row
            live[key] = row
            assert_phone_of_place(row, locale)
    for row in live.values():
        assert_phone_of_place(row, locale)
    return moves, renames


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    cycles=st.integers(2, 6),
    locale=st.sampled_from(["en_US", "de_DE"]),
)
def test_a_move_brings_a_phone_of_the_new_place(run_lab, seed, cycles, locale) -> None:
    feed = {"type": "change_feed", "num_rows": 60, "locale": locale, "columns": COLUMNS}
    run = run_lab({"patient_changes": feed}, cycles=cycles, seed=seed)
    replay(run, cycles, locale)


def test_moves_happen_and_keep_the_person(run_lab) -> None:
    for locale in ("en_US", "de_DE"):
        feed = {"type": "change_feed", "num_rows": 300, "locale": locale, "columns": COLUMNS}
        run = run_lab({"patient_changes": feed}, cycles=6, seed=3)
        moves, renames = replay(run, 6, locale)
        assert moves > 100, locale  # the checks above ran on real moves
        # a move is not a new person: a rename comes with it only by its own chance (about 1.5
        # changed fields in 10 drawn per UPDATE), never always, as one group of both would do
        assert renames < 0.75 * moves, (locale, moves, renames)


def test_shipped_healthcare_moves_keep_phones_of_the_new_state(drive) -> None:
    plan = api.load_plan("Healthcare", SCHEMA_DIR)
    run = drive(plan, cycles=4)
    moves = 0
    for cycle in range(4):
        for row in run.rows("patient_changes", cycle):
            if row["change_type"] == "UPDATE" and "address" in row["changed_fields"]:
                moves += 1
                state = row["address"].rsplit(", ", 1)[1][:2]
                assert us_state_of(row["phone"][1:4]) == state, row
    assert moves > 20


OLD_NUMBERS = st.sampled_from(
    ["0151 23456789", "+49 171 23456789", "030 1234567", "(089) 123456", "+49 40 1234567", None]
)


@given(old=st.lists(OLD_NUMBERS, min_size=1, max_size=30), data=st.data())
def test_a_german_move_keeps_mobiles_and_no_number_and_moves_landlines(old, data) -> None:
    import numpy as np
    import pyarrow as pa

    from streamforge.engine.feed_moves import german_move

    moved = np.array(data.draw(st.lists(st.booleans(), min_size=len(old), max_size=len(old))))
    fresh = [f"fresh {i}" for i in range(len(old))]
    new_place = [f"0621 {i}" for i in range(len(old))]  # a landline of the new town
    after = german_move(pa.array(old, pa.string()), pa.array(fresh), pa.array(new_place), moved)
    for i, value in enumerate(after.to_pylist()):
        if not moved[i]:
            assert value == fresh[i]
        elif old[i] is None or is_german_mobile(old[i]):
            assert value == old[i]
        else:
            assert value == new_place[i]

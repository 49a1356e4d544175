"""A landline's area code belongs to the row's own place, not to any town of that name
(issue 13.5): towns share names (Brühl, Schneeberg, Halle), an area code does not share its
area. The expected values come from the numbering plan's shape (one Ortsnetz is one area around
its town), libphonenumber's geocoding (the town a code is named after; a US code's state) and the
GeoNames coordinates of the shipped places, never from the generator's output."""

from __future__ import annotations

import csv
import re
from collections import defaultdict

import numpy as np
import phonenumbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import geocoder
from tests.engine.de_area_codes import DE_PLACES, km, rebuild
from tests.engine.test_locale_validity import MOBILE, VOCAB
from tests.engine.us_reference import STATE_NAMES

AREA_KM = 40.0  # the largest Ortsnetze (Berlin, Hamburg) reach ~25 km from their centre
SAME_NAME_APART_KM = 100.0  # two towns of one name this far apart are in different Ortsnetze


def shipped() -> list[dict[str, str]]:
    with DE_PLACES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = shipped()
LAT = np.array([float(r["latitude"]) for r in ROWS])
LON = np.array([float(r["longitude"]) for r in ROWS])
CODE = np.array([r["area_code"] for r in ROWS])
CENTRE = {
    c: (float(np.median(LAT[np.equal(CODE, c)])), float(np.median(LON[np.equal(CODE, c)])))
    for c in set(CODE)
}


def test_shipped_area_codes_follow_the_rule_that_builds_them() -> None:
    built = rebuild()
    assert [(r["area_code"], r["subscriber_digits"]) for r in built] == [
        (r["area_code"], r["subscriber_digits"]) for r in ROWS
    ]


def test_every_area_code_covers_one_area() -> None:
    for code, (lat0, lon0) in CENTRE.items():
        rows = np.flatnonzero(np.equal(CODE, code))
        far = rows[km(LAT[rows], LON[rows], lat0, lon0) > AREA_KM]
        assert not len(far), (code, [ROWS[i]["city"] + " " + ROWS[i]["state"] for i in far])


def test_towns_sharing_a_name_far_apart_have_their_own_area_codes() -> None:
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(ROWS):
        by_name[row["city"]].append(i)
    pairs = 0
    for name, rows in by_name.items():
        for i in rows:
            for j in rows:
                if i < j and km(LAT[i], LON[i], LAT[j], LON[j]) > SAME_NAME_APART_KM:
                    pairs += 1
                    assert CODE[i] != CODE[j], (name, ROWS[i]["state"], ROWS[j]["state"])
    assert pairs > 100  # Brühl, Schneeberg, Halle and many more are in the data


def test_the_towns_of_the_tryout_have_the_code_of_their_own_area() -> None:
    # libphonenumber names the code; the row of the other town of that name must not carry it
    expected = {
        ("Brühl", "Nordrhein-Westfalen"): "Brühl Rheinland",
        ("Schneeberg", "Sachsen"): "Schneeberg Erzgebirge",
        ("Halle", "Sachsen-Anhalt"): "Halle Saale",
        ("Halle", "Nordrhein-Westfalen"): "Halle Westfalen",
    }
    for row in ROWS:
        name = geocoder.description_for_number(
            phonenumbers.parse(f"0{row['area_code']}{'2' * int(row['subscriber_digits'])}", "DE"),
            "de",
        )
        town = (row["city"], row["state"])
        if town in expected:
            assert name == expected[town], (row, name)
        elif row["city"] in {"Brühl", "Schneeberg", "Halle"}:
            assert name not in expected.values(), (row, name)


PEOPLE = {
    "type": "dimension",
    "columns": {
        "kunde_id": "int",
        "city": "string",
        "postal_code": "string",
        "latitude": "double",
        "longitude": "double",
        "phone": "string",
    },
}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 3000))
def test_a_german_landline_is_of_an_area_around_the_row(run_lab, seed, rows) -> None:
    table = {**PEOPLE, "locale": "de_DE", "num_rows": rows}
    for row in run_lab({"kunde": table}, seed=seed).rows("kunde"):
        national = str(phonenumbers.parse(row["phone"], "DE").national_number)
        if MOBILE.match(national):
            continue
        code = next(c for c in (national[:n] for n in range(2, 6)) if c in CENTRE)
        lat0, lon0 = CENTRE[code]
        assert km(row["latitude"], row["longitude"], lat0, lon0) <= AREA_KM + 5, row


def us_state_of(area_code: str) -> str:
    """The state libphonenumber names an area code by: `San Antonio, TX`, or a state's name."""
    name = geocoder.description_for_number(phonenumbers.parse(f"+1{area_code}2345678"), "en")
    aliases = {"Washington State": "WA", "Washington D.C.": "DC"}
    by_name = {full: abbr for abbr, full in STATE_NAMES.items()} | aliases
    match = re.search(r", ([A-Z]{2})$", name)
    return match.group(1) if match else by_name[name]


def test_every_us_area_code_is_of_its_state() -> None:
    with (VOCAB / "us_area_codes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert us_state_of(row["area_code"]) == row["state_abbr"], row


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 2000))
def test_a_us_phone_is_of_the_row_state(run_lab, seed, rows) -> None:
    columns = {**PEOPLE["columns"], "state_code": "string"}
    table = {"type": "dimension", "num_rows": rows, "columns": columns}
    for row in run_lab({"kunde": table}, seed=seed).rows("kunde"):
        assert us_state_of(row["phone"][1:4]) == row["state_code"], row

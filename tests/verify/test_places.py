"""A row's place fields describe one place of the locale's shipped place data (README, smart
fields; verify/places.py): a city or state swapped between rows, or a German postcode given
another town, is caught naming the table, the column and the rows."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.times import at

from streamforge import api
from streamforge.readback import read_manifest
from streamforge.verify import verify_landing

VOCAB = Path(api.__file__).resolve().parent / "engine" / "vocab"


def _places() -> set[tuple[str, str]]:
    with (VOCAB / "us_places.csv").open() as f:
        return {(r["city"], r["state"]) for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("places") / "landing"
    start = at("2026-01-01T00:00:00Z")
    api.generate("energy", out, fmt="parquet", cycles=1, seed=3, start=start, scale=0.2)
    return out


def _rewrite(path: Path, rows: pa.Table, column: str, values: list) -> None:
    """Write `rows` back to `path` with `column` replaced by `values` (same type)."""
    index = rows.schema.get_field_index(column)
    field = rows.schema.field(index)
    pq.write_table(rows.set_column(index, field, pa.array(values, field.type)), path)


def _lab(tmp_path: Path, sector: str, table: str, text: str):
    """A one-table sector generated once (parquet, seed 2): (landing root, plan, the file)."""
    schema = tmp_path / "schema"
    (schema / sector).mkdir(parents=True)
    (schema / sector / f"{table}.yml").write_text(text)
    root = tmp_path / "landing"
    start = at("2026-01-01T00:00:00Z")
    api.generate(sector, root, schema_dir=schema, fmt="parquet", cycles=0, seed=2, start=start)
    entry = next(e for e in read_manifest(root) if e["table"] == table)
    return root, api.load_plan(sector, schema), root / entry["file"]


def _found(root: Path) -> list:
    findings = verify_landing(root, api.load_plan("energy")).findings
    return [(f.table, f.cycle, f.column, f.kind, f.count) for f in findings]


def test_the_untouched_landing_passes_and_says_what_it_checked(good) -> None:
    report = verify_landing(good, api.load_plan("energy"))
    assert report.findings == []
    assert "customer(city, state, zip, phone, name, email)" in report.summary()


@pytest.mark.parametrize("column", ["city", "state"])
def test_a_place_field_swapped_between_rows(good, tmp_path, column) -> None:
    root = tmp_path / "landing"
    shutil.copytree(good, root)
    entry = next(e for e in read_manifest(root) if e["table"] == "customer")
    path = root / entry["file"]
    rows = pq.read_table(path)
    cities, states = rows.column("city").to_pylist(), rows.column("state").to_pylist()
    places, codes = _places(), _codes()
    phones = rows.column("phone").to_pylist()
    # two rows whose swapped field makes a pair that is no place of the data, and whose phones
    # are no number of the other's state (a state swapped makes the phone wrong too)
    i, j = next(
        (i, j)
        for i in range(len(cities))
        for j in range(i + 1, len(cities))
        if (cities[j], states[i]) not in places and (cities[i], states[j]) not in places
        if _area(phones[i]) not in codes[states[j]] and _area(phones[j]) not in codes[states[i]]
    )
    values = rows.column(column).to_pylist()
    values[i], values[j] = values[j], values[i]
    _rewrite(path, rows, column, values)
    # a state swapped makes the zip (another state's range) and the phone wrong too
    zips = [("customer", 0, "zip", "place", 2)] if column == "state" else []
    phone = [("customer", 0, "phone", "place", 2)] if column == "state" else []
    assert _found(root) == [("customer", 0, "city", "place", 2), *zips, *phone]


TOWN = """\
table: town_office
type: dimension
locale: de_DE
num_rows: 60
columns:
  office_id: int
  postal_code: string
  city: string
  state: string
"""


def test_a_german_town_given_another_postcode(tmp_path) -> None:
    root, plan, path = _lab(tmp_path, "amt", "town_office", TOWN)
    assert verify_landing(root, plan).findings == []
    rows = pq.read_table(path)
    codes = rows.column("postal_code").to_pylist()
    j = next(j for j, c in enumerate(codes) if c[:2] != codes[0][:2])  # another region's postcode
    codes[0], codes[j] = codes[j], codes[0]
    _rewrite(path, rows, "postal_code", codes)
    found = [
        (f.table, f.cycle, f.column, f.kind, f.count) for f in verify_landing(root, plan).findings
    ]
    assert found == [("town_office", 0, "postal_code", "place", 2)]


def _area(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-10:][:3]


def _codes() -> dict[str, set[str]]:
    states = {}
    with (VOCAB / "us_places.csv").open() as f:
        states = {r["state"]: r["state_abbr"] for r in csv.DictReader(f)}
    codes: dict[str, set[str]] = {}
    with (VOCAB / "us_area_codes.csv").open() as f:
        for r in csv.DictReader(f):
            codes.setdefault(r["state_abbr"], set()).add(r["area_code"])
    return {name: codes.get(abbr, set()) for name, abbr in states.items()}


def test_a_phone_swapped_between_rows_of_other_states(good, tmp_path) -> None:
    """An en_US phone carries an area code of the row's state (README, smart fields)."""
    root = tmp_path / "landing"
    shutil.copytree(good, root)
    entry = next(e for e in read_manifest(root) if e["table"] == "customer")
    path = root / entry["file"]
    rows = pq.read_table(path)
    phones, states = rows.column("phone").to_pylist(), rows.column("state").to_pylist()
    codes = _codes()

    i, j = next(
        (i, j)
        for i in range(len(phones))
        for j in range(i + 1, len(phones))
        if _area(phones[j]) not in codes[states[i]] and _area(phones[i]) not in codes[states[j]]
    )
    phones[i], phones[j] = phones[j], phones[i]
    _rewrite(path, rows, "phone", phones)
    assert _found(root) == [("customer", 0, "phone", "place", 2)]


@pytest.mark.parametrize("column", ["email", "name"])
def test_an_email_or_name_swapped_between_rows(good, tmp_path, column) -> None:
    """`email` is made from the row's name (README, smart fields): swapping either between two
    rows of different last names leaves both rows with an address of someone else."""
    root = tmp_path / "landing"
    shutil.copytree(good, root)
    entry = next(e for e in read_manifest(root) if e["table"] == "customer")
    path = root / entry["file"]
    rows = pq.read_table(path)
    names = rows.column("name").to_pylist()
    last = [n.split()[-1].lower() for n in names]
    i, j = next(
        (i, j)
        for i in range(len(names))
        for j in range(i + 1, len(names))
        if last[i] not in last[j] and last[j] not in last[i] and names[i][0] != names[j][0]
    )
    values = rows.column(column).to_pylist()
    values[i], values[j] = values[j], values[i]
    _rewrite(path, rows, column, values)
    assert _found(root) == [("customer", 0, "email", "person", 2)]


PERSON = """\
table: member
type: dimension
num_rows: 40
columns:
  member_id: int
  first_name: string
  last_name: string
  name: string
  email: string
"""


def test_a_last_name_edited_away_from_the_name(tmp_path) -> None:
    """`name` is first + last name where the table has both (README, smart fields)."""
    root, plan, path = _lab(tmp_path, "club", "member", PERSON)
    report = verify_landing(root, plan)
    assert report.findings == []
    assert "member(name, email, first_name, last_name)" in report.summary()
    rows = pq.read_table(path)
    last = rows.column("last_name").to_pylist()
    last[3] = last[3] + "x"
    _rewrite(path, rows, "last_name", last)
    found = [
        (f.table, f.cycle, f.column, f.kind, f.count) for f in verify_landing(root, plan).findings
    ]
    assert found == [("member", 0, "name", "person", 1)]


def _de_codes() -> dict[tuple[str, str, str], set[str]]:
    codes: dict[tuple[str, str, str], set[str]] = {}
    with (VOCAB / "de_places.csv").open() as f:
        for r in csv.DictReader(f):
            codes.setdefault((r["postcode"], r["city"], r["state"]), set()).add(r["area_code"])
    return codes


def _de_area(phone: str) -> str | None:
    """The Ortsnetzkennzahl of a landline as README writes them (030 ..., (030) ..., 030/...,
    +49 30 ...), None for a mobile number (01...)."""
    national = "0" + phone[4:] if phone.startswith("+49 ") else phone.lstrip("(")
    code = national.replace(")", " ").replace("/", " ").split(" ")[0]
    return None if code.startswith("01") else code[1:]


def test_a_german_landline_given_another_towns_number(tmp_path) -> None:
    """A de_DE landline carries the area code of the row's own place (README, smart fields);
    a mobile number belongs to no place and is never judged by it."""
    root, plan, path = _lab(tmp_path, "amt", "town_office", TOWN + "  phone: string\n")
    report = verify_landing(root, plan)
    assert report.findings == []
    assert "town_office(postal_code, city, state, phone)" in report.summary()
    rows = pq.read_table(path)
    phones = rows.column("phone").to_pylist()
    columns = [rows.column(n).to_pylist() for n in ("postal_code", "city", "state")]
    places = list(zip(*columns, strict=True))
    codes = _de_codes()
    for phone, place in zip(phones, places, strict=True):  # the landing follows the rule, by hand
        assert _de_area(phone) is None or _de_area(phone) in codes[place]
    fixed = [i for i, p in enumerate(phones) if _de_area(p) is not None]
    i, j = next(
        (i, j)
        for i in fixed
        for j in fixed
        if _de_area(phones[j]) not in codes[places[i]]
        and _de_area(phones[i]) not in codes[places[j]]
    )
    mobile = next(k for k, p in enumerate(phones) if _de_area(p) is None and k not in (i, j))
    other = next(
        k for k in range(len(phones)) if places[k] != places[mobile] and k not in (i, j, mobile)
    )
    phones[i], phones[j] = phones[j], phones[i]
    phones[other] = phones[mobile]  # a mobile number moved to another place: still fine
    _rewrite(path, rows, "phone", phones)
    found = [
        (f.table, f.cycle, f.column, f.kind, f.count) for f in verify_landing(root, plan).findings
    ]
    assert found == [("town_office", 0, "phone", "place", 2)]


def _zip_ranges() -> dict[str, tuple[int, int]]:
    """Faker's en_US zip range per state abbreviation (the README's rule: "a zip inside its
    state's range")."""
    from faker.providers.address.en_US import Provider

    return {abbr: (low, high) for abbr, (low, high) in Provider.states_postcode.items()}


def test_a_zip_swapped_between_rows_of_other_states(good, tmp_path) -> None:
    root = tmp_path / "landing"
    shutil.copytree(good, root)
    entry = next(e for e in read_manifest(root) if e["table"] == "customer")
    path = root / entry["file"]
    rows = pq.read_table(path)
    zips, states = rows.column("zip").to_pylist(), rows.column("state").to_pylist()
    abbr = {}
    with (VOCAB / "us_places.csv").open() as f:
        abbr = {r["state"]: r["state_abbr"] for r in csv.DictReader(f)}
    ranges = _zip_ranges()

    def inside(z: str, state: str) -> bool:
        low, high = ranges[abbr[state]]
        return low <= int(z) <= high

    assert all(inside(z, st) for z, st in zip(zips, states, strict=True))  # the rule holds
    i, j = next(
        (i, j)
        for i in range(len(zips))
        for j in range(i + 1, len(zips))
        if not inside(zips[j], states[i]) and not inside(zips[i], states[j])
    )
    zips[i], zips[j] = zips[j], zips[i]
    _rewrite(path, rows, "zip", zips)
    assert _found(root) == [("customer", 0, "zip", "place", 2)]

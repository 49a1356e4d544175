"""A unique e-mail or user name still follows the row's name (issue 13.5): the local part is the
name's (first.last, first_last, firstlast or flast) and a number, distinct across every row the run
writes: snapshot, change-feed INSERTs and cycles. A unique field that cannot stay coherent (a
name, a place field, a phone beside a state) is a `validate` warning at its line."""

from __future__ import annotations

import re

from faker.providers.person.en_US import Provider as UsPerson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.engine.test_change_feed import FEED_COLUMNS
from tests.engine.test_people_places import ascii_lower

from streamforge import sectors

UNIQUE = {"type": "string", "unique": True}
SIGNUPS = {
    "type": "fact",
    "num_rows": 150,
    "columns": {
        "signup_id": "int",
        "first_name": "string",
        "last_name": "string",
        "sex": {"type": "string", "values": ["F", "M"]},
        "email": UNIQUE,
        "username": UNIQUE,
    },
}
MEMBER = {
    "type": "dimension",
    "num_rows": 200,
    "columns": {
        "member_id": "int",
        "first_name": "string",
        "last_name": "string",
        "email": UNIQUE,
        "username": UNIQUE,
    },
}
MEMBER_CHANGES = {
    "type": "change_feed",
    "num_rows": 60,
    "tracks": "member",
    "columns": {
        "member_id": "int",
        **FEED_COLUMNS,
        "first_name": "string",
        "last_name": "string",
        "email": UNIQUE,
        "username": UNIQUE,
    },
}


def local_part_fits(row: dict, text: str) -> bool:
    f, la = ascii_lower(row["first_name"]), ascii_lower(row["last_name"])
    return re.fullmatch(rf"({f}[._]?|{f[0]}){la}\d+", text) is not None


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), cycles=st.integers(2, 5))
def test_unique_email_follows_the_name_across_cycles(run_lab, seed: int, cycles: int) -> None:
    run = run_lab({"signups": SIGNUPS}, cycles=cycles, seed=seed)
    emails, usernames = [], []
    female, male = set(UsPerson.first_names_female), set(UsPerson.first_names_male)
    for cycle in range(cycles):
        for row in run.rows("signups", cycle):
            assert row["first_name"] in (female if row["sex"] == "F" else male), row
            local, _, domain = row["email"].partition("@")
            assert local_part_fits(row, local) and "." in domain, row
            assert local_part_fits(row, row["username"]), row
            emails.append(row["email"])
            usernames.append(row["username"])
    assert len(emails) == 150 * cycles
    assert len(set(emails)) == len(emails) and len(set(usernames)) == len(usernames)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), cycles=st.integers(2, 5))
def test_unique_email_follows_the_name_through_a_change_feed(run_lab, seed, cycles) -> None:
    """Every live member (the snapshot, then each batch applied) has a name-built address, and
    no two members ever written share one."""
    run = run_lab({"member": MEMBER, "member_changes": MEMBER_CHANGES}, cycles=cycles, seed=seed)
    live = {r["member_id"]: r for r in run.rows("member", 0)}
    owner: dict[str, int] = {}
    for row in live.values():
        owner[row["email"]] = row["member_id"]
    for cycle in range(cycles):
        for row in sorted(run.rows("member_changes", cycle), key=lambda r: r["sequence_num"]):
            if row["change_type"] == "DELETE":
                live.pop(row["member_id"], None)
                continue
            assert local_part_fits(row, row["email"].partition("@")[0]), row
            assert local_part_fits(row, row["username"]), row
            # an address belongs to one member for the whole run
            assert owner.setdefault(row["email"], row["member_id"]) == row["member_id"], row
            live[row["member_id"]] = row
    for values in ([r["email"] for r in live.values()], [r["username"] for r in live.values()]):
        assert len(set(values)) == len(values)


def test_validate_warns_where_unique_breaks_a_person_or_a_place(lab_dir) -> None:
    tables = {
        "client": {
            "type": "dimension",
            "num_rows": 50,
            "columns": {
                "client_id": "int",
                "name": dict(UNIQUE),
                "email": dict(UNIQUE),
                "city": dict(UNIQUE),
                "state": "string",
                "phone": dict(UNIQUE),  # any number: its area code leaves the state
                "product_name": dict(UNIQUE),  # a thing, not a person: no warning
            },
        }
    }
    schema = lab_dir(tables)
    check = sectors.check_sector(schema, "lab")
    assert not check.errors
    text = (schema / "lab" / "client.yml").read_text().splitlines()
    line = {
        t.strip().rstrip(":"): n for n, t in enumerate(text, 1) if t.startswith("  ") and ":" in t
    }
    warned = {(i.message.split("'")[1], i.line) for i in check.warnings}
    expected = {(name, line[name]) for name in ("name", "city", "phone")}
    assert warned == expected, check.warnings
    assert all(str(i).startswith(f"{i.file}:{i.line}: warning: ") for i in check.warnings)

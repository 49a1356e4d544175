"""A unique phone's capacity is its table locale's (issue 13.5): `validate` and the run's stop
count the numbers the locale's generator can make, distinct German mobile numbers in a de_DE
table, NANP numbers on the assigned area codes in an en_US one. Expected sizes come from the
numbering plans, not from the generator."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from streamforge import sectors
from streamforge.engine.unique import UniqueExhausted, bounded_columns, check_room

VOCAB = Path(__file__).resolve().parents[2] / "src" / "streamforge" / "engine" / "vocab"
# Bundesnetzagentur's mobile prefixes (015x, 016x, 017x in use) and 8-digit subscriber numbers
GERMAN_MOBILE = 20 * 10**8
# NANP: exchanges 200-999 less the 8 N11 codes, 555 and the test codes 950, 958, 959, 976;
# 10,000 lines each, on every assigned area code of the 50 states and DC
EXCHANGES = 800 - 8 - 4 - 1


def _us_numbers() -> int:
    with (VOCAB / "us_area_codes.csv").open() as f:
        codes = {row["area_code"] for row in csv.DictReader(f)}
    return len(codes) * EXCHANGES * 10_000


def _check(tmp_path: Path, locale: str | None) -> sectors.SectorCheck:
    fact = {"table": "calls", "type": "fact", "num_rows": 20_000}
    if locale is not None:
        fact["locale"] = locale
    fact["columns"] = {"call_id": "long", "phone": {"type": "string", "unique": True}}
    (tmp_path / "lab").mkdir(parents=True)
    (tmp_path / "lab" / "calls.yml").write_text(yaml.safe_dump(fact, sort_keys=False))
    return sectors.check_sector(tmp_path, "lab")


@pytest.mark.parametrize(
    ("locale", "capacity"),
    [("de_DE", GERMAN_MOBILE), ("en_US", None), (None, None)],
)
def test_validate_counts_the_phones_of_the_tables_locale(
    tmp_path: Path, locale: str | None, capacity: int | None
) -> None:
    room = capacity or _us_numbers()
    check = _check(tmp_path, locale)
    assert not check.errors
    (warning,) = (w for w in check.warnings if "'phone'" in w.message)
    assert f"has {room:,} possible values" in warning.message
    assert check.plan is not None
    (found,) = bounded_columns(check.plan.table("calls"))
    assert found[1] == room


def test_a_german_run_stops_when_its_mobile_numbers_are_used_up(tmp_path: Path) -> None:
    german = _check(tmp_path / "de", "de_DE").plan
    american = _check(tmp_path / "us", "en_US").plan
    assert german is not None and american is not None
    check_room(german.table("calls"), GERMAN_MOBILE - 1, cycle=3)
    with pytest.raises(UniqueExhausted, match=f"{GERMAN_MOBILE:,} possible values"):
        check_room(german.table("calls"), GERMAN_MOBILE, cycle=3)
    check_room(american.table("calls"), GERMAN_MOBILE, cycle=3)  # the US space is larger

"""A row's place fields describe one place of the locale's shipped place data (README, smart
fields: "The place fields describe one place").

en_US: (`city`, `state`) is a city of `vocab/us_places.csv` with its state (`state` the name,
`state_code` the abbreviation); de_DE: (`postal_code`/`zip`/`zip_code`, `city`, `state`) is a
postcode of `vocab/de_places.csv` with its own town and Land. A city or state swapped with another
row's, or edited, is caught. Only unprefixed columns that are smart fields (no `values:`,
`format:` or `faker:`, string typed) are judged, the rows where all are non-NULL. Vectorised: the
pairs are joined into one string and looked up with pyarrow.compute.is_in.

An en_US zip lies in its state's range (the generator's, Faker's `states_postcode`), and a de_DE
landline carries the area code of the row's own place. An en_US `phone` beside a
`state`/`state_code` carries an area code assigned to that state
(`vocab/us_area_codes.csv`; README: "US numbers follow the North American Numbering Plan on
assigned area codes of the place's state").
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.report import Report

VOCAB = Path(__file__).resolve().parent.parent / "engine" / "vocab"
SEP = "\x1f"
ZIPS = ("postal_code", "zip", "zip_code", "zipcode", "postcode")


@functools.cache
def _known(locale: str, names: tuple[str, ...]) -> pa.Array:
    """The place data's rows as joined strings of `names` (columns of the CSV)."""
    path = VOCAB / ("de_places.csv" if locale == "de_DE" else "us_places.csv")
    options = pacsv.ConvertOptions(column_types={n: pa.string() for n in names})
    table = pacsv.read_csv(path, convert_options=options)
    return pc.unique(pc.binary_join_element_wise(*(table.column(n) for n in names), SEP))


def _columns(table: TablePlan, data: pa.Table) -> tuple[list[str], tuple[str, ...]]:
    """(landed columns, place-data columns) of the row's place, or empty when it has none."""
    smart = {
        c.name
        for c in table.columns
        if c.values is None and c.format is None and c.faker is None and c.name in data.column_names
    }
    smart = {n for n in smart if pa.types.is_string(data.schema.field(n).type)}
    if "city" not in smart:
        return [], ()
    if (table.spec.locale or "en_US") == "de_DE":
        code = next((z for z in ZIPS if z in smart), "")
        pairs = [(code, "postcode"), ("city", "city"), ("state", "state")]
    else:
        pairs = [("city", "city"), ("state", "state"), ("state_code", "state_abbr")]
    pairs = [(mine, theirs) for mine, theirs in pairs if mine in smart]
    if len(pairs) < 2:
        return [], ()
    return [p[0] for p in pairs], tuple(p[1] for p in pairs)


def check_places(report: Report, table: TablePlan, cycle: int, data: pa.Table) -> list[str]:
    """Findings for rows whose place is not one of the locale's places; the columns checked."""
    mine, theirs = _columns(table, data)
    if not mine:
        return []
    locale = "de_DE" if (table.spec.locale or "en_US") == "de_DE" else "en_US"
    joined = pc.binary_join_element_wise(*(data.column(n) for n in mine), SEP)
    ok = pc.is_in(joined, value_set=_known(locale, theirs))
    bad = pc.and_(pc.is_valid(joined), pc.invert(ok)).to_numpy(zero_copy_only=False)
    _say(
        report,
        table,
        cycle,
        np.asarray(bad, dtype=bool),
        mine[0],
        lambda i: (
            f"whose {', '.join(mine)} are not one place of the {locale} place data "
            f"(e.g. row {i}: { {n: data.column(n)[i].as_py() for n in mine} })"
        ),
    )
    if locale == "de_DE":
        return mine + _check_german_phones(report, table, cycle, data, mine, theirs)
    abbr = _state_abbr(data, mine)
    if abbr is None:
        return mine
    return (
        mine
        + _check_zips(report, table, cycle, data, abbr)
        + _check_phones(report, table, cycle, data, abbr)
    )


def _state_abbr(data: pa.Table, mine: list[str]) -> pa.Array | None:
    """Each en_US row's state abbreviation (from `state_code`, else the `state` name)."""
    names, abbrs, _ = _state_codes()
    if "state_code" in mine:
        return data.column("state_code").combine_chunks()
    if "state" in mine:
        return pc.take(abbrs, pc.index_in(data.column("state"), value_set=names))
    return None


@functools.cache
def _zip_ranges() -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(state abbreviations, their lowest and highest zip): Faker's en_US `states_postcode`, the
    ranges the README names ("a zip inside its state's range"), read here and not through the
    engine's cached place records, so the oracle does not lean on the generator (~90 ms)."""
    from faker.providers.address.en_US import Provider

    ranges = Provider.states_postcode
    abbrs = sorted(ranges)
    low = np.array([ranges[a][0] for a in abbrs], dtype=np.int64)
    high = np.array([ranges[a][1] for a in abbrs], dtype=np.int64)
    return pa.array(abbrs, pa.string()), low, high


def _check_zips(
    report: Report, table: TablePlan, cycle: int, data: pa.Table, abbr: pa.Array
) -> list[str]:
    """Findings for en_US zips (a smart zip field) outside the range of the row's state
    (README: "a zip inside its state's range"); [the zip column] when judged."""
    column = next((z for z in ZIPS if z in data.column_names and _smart(table, data, z)), None)
    if column is None:
        return []
    states, lows, highs = _zip_ranges()
    at = pc.index_in(abbr, value_set=states)
    zips = data.column(column).combine_chunks()
    five = pc.match_substring_regex(zips, r"^[0-9]{5}$")
    number = pc.cast(pc.if_else(five, zips, "0"), pa.int64()).to_numpy(zero_copy_only=False)
    where = np.asarray(pc.fill_null(at, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    inside = (number >= lows[where]) & (number <= highs[where])
    judged = pc.and_(pc.is_valid(zips), pc.is_valid(at)).to_numpy(zero_copy_only=False)
    five_ok = np.asarray(pc.fill_null(five, False).to_numpy(zero_copy_only=False), dtype=bool)
    bad_rows = np.asarray(judged, dtype=bool) & ~(five_ok & inside)
    _say(
        report,
        table,
        cycle,
        bad_rows,
        column,
        lambda i: (
            f"whose {column} is not in its state's zip range "
            f"(e.g. row {i}: {zips[i].as_py()} in {abbr[i].as_py()})"
        ),
    )
    return [column]


def _say(
    report: Report,
    table: TablePlan,
    cycle: int,
    bad_rows: np.ndarray,
    column: str,
    describe: Callable[[int], str],
) -> None:
    """One finding for the `bad_rows` of `column`, if any: "<n> rows <describe(first row)>"."""
    if not bad_rows.any():
        return
    first, count = int(np.flatnonzero(bad_rows)[0]), int(bad_rows.sum())
    report.add(
        table.name,
        cycle,
        f"{counted(count, 'row')} {describe(first)}",
        column=column,
        kind="place",
        count=count,
        example=first,
    )


def _smart(table: TablePlan, data: pa.Table, name: str) -> bool:
    """`name` is a smart field (no values, format or faker of its own) landed as text."""
    col = next((c for c in table.columns if c.name == name), None)
    if col is None or col.values is not None or col.format is not None or col.faker is not None:
        return False
    return pa.types.is_string(data.schema.field(name).type)


def _smart_phone(table: TablePlan, data: pa.Table) -> bool:
    """The table has a `phone` smart field landed as text."""
    return "phone" in data.column_names and _smart(table, data, "phone")


# The area code (Ortsnetzkennzahl) of a German landline as the generator writes it: `0351 ...`,
# `0351/...`, `(0351) ...`, `+49 351 ...` (engine/generators/phone_de.py).
_DE_AREA = r"^(?:\+49 |\(0|0)(?P<code>[2-9][0-9]*)[) /]"


def _check_german_phones(
    report: Report,
    table: TablePlan,
    cycle: int,
    data: pa.Table,
    mine: list[str],
    theirs: tuple[str, ...],
) -> list[str]:
    """Findings for de_DE landlines whose area code is not the one of the row's own place (its
    postcode, town and Land in the place data); mobile numbers (01...) belong to no place.
    ["phone"] when judged."""
    if not _smart_phone(table, data):
        return []
    phones = data.column("phone").combine_chunks()
    # README: German mobile numbers are 015x/016x/017x (`0151 ...`, `+49 171 ...`); landline area
    # codes never start with 1
    mobile = pc.fill_null(pc.match_substring_regex(phones, r"^(0|\+49 )1"), False)
    landline = pc.and_(pc.is_valid(phones), pc.invert(mobile))
    area = pc.struct_field(pc.extract_regex(phones, _DE_AREA), [0])
    place = [data.column(n).combine_chunks() for n in mine]
    joined = pc.binary_join_element_wise(*place, area, SEP)
    known = pc.is_in(joined, value_set=_known("de_DE", (*theirs, "area_code")))
    bad = pc.and_(landline, pc.invert(pc.fill_null(known, False)))
    _say(
        report,
        table,
        cycle,
        np.asarray(bad.to_numpy(zero_copy_only=False), dtype=bool),
        "phone",
        lambda i: (
            f"whose landline's area code is not its own place's (e.g. row {i}: "
            f"{phones[i].as_py()} in {', '.join(str(data.column(n)[i].as_py()) for n in mine)})"
        ),
    )
    return ["phone"]


@functools.cache
def _state_codes() -> tuple[pa.Array, pa.Array, pa.Array]:
    """(state names, their abbreviations, "abbr<SEP>area code" of every assigned code)."""
    places = pacsv.read_csv(VOCAB / "us_places.csv").select(["state", "state_abbr"])
    names = places.group_by(["state", "state_abbr"]).aggregate([])
    options = pacsv.ConvertOptions(column_types={"area_code": pa.string()})
    codes = pacsv.read_csv(VOCAB / "us_area_codes.csv", convert_options=options)
    pairs = pc.binary_join_element_wise(codes.column("state_abbr"), codes.column("area_code"), SEP)
    return (
        names.column("state").combine_chunks(),
        names.column("state_abbr").combine_chunks(),
        pairs.combine_chunks(),
    )


def _check_phones(
    report: Report, table: TablePlan, cycle: int, data: pa.Table, abbr: pa.Array
) -> list[str]:
    """Findings for en_US phones whose area code is not one of the row's state's; ["phone"]
    when judged."""
    if not _smart_phone(table, data):
        return []
    _, _, assigned = _state_codes()
    digits = pc.replace_substring_regex(data.column("phone"), r"[^0-9]", "")
    # A leading country code 1 (+1 ...) is not part of the area code.
    national = pc.if_else(
        pc.equal(pc.utf8_length(digits), 11), pc.utf8_slice_codeunits(digits, 1), digits
    )
    area = pc.utf8_slice_codeunits(national, 0, 3)
    joined = pc.binary_join_element_wise(abbr, area, SEP)
    bad = pc.and_(pc.is_valid(joined), pc.invert(pc.is_in(joined, value_set=assigned)))
    _say(
        report,
        table,
        cycle,
        np.asarray(bad.to_numpy(zero_copy_only=False), dtype=bool),
        "phone",
        lambda i: (
            f"whose phone's area code is not one of its state's (e.g. row {i}: "
            f"{data.column('phone')[i].as_py()} in {abbr[i].as_py()})"
        ),
    )
    return ["phone"]

"""Phone numbers valid for the locale. en_US: `(AAA) EEE-NNNN` under the North American Numbering
Plan (area code and exchange start with 2-9, are never N11; area codes are assigned geographic
ones, which avoid the reserved N9X, 37X and 96X and the easily recognisable codes such as 800 or
555; exchanges avoid 555 and the test codes 950, 958, 959, 976). When the row has a US place (a
city, state, zip or address of the same person, else the row's own), the area code is one of
that place's state (`vocab/us_area_codes.csv`). de_DE: `phone_de`, with the area code of the
place's town."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pyarrow as pa

from streamforge.engine import places
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator
from streamforge.engine.generators.patterns import fixed_width_strings
from streamforge.engine.generators.phone_de import german_phone, mobile_space
from streamforge.engine.generators.provider_space import Space, unique_values
from streamforge.engine.generators.row_fields import (
    AREAS,
    PHONE_FIELDS,
    is_phone,
    owner,
    row_fields,
    split_name,
)
from streamforge.spec.model import ColumnSpec, TableSpec

US_AREA_CODES = Path(__file__).parent.parent / "vocab" / "us_area_codes.csv"
LINES = 10_000  # NNNN per exchange


def _is_n11(code: int) -> bool:
    return code % 100 == 11


@functools.cache
def area_codes() -> np.ndarray:
    """The assigned geographic area codes of the 50 states and DC (`vocab/us_area_codes.csv`),
    sorted: a number drawn without a place uses one of them too, since a code that only obeys
    the numbering plan's shape (674, 935) is unassigned and no real number has it."""
    import pyarrow.csv as csv

    table = csv.read_csv(US_AREA_CODES, read_options=csv.ReadOptions(use_threads=False))
    codes = np.unique(table.column("area_code").to_numpy().astype(np.int64))
    plan = (
        (codes >= 200)
        & (codes % 100 != 11)  # N11: service codes
        & ((codes // 10) % 10 != 9)  # N9X: reserved for expansion
        & ((codes // 10) % 10 != codes % 10)  # easily recognisable codes: 800, 888, 555, ...
        & ~np.isin(codes // 10, (37, 96))  # reserved
    )
    return codes[plan]


@functools.cache
def exchanges() -> np.ndarray:
    bad = {555, 950, 958, 959, 976}
    codes = [c for c in range(200, 1000) if not _is_n11(c) and c not in bad]
    return np.array(codes, dtype=np.int64)


def phone(rng: np.random.Generator, rows: int, areas: np.ndarray | None = None) -> pa.Array:
    """`(AAA) EEE-NNNN` (NANP, see the module docstring): gathers from fixed-width texts.
    `areas`: each row's area code as a position in `area_codes()` (else drawn)."""
    per_area = len(exchanges()) * LINES
    if areas is None:
        return _phone_text(rng.integers(0, phone_space().size, rows))
    return _phone_text(areas * per_area + rng.integers(0, per_area, rows))


@functools.cache
def state_area_codes(states: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(first, count) per state of `states`: its area codes are `by_state()[first:first+count]`,
    positions in `area_codes()`. A state without codes gets every code (none lacks one today)."""
    _, order = by_state()
    first = np.searchsorted(order, np.array(states), side="left")
    last = np.searchsorted(order, np.array(states), side="right")
    count = last - first
    missing = count == 0
    first[missing], count[missing] = len(order), len(area_codes())
    return first, count


@functools.cache
def by_state() -> tuple[np.ndarray, np.ndarray]:
    """(area-code positions in `area_codes()`, their state abbreviations), sorted by state, then
    followed by every area code (for states without a listed one)."""
    import pyarrow.csv as csv

    table = csv.read_csv(
        US_AREA_CODES,
        convert_options=csv.ConvertOptions(
            column_types={"area_code": pa.int64(), "state_abbr": pa.string()}
        ),
    )
    states = np.array(table.column("state_abbr").to_pylist())
    position = np.searchsorted(area_codes(), table.column("area_code").to_numpy())
    order = np.argsort(states, kind="stable")
    everything = np.arange(len(area_codes()))
    return np.concatenate([position[order], everything]), states[order]


def area_of_states(state_index: np.ndarray, states: tuple[str, ...], u: np.ndarray) -> np.ndarray:
    """An area code (position in `area_codes()`) of each row's state (`states[state_index]`),
    picked by `u` in [0, 1)."""
    codes, _ = by_state()
    first, count = state_area_codes(states)
    pick = first[state_index] + np.floor(u * count[state_index]).astype(np.int64)
    return codes[pick]


def _phone_text(number: np.ndarray) -> pa.Array:
    areas, middle, last = _phone_parts()
    per_area = len(middle) * LINES
    rows = len(number)
    cells = np.empty(rows, np.dtype([("area", "S6"), ("middle", "S4"), ("last", "S4")]))
    cells["area"] = areas[number // per_area]
    cells["middle"] = middle[(number % per_area) // LINES]
    cells["last"] = last[number % LINES]
    return fixed_width_strings(cells.view(np.uint8).reshape(rows, 14))


@functools.cache
def phone_space() -> Space:
    def render(numbers: np.ndarray, rng: np.random.Generator) -> pa.Array:
        return _phone_text(numbers.astype(np.int64))

    return Space(len(area_codes()) * len(exchanges()) * LINES, render)


@functools.cache
def _phone_parts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`(AAA) ` for each area code, `EEE-` for each exchange, `NNNN` for each line."""
    area = np.array([f"({code}) ".encode() for code in area_codes()], "S6")
    middle = np.array([f"{code}-".encode() for code in exchanges()], "S4")
    # the 10,000 lines' digits at once (a loop of f-strings cost ~3 ms of a generate)
    digits = np.arange(LINES)[:, None] // 10 ** np.arange(3, -1, -1) % 10
    last = np.ascontiguousarray(digits + ord("0"), dtype=np.uint8).view("S4").ravel()
    return area, middle, last


class PhoneGenerator(ValueGenerator):
    """`phone`, `phone_number`, `mobile`, `fax`, ... alone or as `<prefix>_phone`."""

    priority = 37

    def matches(self, col: ColumnSpec) -> bool:
        return is_phone(col)

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        return phone_space().size

    def locale_capacity(self, col: ColumnSpec, locale: str) -> int | None:
        """A unique German number is a distinct mobile number (`_german`): that space's size."""
        return mobile_space().size if locale == "de_DE" else phone_space().size

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        locale = ctx.locale
        if locale == "de_DE":
            return _german(col, ctx)
        if col.unique:
            return unique_values(phone_space(), ctx)
        states = row_states(col, ctx)
        if states is None:
            return phone(ctx.rng, ctx.rows)
        index, names = states
        areas = area_of_states(index, names, ctx.rng.random(ctx.rows))
        return phone(ctx.rng, ctx.rows, areas)


def _german(col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
    """A German number, with the area code of the row's town (else of a town drawn by weight);
    unique numbers are distinct mobile numbers."""
    if col.unique:
        return unique_values(mobile_space(), ctx)
    made = row_place(col, ctx)
    pool = places.place_pools("de_DE")
    if made is not None:
        record = made[1].record
    else:
        table = places.record_table("de_DE", None)
        record = table[ctx.rng.integers(0, len(table), ctx.rows)]
    areas = pool.phone_area
    assert areas is not None
    return german_phone(ctx.rng, areas.codes, areas.subscriber_digits, areas.area[record])


def place_entity(col: ColumnSpec, table: TableSpec) -> str | None:
    """The entity of the place a phone belongs to: its own entity's (`customer_phone` and
    `customer_city`), else the row's main place "" (the only one for a `faker:` phone, whatever
    its name); None without a place in the row."""
    split = split_name(col.name, PHONE_FIELDS)  # None for `faker: phone_number` under any name
    fields = row_fields(table)
    own = owner(table.name, split[0]) if split is not None else ""
    for entity in dict.fromkeys((own, "")):
        if any(kind not in AREAS for kind in fields.place(entity)):
            return entity
    return None


def row_place(
    col: ColumnSpec, ctx: ColumnContext
) -> tuple[places.PlacePools, places.PlaceDraws] | None:
    """The place a phone belongs to (`place_entity`), None without one. The place's record is
    the one its fields draw."""
    from streamforge.engine.generators.place import place_draws

    if ctx.row is None:
        return None
    entity = place_entity(col, ctx.row.table)
    return None if entity is None else place_draws(col, ctx, entity)


def german_landlines(col: ColumnSpec, ctx: ColumnContext) -> pa.Array | None:
    """A German landline of the row's place for every row (never a mobile number): what a
    moved person's landline becomes (engine/feed_moves.py); None without a place."""
    made = row_place(col, ctx)
    areas = places.place_pools("de_DE").phone_area
    if made is None or areas is None:
        return None
    return german_phone(
        ctx.rng, areas.codes, areas.subscriber_digits, areas.area[made[1].record], mobile_share=0.0
    )


def row_states(col: ColumnSpec, ctx: ColumnContext) -> tuple[np.ndarray, tuple[str, ...]] | None:
    """(each row's state as an index into the states, the states) of the US place a phone
    belongs to (`row_place`); None without one."""
    made = row_place(col, ctx)
    if made is None or made[0].country_code != "US":
        return None
    index, states = _record_states(made[0])
    return index[made[1].record], states


@functools.cache  # a PlacePools is hashed by identity: one entry per locale
def _record_states(place: places.PlacePools) -> tuple[np.ndarray, tuple[str, ...]]:
    """Per place record, its state's index into the distinct states."""
    states, index = np.unique(np.array(place.state_abbr.to_pylist()), return_inverse=True)
    return index, tuple(str(s) for s in states)

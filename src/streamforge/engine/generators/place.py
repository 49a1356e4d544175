"""Place fields that describe one place per row: street, address, city, state, zip, country,
and latitude/longitude near the city, in the table's Faker locale."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from streamforge.engine import places
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.base import ValueGenerator
from streamforge.engine.generators.person import fallback, locale_of
from streamforge.engine.generators.row_fields import (
    AREAS,
    is_free_text,
    owner,
    parse_coordinate,
    parse_place,
    row_fields,
)
from streamforge.plan.columns import arrow_type
from streamforge.spec.model import NUMERIC_TYPES, ColumnSpec

WHOLE_EARTH = (-90.0, 90.0, -180.0, 180.0)


def _bounds(place: dict[str, ColumnSpec]) -> tuple[float, float, float, float]:
    """The box the place's coordinate columns allow (their min/max), else the whole earth."""
    box = list(WHOLE_EARTH)
    for kind, index in (("latitude", 0), ("longitude", 2)):
        col = place.get(kind)
        if col is not None and col.min is not None:
            box[index] = float(col.min)
        if col is not None and col.max is not None:
            box[index + 1] = float(col.max)
    return box[0], box[1], box[2], box[3]


def place_draws(
    col: ColumnSpec, ctx: ColumnContext, entity_prefix: str
) -> tuple[places.PlacePools, places.PlaceDraws] | None:
    """The row's places (None when no record fits the coordinate columns' bounds)."""
    locale = locale_of(ctx)
    pools = places.place_pools(locale)
    stream, box, shared = _own_streams(ctx), WHOLE_EARTH, None
    if ctx.row is not None:
        entity = owner(ctx.row.table.name, entity_prefix)
        row = ctx.row
        stream = lambda part: row.stream(f"place:{entity}:{part}")  # noqa: E731
        box = _bounds(row_fields(ctx.row.table).place(entity))
        key = f"place:{entity}:{locale}:{box}"
        shared = lambda part, make: row.shared(f"{key}:{part}", make)  # noqa: E731
    elif col.type in NUMERIC_TYPES:
        box = _bounds({parse_coordinate(col.name).kind: col})  # type: ignore[union-attr]
    table = places.record_table(locale, None if box == WHOLE_EARTH else box)
    if len(table) == 0:
        table = places.record_table(locale, None)
        if col.type in NUMERIC_TYPES:
            return None
    return pools, places.PlaceDraws(stream, ctx.rows, pools, table, shared)


def _own_streams(ctx: ColumnContext) -> Callable[[str], np.random.Generator]:
    """Without a row, every part of the place comes from the column's own stream, in order."""
    return lambda part: ctx.rng


def _has_place(ctx: ColumnContext, prefix: str) -> bool:
    """Whether the row's place has fields beyond its country and region (a city, a zip,
    coordinates)."""
    if ctx.row is None:
        return False
    place = row_fields(ctx.row.table).place(owner(ctx.row.table.name, prefix))
    return any(kind not in AREAS for kind in place)


class PlaceFieldGenerator(ValueGenerator):
    """`address`, `street`, `city`, `state`, `state_code`, `zip`/`postal_code`, `country`,
    `country_code`, `region`, `division`, `grid_region`, alone or as `<prefix>_<field>`
    (`billing_city`).

    A region is the region of a state, so it is never drawn on its own: `sales_region` beside
    `state` (and no other `sales_` place field) is the region of the row's `state`."""

    priority = 36

    def matches(self, col: ColumnSpec) -> bool:
        return is_free_text(col) and parse_place(col.name) is not None

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        return fallback(self, col).unique_capacity(col)

    def locale_capacity(self, col: ColumnSpec, locale: str) -> int | None:
        return fallback(self, col).locale_capacity(col, locale)

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        if col.unique:  # distinct values come from the field's own space
            return fallback(self, col).generate(col, ctx)
        field = parse_place(col.name)
        assert field is not None
        if field.kind in ("country", "country_code") and not _has_place(ctx, field.entity):
            # a country alone (a supplier's) is any country, not the locale's
            return fallback(self, col).generate(col, ctx)
        entity = field.entity
        if field.kind in ("region", "division", "grid_region") and not _has_place(ctx, entity):
            entity = ""  # the row's main place (the same place when the entity is the table's)
        made = place_draws(col, ctx, entity)
        assert made is not None
        return places.render(made[0], made[1], field.kind)


class CoordinateGenerator(ValueGenerator):
    """`latitude`/`longitude` (`lat`, `lon`, `lng`, ...) of a real place of the locale, near the
    row's city; within the column's min/max. Without places that fit, a plain number."""

    priority = 55

    def matches(self, col: ColumnSpec) -> bool:
        return (
            col.type in NUMERIC_TYPES
            and col.values is None
            and col.distribution == "uniform"
            and parse_coordinate(col.name) is not None
        )

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        return fallback(self, col).unique_capacity(col)

    def anomalies(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        return fallback(self, col).anomalies(col, ctx)

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        field = parse_coordinate(col.name)
        assert field is not None
        made = None if col.unique else place_draws(col, ctx, field.entity)
        if made is None or made[0].latitude is None:
            return fallback(self, col).generate(col, ctx)
        degrees = made[1].coordinates(field.kind)
        target = arrow_type(col)
        digits = col.decimals if col.decimals is not None else 5
        if pa.types.is_decimal(target):
            digits = min(digits, target.scale)
        values = pa.array(np.round(degrees, digits), pa.float64())
        return values if target == pa.float64() else values.cast(target, safe=False)

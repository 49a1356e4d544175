"""Places whose fields agree: street, city, state, zip, country and coordinates of one place.

A place is a record (a city with its state and coordinates) drawn by weight, plus a street and a
postal code drawn for the row. For en_US the records are the US cities of 15,000 people or more
(GeoNames, `vocab/us_places.csv`, weighted by population) and the zip lies in the state's range
as Faker's en_US provider gives it (`states_postcode`). Other locales take Faker's cities, states
and postcodes, and the coordinates of Faker's known places of that country when it has some.

As with people, every field of one place is rendered from the same `PlaceDraws` (two raw 64-bit
words per row from the place's own stream, cut into bit fields).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import pools
from streamforge.engine.pool_cache import pool_values

US_PLACES = Path(__file__).parent / "vocab" / "us_places.csv"
RECORDS = 2000  # Faker-made place records for locales without shipped places
FIELD_BITS = 21
JITTER_DEGREES = 0.03  # spread of a row's coordinates around its city's (about 3 km)
COUNTRY_CODES = {"en_US": "US"}


@dataclass(frozen=True, slots=True)
class PlacePools:
    """The place records of a locale, column by column (row i is one place)."""

    city: pa.StringArray
    state: pa.StringArray
    state_abbr: pa.StringArray
    zip_low: np.ndarray | None  # en_US: the state's zip range; else `postcode` is fixed text
    zip_high: np.ndarray | None
    postcode: pa.StringArray | None
    latitude: np.ndarray | None  # None when the locale has no coordinates
    longitude: np.ndarray | None
    weights: np.ndarray
    street: pools.Template
    country: str
    country_code: str
    us_style: bool  # "street, city, ST 12345" rather than "street, 12345 city"


@functools.cache
def place_pools(locale: str) -> PlacePools:
    return _us_places() if locale == "en_US" else _faker_places(locale)


def _us_places() -> PlacePools:
    import pyarrow.csv as csv
    from faker.providers.address.en_US import Provider

    table = csv.read_csv(US_PLACES)
    abbr = table.column("state_abbr").combine_chunks()
    ranges = Provider.states_postcode
    low = np.array([ranges[s][0] for s in abbr.to_pylist()], dtype=np.int64)
    high = np.array([ranges[s][1] for s in abbr.to_pylist()], dtype=np.int64)
    number, name, suffix = (
        pools.numbers(1, 9999).decorate(suffix=" "),
        pools.last_names().decorate(suffix=" "),
        pools.static_pool("address", "street_suffixes"),
    )
    return PlacePools(
        city=table.column("city").combine_chunks(),
        state=table.column("state").combine_chunks(),
        state_abbr=abbr,
        zip_low=low,
        zip_high=high,
        postcode=None,
        latitude=table.column("latitude").to_numpy(),
        longitude=table.column("longitude").to_numpy(),
        weights=table.column("population").to_numpy().astype(np.float64),
        street=pools.Template(number, name, suffix),
        country="United States",
        country_code="US",
        us_style=True,
    )


def _faker_places(locale: str) -> PlacePools:
    code = locale.partition("_")[2] or locale.upper()

    def build() -> tuple[list[str], None]:
        from faker.providers.geo import Provider as Geo

        fake = pools._faker(locale)
        known = [p for p in Geo.land_coords if p[3] == code]
        rows = []
        for i in range(RECORDS):
            city, lat, lon = fake.city(), "", ""
            if len(known) >= 10:  # a real town with its coordinates
                lat, lon, city = known[i % len(known)][:3]
            state = _first(fake, ("state", "administrative_unit", "region", "county"))
            rows.append("\t".join([city, state, fake.postcode(), lat, lon]))
        return [fake.current_country(), *rows], None

    values = pool_values(f"places:{locale}", build)[0].to_pylist()
    country, records = values[0], [r.split("\t") for r in values[1:]]
    columns = list(zip(*records, strict=True))
    has_coordinates = all(columns[3])
    street = pools.faker_pool("street_address", pools.POOL_SIZE, locale)
    return PlacePools(
        city=pa.array(columns[0], pa.string()),
        state=pa.array(columns[1], pa.string()),
        state_abbr=pa.array(columns[1], pa.string()),
        zip_low=None,
        zip_high=None,
        postcode=pa.array(columns[2], pa.string()),
        latitude=np.array(columns[3], dtype=np.float64) if has_coordinates else None,
        longitude=np.array(columns[4], dtype=np.float64) if has_coordinates else None,
        weights=np.ones(len(records)),
        street=pools.Template(street),
        country=country,
        country_code=code,
        us_style=code in ("US", "CA", "AU"),
    )


def _first(fake: object, methods: tuple[str, ...]) -> str:
    for method in methods:
        maker = getattr(fake, method, None)
        if maker is not None:
            return str(maker())
    return ""


@functools.cache
def record_table(locale: str, bounds: tuple[float, float, float, float] | None) -> np.ndarray:
    """Lookup table of records by weight; with (lat_min, lat_max, lon_min, lon_max), only the
    records inside (a column's min/max); empty when none is."""
    place = place_pools(locale)
    weights = place.weights.copy()
    if bounds is not None and place.latitude is not None and place.longitude is not None:
        lat_lo, lat_hi, lon_lo, lon_hi = bounds
        pad = JITTER_DEGREES
        inside = (place.latitude - pad >= lat_lo) & (place.latitude + pad <= lat_hi)
        inside &= (place.longitude - pad >= lon_lo) & (place.longitude + pad <= lon_hi)
        weights = np.where(inside, weights, 0.0)
    if weights.sum() <= 0:
        return np.zeros(0, dtype=np.int32)
    return pools.lookup_table(weights / weights.sum()).astype(np.int32)


@dataclass(frozen=True, slots=True)
class PlaceDraws:
    record: np.ndarray
    zip_fraction: np.ndarray  # in [0, 1): where in its state's range the zip lies
    street: np.ndarray  # (rows, parts) positions into the street template's pieces
    jitter: np.ndarray  # (2, rows) in [-1, 1): latitude and longitude offsets


def draw_places(
    rng: np.random.Generator, rows: int, place: PlacePools, table: np.ndarray
) -> PlaceDraws:
    raw = rng.bit_generator.random_raw(2 * rows).reshape(2, rows) if rows else np.zeros((2, 0))
    a, b = raw.astype(np.uint64)
    record = table[(a & np.uint64(len(table) - 1)).astype(np.int64)]
    fraction = ((a >> np.uint64(FIELD_BITS)) & np.uint64((1 << 21) - 1)) / float(1 << 21)
    parts = place.street.parts
    street = np.empty((rows, len(parts)), dtype=np.int64)
    words = (a >> np.uint64(2 * FIELD_BITS), b, b >> np.uint64(FIELD_BITS))
    for position, (part, start, word) in enumerate(
        zip(parts, place.street.starts, words, strict=False)
    ):
        slots = (word & np.uint64((1 << FIELD_BITS) - 1)).astype(np.int64)
        street[:, position] = start + slots % len(part)
    jitter_bits = (b >> np.uint64(2 * FIELD_BITS)) & np.uint64((1 << 22) - 1)
    jitter = np.stack([(jitter_bits & np.uint64(2047)), jitter_bits >> np.uint64(11)])
    return PlaceDraws(record, fraction, street, jitter.astype(np.float64) / 1024.0 - 1.0)


def zips(place: PlacePools, draws: PlaceDraws) -> pa.StringArray:
    """The row's postal code: inside its state's zip range (en_US), else the record's."""
    if place.zip_low is None or place.zip_high is None:
        assert place.postcode is not None
        return place.postcode.take(pa.array(draws.record))
    low, high = place.zip_low[draws.record], place.zip_high[draws.record]
    value = low + np.floor(draws.zip_fraction * (high - low + 1)).astype(np.int64)
    return pc.utf8_lpad(pc.cast(pa.array(value), pa.string()), 5, "0")


def render(place: PlacePools, draws: PlaceDraws, kind: str) -> pa.Array:
    """One place text field (`address`, `street`, `city`, `state`, `state_abbr`, `zip`,
    `country`, `country_code`) for each row."""
    rows = pa.array(draws.record)
    if kind == "street":
        return pools.compose(place.street.pieces, draws.street)
    if kind in ("city", "state", "state_abbr"):
        return getattr(place, kind).take(rows)
    if kind == "zip":
        return zips(place, draws)
    if kind in ("country", "country_code"):
        text = place.country if kind == "country" else place.country_code
        return pa.array(np.full(len(draws.record), text, dtype=object), pa.string())
    street = pools.compose(place.street.pieces, draws.street)
    city, code = place.city.take(rows), zips(place, draws)
    if place.us_style:
        state = pc.binary_join_element_wise(place.state_abbr.take(rows), code, " ")
        return pc.binary_join_element_wise(street, city, state, ", ")
    return pc.binary_join_element_wise(street, pc.binary_join_element_wise(code, city, " "), ", ")


def coordinates(place: PlacePools, draws: PlaceDraws, kind: str) -> np.ndarray:
    """Degrees north (`latitude`) or east (`longitude`) near the row's city."""
    base = place.latitude if kind == "latitude" else place.longitude
    assert base is not None
    jitter = draws.jitter[0 if kind == "latitude" else 1]
    return base[draws.record] + jitter * JITTER_DEGREES

"""Places whose fields agree: street, city, state, zip, country and coordinates of one place.

A place is a record (a city with its state and coordinates) drawn by weight, plus a street and a
postal code drawn for the row. For en_US the records are the US cities of 15,000 people or more
(GeoNames, `vocab/us_places.csv`, weighted by population) and the zip lies in the state's range
as Faker's en_US provider gives it (`states_postcode`). Other locales take Faker's cities, states
and postcodes, and the coordinates of Faker's known places of that country when it has some.
A `region` or `division` of a US place is its state's Census region or division
(`vocab/us_census_regions.csv`); a locale without such a set gives the state itself.

As with people, every field of one place is rendered from the same `PlaceDraws`: each part of a
place (record, zip, street, coordinates) has its own stream per place and chunk, so a column made
alone on any thread draws what its siblings drew, and draws only the parts it shows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import pools
from streamforge.engine.pool_cache import pool_values

US_PLACES = Path(__file__).parent / "vocab" / "us_places.csv"
CENSUS_REGIONS = Path(__file__).parent / "vocab" / "us_census_regions.csv"
RECORDS = 2000  # Faker-made place records for locales without shipped places
JITTER_DEGREES = 0.03  # spread of a row's coordinates around its city's (about 3 km)
ARMED_FORCES = (34000, 34100)  # the one military ZIP prefix (340) inside a state's range
Shared = Callable[[str, Callable[[], np.ndarray]], np.ndarray]


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: one per locale
class PlacePools:
    """The place records of a locale, column by column (row i is one place)."""

    city: pa.StringArray
    state: pa.StringArray
    state_abbr: pa.StringArray
    region: pa.StringArray  # the state's region and division (the state where none is known)
    division: pa.StringArray
    zip_low: np.ndarray | None  # en_US: the state's zip range; else `postcode` is fixed text
    zip_high: np.ndarray | None
    zip_span: np.ndarray | None  # high - low + 1
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

    table = csv.read_csv(US_PLACES)
    abbr = table.column("state_abbr").combine_chunks()
    ranges = _states_postcode()
    low = np.array([ranges[s][0] for s in abbr.to_pylist()], dtype=np.int32)
    high = np.array([ranges[s][1] for s in abbr.to_pylist()], dtype=np.int32)
    number, name, suffix = (
        pools.numbers(1, 9999).decorate(suffix=" "),
        pools.last_names().decorate(suffix=" "),
        pools.static_pool("address", "street_suffixes"),
    )
    region, division = _census_regions(abbr)
    return PlacePools(
        city=table.column("city").combine_chunks(),
        state=table.column("state").combine_chunks(),
        state_abbr=abbr,
        region=region,
        division=division,
        zip_low=low,
        zip_high=high,
        zip_span=(high - low + 1).astype(np.float64),
        postcode=None,
        latitude=table.column("latitude").to_numpy(),
        longitude=table.column("longitude").to_numpy(),
        weights=table.column("population").to_numpy().astype(np.float64),
        street=pools.Template(number, name, suffix),
        country="United States",
        country_code="US",
        us_style=True,
    )


def _census_regions(abbr: pa.StringArray) -> tuple[pa.StringArray, pa.StringArray]:
    """Each record's Census region and division, looked up by its state."""
    import pyarrow.csv as csv

    census = csv.read_csv(CENSUS_REGIONS)
    position = pc.index_in(abbr, census.column("state_abbr"))
    if position.null_count:  # a place outside the 50 states and DC: the shipped files disagree
        raise ValueError(f"{CENSUS_REGIONS.name} lacks a state of {US_PLACES.name}")
    region = census.column("region").combine_chunks().take(position)
    return region, census.column("division").combine_chunks().take(position)


def _states_postcode() -> dict[str, tuple[int, int]]:
    """Faker's en_US zip range per state, through the pool cache: importing Faker's address
    provider costs more than a warm generate of a shipped sector (issue 14)."""

    def build() -> tuple[list[str], None]:
        from faker.providers.address.en_US import Provider

        ranges = Provider.states_postcode.items()
        return [f"{state}\t{low}\t{high}" for state, (low, high) in ranges], None

    rows = (
        r.split("\t") for r in pool_values("places:en_US:states_postcode", build)[0].to_pylist()
    )
    return {state: (int(low), int(high)) for state, low, high in rows}


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
    state = pa.array(columns[1], pa.string())
    has_coordinates = all(columns[3])
    street = pools.faker_pool("street_address", pools.POOL_SIZE, locale)
    return PlacePools(
        city=pa.array(columns[0], pa.string()),
        state=state,
        state_abbr=state,
        region=state,
        division=state,
        zip_low=None,
        zip_high=None,
        zip_span=None,
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


class PlaceDraws:
    """The row's places, each part drawn from its own stream only when a field asks for it.

    `stream(part)` must give the same generator to every field of the same place and rows: a
    city column then draws only the record, an address the record, zip and street.
    """

    def __init__(
        self,
        stream: Callable[[str], np.random.Generator],
        rows: int,
        place: PlacePools,
        table: np.ndarray,
        shared: Shared | None = None,
    ) -> None:
        self.stream, self.rows, self.place, self.table = stream, rows, place, table
        self.shared: Shared = shared or (lambda name, make: make())

    @functools.cached_property
    def record(self) -> np.ndarray:
        def make() -> np.ndarray:
            rng = self.stream("record")
            return self.table[rng.integers(0, len(self.table), self.rows, dtype=np.int32)]

        return self.shared("record", make)

    @functools.cached_property
    def postcode(self) -> np.ndarray:
        """Position in `postcodes(place)`: a zip inside the record's state range (en_US), else
        the record's own postcode."""
        place = self.place
        if place.zip_low is None or place.zip_high is None:
            return self.record
        return self.shared("postcode", lambda: self._zip_codes(place))

    def _zip_codes(self, place: PlacePools) -> np.ndarray:
        assert place.zip_low is not None and place.zip_span is not None
        low, span = place.zip_low[self.record], place.zip_span[self.record]
        code = low + (self.stream("zip").random(self.rows) * span).astype(np.int32)
        # Faker's Florida range spans 340xx, the Armed Forces Americas: not a place in a state
        code[(code >= ARMED_FORCES[0]) & (code < ARMED_FORCES[1])] += 100
        return code

    def zips(self) -> pa.StringArray:
        return postcodes(self.place).take(pa.array(self.postcode))

    def street(self, extra: int = 0) -> np.ndarray:
        """(rows, parts + extra) positions into the street template's pieces (the last `extra`
        columns left for the caller to fill)."""
        template = self.place.street
        rng = self.stream("street")
        index = np.empty((self.rows, len(template.parts) + extra), dtype=np.int64)
        for position, (part, start) in enumerate(zip(template.parts, template.starts, strict=True)):
            index[:, position] = rng.integers(0, len(part), self.rows, dtype=np.int32)
            index[:, position] += start
        return index

    def coordinates(self, kind: str) -> np.ndarray:
        """Degrees north (`latitude`) or east (`longitude`) near the row's city."""
        base = self.place.latitude if kind == "latitude" else self.place.longitude
        assert base is not None
        jitter = self.stream(kind).uniform(-JITTER_DEGREES, JITTER_DEGREES, self.rows)
        return base[self.record] + jitter


def render(place: PlacePools, draws: PlaceDraws, kind: str) -> pa.Array:
    """One place text field (`address`, `street`, `city`, `state`, `state_abbr`, `region`,
    `division`, `zip`, `country`, `country_code`) for each row."""
    if kind == "street":
        return pools.compose(place.street.pieces, draws.street())
    if kind in ("city", "state", "state_abbr", "region", "division"):
        return getattr(place, kind).take(pa.array(draws.record))
    if kind == "zip":
        return draws.zips()
    if kind in ("country", "country_code"):
        text = place.country if kind == "country" else place.country_code
        return pa.repeat(pa.scalar(text, pa.string()), draws.rows)
    return _address(place, draws)


def postcodes(place: PlacePools) -> pa.StringArray:
    """Every postal code a row can show: `00000`..`99999` (en_US), else one per record."""
    if place.postcode is not None:
        return place.postcode
    return pools.numbers(0, 100_000, width=5).values


@functools.cache
def _address_pieces(place: PlacePools) -> pa.StringArray:
    """The street's pieces, then per record `, <city>, <ST> ` (US style) or `, <postcode> <city>`,
    then the postal codes (US style): an address is at most five pieces."""
    if place.us_style:
        tail = pc.binary_join_element_wise(", ", place.city, ", ", place.state_abbr, " ", "")
        return pa.concat_arrays([place.street.pieces, tail, postcodes(place)])
    assert place.postcode is not None
    tail = pc.binary_join_element_wise(", ", place.postcode, " ", place.city, "")
    return pa.concat_arrays([place.street.pieces, tail])


def _address(place: PlacePools, draws: PlaceDraws) -> pa.StringArray:
    """`9737 Johnson Road, Springfield, IL 62704` (US style) or `Hauptstr. 5, 10115 Berlin`:
    one `compose` over the street's pieces, the record's tail and the zip."""
    base, parts = len(place.street.pieces), len(place.street.parts)
    index = draws.street(extra=2 if place.us_style else 1)
    index[:, parts] = base + draws.record
    if place.us_style:
        index[:, parts + 1] = base + len(place.city) + draws.postcode
    return pools.compose(_address_pieces(place), index)

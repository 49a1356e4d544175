"""Places whose fields agree: street, city, state, zip, country and coordinates of one place.

A place is a record (a city with its state and coordinates) drawn by weight, plus a street and a
postal code drawn for the row. For en_US the records are the US cities of 15,000 people or more
(GeoNames, `vocab/us_places.csv`, weighted by population) and the zip lies in the state's range
as Faker's en_US provider gives it (`states_postcode`). For de_DE a record is a postcode with its
town, Land and coordinates (GeoNames, `vocab/de_places.csv`), so the postcode is the town's own,
and the town's phone area code. A `region` or `division` of a US place is its state's Census
region or division (`vocab/us_census_regions.csv`); in Germany it is the Land. A `grid_region`
is the ISO/RTO covering most of the state's load (`vocab/us_grid_regions.csv`), in Germany the
Land's transmission control area (`vocab/de_grid_regions.csv`). No other locale
has places (validate refuses it).

As with people, every field of one place is rendered from the same `PlaceDraws`: each part of a
place (record, zip, street, coordinates) has its own stream per place and chunk, so a column made
alone on any thread draws what its siblings drew, and draws only the parts it shows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import pools
from streamforge.engine.place_records import PhoneAreas, PlacePools, place_pools

__all__ = [
    "PhoneAreas",
    "PlaceDraws",
    "PlacePools",
    "place_pools",
    "postcodes",
    "record_table",
    "render",
]

JITTER_DEGREES = 0.03  # spread of a row's coordinates around its city's (about 3 km)
ARMED_FORCES = (34000, 34100)  # the one military ZIP prefix (340) inside a state's range
Shared = Callable[[str, Callable[[], np.ndarray]], np.ndarray]


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
        if self.place.postcode is not None:
            return self.place.postcode.take(pa.array(self.postcode))
        return zip_text(self.postcode)

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
    `division`, `grid_region`, `zip`, `country`, `country_code`) for each row."""
    if kind == "street":
        return pools.compose(place.street.pieces, draws.street())
    if kind in ("city", "state", "state_abbr", "region", "division", "grid_region"):
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


def zip_text(codes: np.ndarray) -> pa.StringArray:
    """Five-digit zips (`00501`), made for the rows at hand: the text of all 100,000 (a cast,
    a pad and a copy into every address's pieces) cost more than a shipped sector's rows."""
    return pc.utf8_lpad(pc.cast(pa.array(codes), pa.string()), 5, "0")


@functools.cache
def _address_pieces(place: PlacePools) -> pa.StringArray:
    """The street's pieces, then per record `, <city>, <ST> ` (US style, the rows' zips are
    added after them) or `, <postcode> <city>`: an address is at most five pieces."""
    if place.us_style:
        tail = pc.binary_join_element_wise(", ", place.city, ", ", place.state_abbr, " ", "")
        return pa.concat_arrays([place.street.pieces, tail])
    assert place.postcode is not None
    tail = pc.binary_join_element_wise(", ", place.postcode, " ", place.city, "")
    return pa.concat_arrays([place.street.pieces, tail])


def _address(place: PlacePools, draws: PlaceDraws) -> pa.StringArray:
    """`9737 Johnson Road, Springfield, IL 62704` (US style) or `Hauptstr. 5, 10115 Berlin`:
    one `compose` over the street's pieces, the record's tail and the zip."""
    base, parts = len(place.street.pieces), len(place.street.parts)
    index = draws.street(extra=2 if place.us_style else 1)
    index[:, parts] = base + draws.record
    pieces = _address_pieces(place)
    if place.us_style:
        index[:, parts + 1] = len(pieces) + np.arange(draws.rows)
        pieces = pa.concat_arrays([pieces, zip_text(draws.postcode)])
    return pools.compose(pieces, index)

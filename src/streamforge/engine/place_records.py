"""The place records of each supported locale, column by column (row i is one place): US cities
with their states' zip ranges, Census regions and grid regions, German postcodes with their towns,
Länder, control areas and phone area codes. Read once per process from the shipped vocabulary
(see `vocab/README.md`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine import pools
from streamforge.engine.pool_cache import pool_values
from streamforge.engine.vocab_cache import kept_table

US_PLACES = Path(__file__).parent / "vocab" / "us_places.csv"
CENSUS_REGIONS = Path(__file__).parent / "vocab" / "us_census_regions.csv"
DE_PLACES = Path(__file__).parent / "vocab" / "de_places.csv"
US_GRID = Path(__file__).parent / "vocab" / "us_grid_regions.csv"
DE_GRID = Path(__file__).parent / "vocab" / "de_grid_regions.csv"


@dataclass(frozen=True, slots=True, eq=False)
class PhoneAreas:
    """The phone area codes of a locale's places (de_DE): `codes[area[record]]` is a record's."""

    codes: tuple[str, ...]  # without the trunk 0
    subscriber_digits: np.ndarray  # per code: the subscriber number's length
    area: np.ndarray  # per record: position in `codes`


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: one per locale
class PlacePools:
    """The place records of a locale, column by column (row i is one place)."""

    city: pa.StringArray
    state: pa.StringArray
    state_abbr: pa.StringArray
    region: pa.StringArray  # the state's region and division (the state where none is known)
    division: pa.StringArray
    grid_region: pa.StringArray  # the state's ISO/RTO (US) or control area (DE), by its file
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
    phone_area: PhoneAreas | None = None  # area codes by record, where phones follow the town


@functools.cache
def place_pools(locale: str) -> PlacePools:
    """The places of a supported locale (`spec.locales.SUPPORTED_LOCALES`).

    Raises:
        ValueError: for any other locale (validate refuses it before a run).
    """
    if locale == "en_US":
        return _us_places()
    if locale == "de_DE":
        return _german_places()
    raise ValueError(f"no places for locale '{locale}'")


def _us_places() -> PlacePools:
    table = kept_table(
        "us_places", (US_PLACES, CENSUS_REGIONS, US_GRID, Path(__file__)), _us_records
    )
    number, name, suffix = (
        pools.numbers(1, 9999).decorate(suffix=" "),
        pools.last_names().decorate(suffix=" "),
        pools.static_pool("address", "street_suffixes"),
    )
    low, high = (table.column(c).to_numpy() for c in ("zip_low", "zip_high"))
    text = {c: table.column(c).combine_chunks() for c in ("city", "state", "state_abbr")}
    return PlacePools(
        **text,
        region=table.column("region").combine_chunks(),
        division=table.column("division").combine_chunks(),
        grid_region=table.column("grid_region").combine_chunks(),
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


def _us_records() -> pa.Table:
    """The US places with each one's state's Census region and division, grid region and
    Faker's zip range: kept in the cache folder (engine/vocab_cache.py)."""
    import pyarrow.csv as csv

    table = csv.read_csv(US_PLACES)
    abbr = table.column("state_abbr").combine_chunks()
    ranges = _states_postcode()
    region, division = _census_regions(abbr)
    added = {
        "region": region,
        "division": division,
        "grid_region": by_state(abbr, US_GRID, "grid_region"),
        "zip_low": pa.array([ranges[s][0] for s in abbr.to_pylist()], pa.int32()),
        "zip_high": pa.array([ranges[s][1] for s in abbr.to_pylist()], pa.int32()),
    }
    for name, column in added.items():
        table = table.append_column(name, column)
    return table


def _census_regions(abbr: pa.StringArray) -> tuple[pa.StringArray, pa.StringArray]:
    """Each record's Census region and division, looked up by its state."""
    import pyarrow.csv as csv

    census = csv.read_csv(CENSUS_REGIONS)
    position = pc.index_in(abbr, census.column("state_abbr"))
    if position.null_count:  # a place outside the 50 states and DC: the shipped files disagree
        raise ValueError(f"{CENSUS_REGIONS.name} lacks a state of {US_PLACES.name}")
    region = census.column("region").combine_chunks().take(position)
    return region, census.column("division").combine_chunks().take(position)


def by_state(abbr: pa.StringArray, path: Path, column: str) -> pa.StringArray:
    """Each record's `column` of a shipped `state_abbr,<column>` file, looked up by its state
    (the file's leading `#` lines say where the values come from).

    Raises:
        ValueError: when the file lacks a state of the records (the shipped files disagree).
    """
    import csv

    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    states = pa.array([row["state_abbr"] for row in rows], pa.string())
    position = pc.index_in(abbr, states)
    if position.null_count:
        raise ValueError(f"{path.name} lacks a state of the places")
    return pa.array([row[column] for row in rows], pa.string()).take(position)


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


def _german_places() -> PlacePools:
    """One record per (postcode, town): GeoNames' German postal codes (`vocab/de_places.csv`),
    each postcode weighted 1 in all (its towns share it), so a Land's share of rows follows its
    share of postcodes, which follows its people."""
    import pyarrow.csv as csv

    table = csv.read_csv(
        DE_PLACES,
        convert_options=csv.ConvertOptions(
            column_types={"postcode": pa.string(), "area_code": pa.string()}
        ),
    )
    postcode = table.column("postcode").combine_chunks()
    _, inverse, counts = np.unique(
        np.array(postcode.to_pylist()), return_inverse=True, return_counts=True
    )
    codes, area = np.unique(np.array(table.column("area_code").to_pylist()), return_inverse=True)
    digits = np.zeros(len(codes), dtype=np.int64)
    digits[area] = table.column("subscriber_digits").to_numpy()
    state = table.column("state").combine_chunks()
    street = pools.faker_pool("street_address", pools.POOL_SIZE, "de_DE")
    return PlacePools(
        city=table.column("city").combine_chunks(),
        state=state,
        state_abbr=table.column("state_abbr").combine_chunks(),
        region=state,
        division=state,
        grid_region=by_state(table.column("state_abbr").combine_chunks(), DE_GRID, "grid_region"),
        zip_low=None,
        zip_high=None,
        zip_span=None,
        postcode=postcode,
        latitude=table.column("latitude").to_numpy(),
        longitude=table.column("longitude").to_numpy(),
        weights=1.0 / counts[inverse],
        street=pools.Template(street),
        country="Germany",
        country_code="DE",
        us_style=False,
        phone_area=PhoneAreas(tuple(str(c) for c in codes), digits, area),
    )

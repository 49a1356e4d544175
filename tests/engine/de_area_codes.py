"""Build the phone columns of `vocab/de_places.csv`: each German place record's area code
(Ortsnetzkennzahl), keyed by the place, not by its town's name.

libphonenumber's German geocoding (`phonenumbers`, Apache License 2.0) names each area code by a
town, often with a qualifier (`Brühl Rheinland`, `Halle Saale`, `Schneeberg Erzgebirge`). Several
towns share a name (Brühl in Nordrhein-Westfalen and in Baden-Württemberg), so a name alone picks
the wrong code for the others. The rule, per place record:

1. A code's candidate home records are the records whose town is the code's name, or the name
   without trailing qualifier words (`Brühl Rheinland` -> `Brühl`), or the town part of a
   district (`Dresden Friedrichstadt` -> `Dresden`).
2. When the candidates lie far apart (several towns of that name), the code's home is the
   cluster nearest to the codes of its own Leitbereich (the code's first two digits: codes of
   one Leitbereich are one region), found from the codes whose candidates agree.
3. A record in a code's home takes that code; any other record takes the code of the nearest
   record that has one (an Ortsnetz is the area around its town).

The subscriber length makes a 10-digit national number, which libphonenumber accepts.

Run `python -m tests.engine.de_area_codes` to rewrite the two columns; the shipped file must equal
what this builds (tests/engine/test_de_area_codes.py).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

VOCAB = Path(__file__).parents[2] / "src" / "streamforge" / "engine" / "vocab"
DE_PLACES = VOCAB / "de_places.csv"
LINK_KM = 12.0  # a town's neighbouring postcodes and districts lie this close
NATIONAL_DIGITS = 10
GENERIC = {"bad", "groß", "klein", "neu", "sankt", "st", "alt", "ober", "nieder", "unter", "hohen"}


def normal(name: str) -> str:
    """Lower case, punctuation as spaces (`Forst (Lausitz)` -> `forst lausitz`)."""
    return " ".join(re.sub(r"[()/,.\-]", " ", name.lower()).split())


def name_keys(name: str) -> list[str]:
    """The name, then shorter word prefixes, longest first (never a lone generic word)."""
    words = normal(name).split()
    keys = [" ".join(words[:n]) for n in range(len(words), 0, -1)]
    return [k for k in keys if k not in GENERIC]


def german_codes() -> dict[str, str]:
    """Area code (without the trunk 0) -> libphonenumber's German name of it."""
    from phonenumbers.geodata import GEOCODE_DATA

    return {
        prefix[2:]: names.get("de") or names["en"]
        for prefix, names in GEOCODE_DATA.items()
        if prefix.startswith("49") and (names.get("de") or names.get("en"))
    }


def km(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    """Great-circle distance in km from (lat0, lon0) to each point."""
    a, b, c, d = map(np.radians, (lat, lon, lat0, lon0))
    h = np.sin((c - a) / 2) ** 2 + np.cos(a) * np.cos(c) * np.sin((d - b) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))


def area_codes(cities: list[str], lat: np.ndarray, lon: np.ndarray) -> list[str]:
    """Each record's area code by the rule of the module docstring."""
    by_key: dict[str, list[int]] = {}
    for i, city in enumerate(cities):
        for key in name_keys(city):
            by_key.setdefault(key, []).append(i)
    candidates: dict[str, np.ndarray] = {}
    for code, name in german_codes().items():
        for key in name_keys(name):
            if key in by_key:
                candidates[code] = np.array(by_key[key])
                break
    homes, spread = _agreeing_homes(candidates, lat, lon)
    homes.update(_homes_by_region(spread, homes, lat, lon))
    code_of = np.full(len(cities), "", dtype=object)
    # longer codes are the smaller areas: a record in two homes takes the more local code
    for code in sorted(homes, key=lambda c: (len(c), c)):
        code_of[homes[code]] = code
    matched = np.flatnonzero(code_of != "")
    for i in np.flatnonzero(code_of == ""):
        code_of[i] = code_of[matched[np.argmin(km(lat[matched], lon[matched], lat[i], lon[i]))]]
    return [str(c) for c in code_of]


def clusters(rows: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> list[np.ndarray]:
    """`rows` split into towns: records chained by steps of at most LINK_KM (one town's
    districts and postcodes touch; two towns of one name lie apart)."""
    label = np.arange(len(rows))
    for i in range(len(rows)):
        near = km(lat[rows], lon[rows], lat[rows[i]], lon[rows[i]]) <= LINK_KM
        label[np.isin(label, label[near])] = label[i]
    return [rows[label == value] for value in np.unique(label)]


def _agreeing_homes(
    candidates: dict[str, np.ndarray], lat: np.ndarray, lon: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, list[np.ndarray]]]:
    """(codes whose candidates are one town, the towns of the others)."""
    homes, spread = {}, {}
    for code, rows in candidates.items():
        towns = clusters(rows, lat, lon)
        if len(towns) == 1:
            homes[code] = rows
        else:
            spread[code] = towns
    return homes, spread


def _homes_by_region(
    spread: dict[str, list[np.ndarray]],
    homes: dict[str, np.ndarray],
    lat: np.ndarray,
    lon: np.ndarray,
) -> dict[str, np.ndarray]:
    """Of each code's towns, the one nearest to the other codes of its region (the longest
    leading digits that other placed codes share: codes are numbered by region)."""
    centre = {c: (np.median(lat[r]), np.median(lon[r])) for c, r in homes.items()}
    chosen = {}
    for code, towns in spread.items():
        for digits in (3, 2, 1):
            near = [centre[c] for c in centre if c[:digits] == code[:digits] and c != code]
            if near:
                break
        lat0, lon0 = np.median(np.array(near), axis=0)
        gap = [km(lat[t], lon[t], lat0, lon0).min() for t in towns]
        chosen[code] = towns[int(np.argmin(gap))]
    return chosen


def rebuild(path: Path = DE_PLACES) -> list[dict[str, str]]:
    """The rows of `path` with `area_code` and `subscriber_digits` built by the rule."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    lat = np.array([float(r["latitude"]) for r in rows])
    lon = np.array([float(r["longitude"]) for r in rows])
    for row, code in zip(rows, area_codes([r["city"] for r in rows], lat, lon), strict=True):
        row["area_code"], row["subscriber_digits"] = code, str(NATIONAL_DIGITS - len(code))
    return rows


if __name__ == "__main__":
    built = rebuild()
    with DE_PLACES.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(built[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(built)

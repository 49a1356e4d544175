"""US reference facts for the place tests, written from USPS and census publications, not from
Faker or the shipped places: the first three digits of the ZIP codes of each state (USPS
"ZIP Code prefixes", military and territory prefixes left out), state names, and boxes that
hold each of a few large states (degrees, rounded outwards)."""

from __future__ import annotations


def _span(low: int, high: int) -> set[int]:
    return set(range(low, high + 1))


ZIP3 = {
    "AL": _span(350, 369),
    "AK": _span(995, 999),
    "AZ": _span(850, 865),
    "AR": _span(716, 729),
    "CA": _span(900, 961),
    "CO": _span(800, 816),
    "CT": _span(60, 69),
    "DE": _span(197, 199),
    "DC": _span(200, 205) | {569},
    "FL": _span(320, 339) | _span(341, 349),  # 340: Armed Forces Americas
    "GA": _span(300, 319) | {398, 399},
    "HI": _span(967, 968),
    "ID": _span(832, 838),
    "IL": _span(600, 629),
    "IN": _span(460, 479),
    "IA": _span(500, 528),
    "KS": _span(660, 679),
    "KY": _span(400, 427),
    "LA": _span(700, 714),
    "ME": _span(39, 49),
    "MD": _span(206, 219),
    "MA": _span(10, 27) | {55},
    "MI": _span(480, 499),
    "MN": _span(550, 567),
    "MS": _span(386, 397),
    "MO": _span(630, 658),
    "MT": _span(590, 599),
    "NE": _span(680, 693),
    "NV": _span(889, 898),
    "NH": _span(30, 38),
    "NJ": _span(70, 89),
    "NM": _span(870, 884),
    "NY": _span(100, 149) | {5, 63},
    "NC": _span(270, 289),
    "ND": _span(580, 588),
    "OH": _span(430, 459),
    "OK": _span(730, 749),
    "OR": _span(970, 979),
    "PA": _span(150, 196),
    "RI": _span(28, 29),
    "SC": _span(290, 299),
    "SD": _span(570, 577),
    "TN": _span(370, 385),
    "TX": _span(750, 799) | {733, 885},
    "UT": _span(840, 847),
    "VT": _span(50, 59) - {55},
    "VA": _span(220, 246) | {201},
    "WA": _span(980, 994),
    "WV": _span(247, 268),
    "WI": _span(530, 549),
    "WY": _span(820, 831) | {834},
}

STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip

# (lat_min, lat_max, lon_min, lon_max) that contain the state
BOXES = {
    "CA": (32.4, 42.1, -124.5, -114.1),
    "TX": (25.8, 36.6, -106.7, -93.5),
    "NY": (40.4, 45.1, -79.8, -71.8),
    "FL": (24.4, 31.1, -87.7, -79.9),
    "IL": (36.9, 42.6, -91.6, -87.0),
    "WA": (45.5, 49.1, -124.9, -116.9),
    "CO": (36.9, 41.1, -109.1, -102.0),
}

# The Census Bureau's "Census Regions and Divisions of the United States": region -> division ->
# the states (and DC) in it, written from the Bureau's map, not from the shipped vocabulary.
CENSUS = {
    "Northeast": {
        "New England": {"CT", "ME", "MA", "NH", "RI", "VT"},
        "Middle Atlantic": {"NJ", "NY", "PA"},
    },
    "Midwest": {
        "East North Central": {"IL", "IN", "MI", "OH", "WI"},
        "West North Central": {"IA", "KS", "MN", "MO", "NE", "ND", "SD"},
    },
    "South": {
        "South Atlantic": {"DE", "DC", "FL", "GA", "MD", "NC", "SC", "VA", "WV"},
        "East South Central": {"AL", "KY", "MS", "TN"},
        "West South Central": {"AR", "LA", "OK", "TX"},
    },
    "West": {
        "Mountain": {"AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY"},
        "Pacific": {"AK", "CA", "HI", "OR", "WA"},
    },
}
CENSUS_REGION = {
    s: r for r, divisions in CENSUS.items() for states in divisions.values() for s in states
}
CENSUS_DIVISION = {
    s: d for divisions in CENSUS.values() for d, states in divisions.items() for s in states
}

"""Word lists for text that reads: part descriptions, reviews, notes. Product names are in
`product_names.yml`, by department (products.py reads it)."""

from __future__ import annotations

import re

PART_MATERIALS = (
    "Stainless steel",
    "Carbon steel",
    "Aluminum",
    "Brass",
    "Nylon",
    "PTFE",
    "Zinc-plated steel",
    "Titanium",
    "Cast iron",
    "EPDM rubber",
    "Copper",
    "ABS plastic",
    "Carbon fiber",
)


def spell_material(value: object) -> str:
    """A material column's value as a part description starts with it: the spelling above when
    one matches (STAINLESS_STEEL, "stainless steel"), else its words ("Glass fiber")."""
    key = re.sub(r"[^A-Z0-9]+", "_", str(value).upper()).strip("_")
    known = {re.sub(r"[^A-Z0-9]+", "_", m.upper()): m for m in PART_MATERIALS}
    return known.get(key) or key.replace("_", " ").capitalize()


PART_NOUNS = (
    "hex bolt",
    "flange nut",
    "flat washer",
    "bearing",
    "O-ring",
    "bushing",
    "shaft coupling",
    "bracket",
    "spring",
    "dowel pin",
    "gasket",
    "hydraulic fitting",
)
PART_SIZES = (
    "M4 x 12 mm",
    "M6 x 20 mm",
    "M8 x 40 mm",
    "M10 x 50 mm",
    "12 mm bore",
    "25 mm OD",
    "1/4 in NPT",
    "3/8 in",
    "DN25",
    "50 x 30 mm",
)

REVIEW_OPENERS = (
    "Great value for the price.",
    "Works exactly as described.",
    "Arrived quickly and well packed.",
    "Better than I expected.",
    "Solid build quality.",
    "Not quite what I hoped for.",
    "Does the job.",
    "Really happy with this purchase.",
    "Decent, but a bit overpriced.",
    "Stopped working after a few weeks.",
    "Looks even better in person.",
    "Easy to set up.",
)
REVIEW_DETAILS = (
    "The size is just right",
    "Setup took about five minutes",
    "The finish feels durable",
    "Customer service answered within a day",
    "It is lighter than it looks",
    "The color matches the photos",
    "Instructions could be clearer",
    "Battery life is excellent",
    "It feels a little flimsy",
    "My whole family uses it",
    "It replaced an older model",
    "Cleaning it is easy",
)
REVIEW_CLOSERS = (
    "and I would buy it again.",
    "so four stars.",
    "and I recommend it.",
    "but shipping was slow.",
    "so I am returning it.",
    "and it was worth every penny.",
    "though the price could be lower.",
    "and it makes a great gift.",
)

NOTE_ACTIONS = (
    "Inspected",
    "Replaced",
    "Reset",
    "Cleaned",
    "Adjusted",
    "Tested",
    "Repaired",
    "Reviewed",
    "Updated",
    "Verified",
    "Tightened",
    "Recalibrated",
)
NOTE_OBJECTS = (
    "the connection",
    "the fuse",
    "the filter",
    "the seal",
    "the settings",
    "the wiring",
    "the sensor",
    "the account details",
    "the breaker",
    "the valve",
    "the firmware",
    "the paperwork",
)
NOTE_OUTCOMES = (  # each follows the object directly: a space or a semicolon first
    " and confirmed normal operation.",
    "; follow-up scheduled for next week.",
    "; no further issues found.",
    " and notified the customer.",
    "; waiting on parts.",
    "; escalated to the supervisor.",
    " and closed the ticket.",
    "; monitoring for 24 hours.",
)

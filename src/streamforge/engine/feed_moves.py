"""What a change feed's move carries along: the phone numbers of the moved place.

A person who moves (new address, city, state or zip in an UPDATE) keeps the fields that describe
them (name, e-mail, birth date: other groups, `change_feed._entity_groups`), but a landline's area
code is the place's: it follows the new place. In en_US every number has an area code of its
state, so a phone of the place follows the move; in de_DE a mobile number (015x/016x/017x) is
nobody's place and stays, a landline becomes one of the new town. Coordinates are fields of the
place itself and move with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.engine.generators.phone import place_entity
from streamforge.engine.generators.phone_de import mobile_rows
from streamforge.engine.generators.row_fields import AREAS, is_phone, row_fields
from streamforge.engine.generators.smart import FAKER_PHONES
from streamforge.spec.model import ColumnSpec, TableSpec


@dataclass(frozen=True, slots=True)
class PlacePhone:
    """A phone attribute (position `phone` among the feed's attributes) and the positions of
    the place fields whose change is a move of its place."""

    phone: int
    place: np.ndarray


def place_phones(
    table: TableSpec, attrs: list[ColumnSpec], mutable: np.ndarray
) -> list[PlacePhone]:
    """The feed's mutable phone attributes (a phone by name, or `faker: phone_number` and its
    kin, which the phone generator makes) that belong to a place among its attributes."""
    position = {a.name: j for j, a in enumerate(attrs)}
    fields = row_fields(table)
    found = []
    for j, attr in enumerate(attrs):
        if not (mutable[j] and (is_phone(attr) or attr.faker in FAKER_PHONES)):
            continue
        entity = place_entity(attr, table)
        if entity is None:
            continue
        place = [
            position[c.name]
            for kind, c in fields.place(entity).items()
            if kind not in AREAS and c.name in position and mutable[position[c.name]]
        ]
        if place:
            found.append(PlacePhone(j, np.array(sorted(place), dtype=np.intp)))
    return found


def moved_rows(final: np.ndarray, phone: PlacePhone) -> np.ndarray:
    """Rows whose place changes in this batch."""
    return np.asarray(final[:, phone.place].any(axis=1), dtype=bool)


def follow_moves(final: np.ndarray, changed: np.ndarray, phones: list[PlacePhone]) -> None:
    """Mark each phone of a moved place as changed, in place (where its new draw differs)."""
    for phone in phones:
        final[:, phone.phone] |= moved_rows(final, phone) & changed[:, phone.phone]


def german_move(
    previous: pa.Array, fresh: pa.Array, landlines: pa.Array | None, rows_moved: np.ndarray
) -> pa.Array:
    """The de_DE phone after a move: a mobile number stays (so does no number: a NULL of the
    column's null_rate), a landline becomes `landlines`' (one of the new place); rows that did
    not move keep `fresh` (their own draw or change)."""
    if landlines is None:
        return fresh
    keep = mobile_rows(previous) | np.asarray(pc.is_null(previous), dtype=bool)
    after = pc.if_else(pa.array(keep), previous, landlines.cast(previous.type))
    return pc.if_else(pa.array(rows_moved), after, fresh)

"""`validate` warnings for a place field drawn apart from the row's place (issue 13.5).

A column named for a part of a place (`country`, `region`, `grid_region`, `city`, ...) follows
the row's place only when it is left to the column name (a string with no `values`, `format`,
`faker` or `expr`). Given its own values beside a city, state, zip or coordinates of the same
entity, it is drawn on its own and names another country or market than the city: allowed (a
user may want it), so a warning at the column's line. It reads column names only
(generators/row_fields.py): validate loads no value generator for it.
"""

from __future__ import annotations

from streamforge.engine.generators.row_fields import AREAS, owner, parse_place, row_fields
from streamforge.errors import Issue, display_path
from streamforge.spec.model import ColumnSpec, SectorSpec

HINT = "leave it `type: string` with no values, format or faker, so it follows the place"


def place_apart_warnings(sector: SectorSpec) -> list[Issue]:
    """One warning per place-named column with its own values beside its entity's place."""
    issues: list[Issue] = []
    for spec in sector.tables:
        places = row_fields(spec).places
        for col in spec.columns:
            field = parse_place(col.name)
            if field is None or col.expr is not None or col.unique or col.name in _made(places):
                continue
            place = places.get(owner(spec.name, field.entity), {})
            pins = sorted(c.name for kind, c in place.items() if kind not in AREAS)
            if pins:
                issues.append(
                    Issue(
                        display_path(spec.file),
                        col.line,
                        f"column '{col.name}' has values of its own, so it can disagree with "
                        f"the place of {', '.join(pins)}",
                        HINT,
                        "warning",
                    )
                )
    return issues


def _made(places: dict[str, dict[str, ColumnSpec]]) -> set[str]:
    """Columns the place makes (free text, named for a place field)."""
    return {c.name for cols in places.values() for c in cols.values()}

"""`validate` warnings for `unique` on a field whose row must agree with it (issue 13.5).

A unique `email` or `username` stays built from the row's name (a number makes it distinct), but
a unique name, first or last name, place field, coordinate, birth date or phone takes distinct
values from the field's own space instead: it then no longer describes the row's person or place.
That is allowed (a user may want it), so it is a warning at the column's line, not an error.
It reads column names only (generators/row_fields.py): validate loads no value generator for it.
"""

from __future__ import annotations

from streamforge.engine.generators.row_fields import NUMBERED, is_phone, row_fields
from streamforge.errors import Issue, display_path
from streamforge.plan import Plan
from streamforge.spec.model import ColumnSpec, TableSpec

HINT = "drop unique there, or keep the field apart from the row's other {what} fields"


def unique_coherence_warnings(plan: Plan) -> list[Issue]:
    """One warning per unique column that stops agreeing with its person or place."""
    issues: list[Issue] = []
    for table in plan.tables:
        spec = table.spec
        fields = row_fields(spec)
        for entity in sorted({*fields.people, *fields.links}):
            cols, links = fields.person(entity), fields.links.get(entity, {})
            # a company only picks the e-mail's domain: not a fact a unique name contradicts
            members = [*cols.values(), *(c for k, c in links.items() if k != "company")]
            broken = [c for kind, c in cols.items() if kind not in NUMBERED]
            if "age" in links and "birth" in links:  # a unique birth date ignores the age
                broken.append(links["birth"])
            issues += _warn(spec, members, broken, "person")
        for cols in fields.places.values():
            members = list(cols.values())
            issues += _warn(spec, members, members, "place")
        # a unique phone is any valid number: its area code no longer follows the row's state
        phones = [c for c in spec.columns if c.unique and is_phone(c)]
        place = list(fields.place("").values())
        issues += [w for p in phones for w in _warn(spec, [p, *place], [p], "place")]
    return issues


def _warn(
    spec: TableSpec, members: list[ColumnSpec], candidates: list[ColumnSpec], what: str
) -> list[Issue]:
    if len({c.name for c in members}) < 2:
        return []  # a field alone has nothing to disagree with
    others = sorted({c.name for c in members})
    return [
        Issue(
            display_path(spec.file),
            col.line,
            f"unique column '{col.name}' takes distinct values of its own, so it no longer "
            f"describes the same {what} as {', '.join(n for n in others if n != col.name)}",
            HINT.format(what=what),
            "warning",
        )
        for col in candidates
        if col.unique
    ]

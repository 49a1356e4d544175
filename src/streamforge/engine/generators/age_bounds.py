"""The bounds of a person's `age` when the row also has the person's birth date (plan/ages.py
gives the rule): the age column is drawn within what both columns allow on the as-of day, so
the birth date made from it (person.BirthDateGenerator) fits the birth date's own min/max."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.row_fields import AGE, owner, row_fields, split_name
from streamforge.engine.generators.temporal import EPOCH
from streamforge.plan.ages import agreed_ages, birth_ages
from streamforge.spec.model import INTEGER_TYPES, ColumnSpec


def person_age(col: ColumnSpec, ctx: ColumnContext) -> ColumnSpec:
    """`col` itself, or, when it is the `age` of a person whose birth date the row also has,
    `col` with the min/max (whole years) both allow on the as-of day (`ctx.history[1]`).

    When the two do not meet (`validate` reports it), the birth date's range wins: the ages
    must still match the dates written beside them.
    """
    if ctx.row is None or col.type not in INTEGER_TYPES or col.unique:
        return col
    split = split_name(col.name, AGE)
    if split is None:
        return col
    links = row_fields(ctx.row.table).links.get(owner(ctx.row.table.name, split[0]), {})
    age, birth = links.get("age"), links.get("birth")
    if age is None or age.name != col.name or birth is None or birth.unique:
        return col
    today = (EPOCH + timedelta(microseconds=ctx.history[1])).date()
    low, high = agreed_ages(col, birth, today) or birth_ages(birth, today)
    return dataclasses.replace(col, min=float(low), max=float(high))

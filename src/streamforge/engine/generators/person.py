"""Person fields that describe one person per row: name, first and last name, e-mail, user name
(built from the name, at the company's domain when the row has a company), a first name that
fits the row's sex, and a birth date that fits its age."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pyarrow as pa

from streamforge.engine import people
from streamforge.engine.context import ColumnContext
from streamforge.engine.generators.age_bounds import person_age
from streamforge.engine.generators.base import ValueGenerator, generate_values
from streamforge.engine.generators.row_fields import (
    BIRTH,
    NUMBERED,
    is_free_text,
    owner,
    parse_person,
    row_fields,
    split_name,
)
from streamforge.engine.generators.temporal import EPOCH, micros_to_arrow, to_micros
from streamforge.plan.times import DAY_US
from streamforge.spec.locales import DEFAULT_LOCALE
from streamforge.spec.model import ColumnSpec


def follows_name(col: ColumnSpec) -> bool:
    """A unique e-mail or user name made from the row's name (and its key): a rename may
    change it and it stays unique."""
    field = parse_person(col.name) if is_free_text(col) else None
    return col.unique and field is not None and field.kind in NUMBERED


def locale_of(ctx: ColumnContext) -> str:
    return ctx.locale


def fallback(generator: ValueGenerator, col: ColumnSpec) -> ValueGenerator:
    """The generator that would make the column if `generator` did not exist."""
    return next(
        g
        for g in ValueGenerator.registry
        if g.priority > generator.priority and g is not generator and g.matches(col)
    )


class PersonFieldGenerator(ValueGenerator):
    """`name`, `first_name`, `last_name`, `email`, `username`, alone or as `<role>_<field>`."""

    priority = 35

    def matches(self, col: ColumnSpec) -> bool:
        return is_free_text(col) and parse_person(col.name) is not None

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        return self.locale_capacity(col, DEFAULT_LOCALE)

    def locale_capacity(self, col: ColumnSpec, locale: str) -> int | None:
        if self._kind(col) in NUMBERED:
            return None  # the row's own number after the name: no end
        return fallback(self, col).locale_capacity(col, locale)

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        kind = self._kind(col)
        if col.unique and kind not in NUMBERED:
            # a name made unique is no longer a name: distinct values from the field's own
            # space (`validate` warns that the row's person then disagrees with it)
            return fallback(self, col).generate(col, ctx)
        locale = locale_of(ctx)
        pools = people.person_pools(locale)
        sex, domain, shared = None, None, None
        stream: Callable[[str], np.random.Generator] = lambda part: ctx.rng  # noqa: E731
        if ctx.row is not None:
            field = parse_person(col.name)
            assert field is not None
            entity = owner(ctx.row.table.name, field.entity)
            row = ctx.row
            stream = lambda part: row.stream(f"person:{entity}:{part}")  # noqa: E731
            shared = lambda part, make: row.shared(f"person:{entity}:{locale}:{part}", make)  # noqa: E731
            fields = row_fields(ctx.row.table)
            gender = fields.link(entity, "gender")
            if gender is not None and pools.gendered:
                known = row.known.get(gender.name)
                if known is None:
                    known = generate_values(gender, row.context(gender.name))
                sex = people.sex_of(known)
            company = fields.link(entity, "company")
            if company is not None and kind == "email":
                made = generate_values(company, ctx.row.context(company.name))
                domain = people.company_domains(made, locale)
                domain = None if domain.null_count else domain
        draws = people.PersonDraws(stream, ctx.rows, pools, sex, shared)
        # unique: the name's own pieces, then the run-wide row number (entity key for a change
        # feed) instead of the drawn 0..99: `jane.doe4711`. A name ends in a letter, so the
        # trailing digits are the number alone and no two rows of the run can meet.
        tag = ctx.row_index + 1 if col.unique else None
        return people.render(pools, draws, kind, domain, tag)

    @staticmethod
    def _kind(col: ColumnSpec) -> str:
        field = parse_person(col.name)
        assert field is not None
        return field.kind


class BirthDateGenerator(ValueGenerator):
    """A birth date; when the row's person has an `age`, one that makes the person that old on
    the last day of the history window (the day the records are as of)."""

    priority = 55

    def matches(self, col: ColumnSpec) -> bool:
        return (
            col.type in ("date", "datetime")
            and col.values is None
            and split_name(col.name, BIRTH) is not None
        )

    def unique_capacity(self, col: ColumnSpec) -> int | None:
        return fallback(self, col).unique_capacity(col)

    def anomalies(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        return fallback(self, col).anomalies(col, ctx)

    def generate(self, col: ColumnSpec, ctx: ColumnContext) -> pa.Array:
        age_col = None
        if ctx.row is not None and not col.unique:
            split = split_name(col.name, BIRTH)
            assert split is not None
            entity = owner(ctx.row.table.name, split[0])
            age_col = row_fields(ctx.row.table).link(entity, "age")
        if age_col is None:
            return fallback(self, col).generate(col, ctx)
        assert ctx.row is not None
        age_ctx = ctx.row.context(age_col.name)
        ages = generate_values(person_age(age_col, age_ctx), age_ctx)
        micros = birth_micros(ages, ctx.history[1], ctx.rng)
        # Only the declared bounds: time_range fills a missing side from the history window,
        # which would move dates out of the age they were made for.
        low = to_micros(col.min) if col.min is not None else None
        high = to_micros(col.max) if col.max is not None else None
        if high is not None and col.type == "date":
            high += DAY_US - 1  # max is an inclusive day
        micros = np.clip(micros, low, high) if low is not None or high is not None else micros
        return micros_to_arrow(col, micros)


def birth_micros(ages: pa.Array, as_of_us: int, rng: np.random.Generator) -> np.ndarray:
    """A moment on a day that makes each age exact on the day of `as_of_us` (a missing or
    negative age gets a newborn's date). One calendar computation per distinct age."""
    years = np.nan_to_num(np.asarray(ages.cast(pa.float64()).to_numpy(zero_copy_only=False)))
    years = np.clip(np.floor(years), 0, 150).astype(np.int64)
    today = (EPOCH + timedelta(microseconds=as_of_us)).date()
    distinct, position = np.unique(years, return_inverse=True)
    first = np.array([_days(_years_before(today, int(a) + 1)) + 1 for a in distinct])
    last = np.array([_days(_years_before(today, int(a))) for a in distinct])
    low, high = first[position], last[position]
    day = low + np.floor(rng.random(len(years)) * (high - low + 1)).astype(np.int64)
    return day * DAY_US + rng.integers(0, DAY_US, len(years))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _days(day: date) -> int:
    return (datetime(day.year, day.month, day.day, tzinfo=UTC) - EPOCH).days

"""validate counts a unique column's values from its spec where the spec decides them
(plan/capacity.py), without the engine; that answer must be the value generators' own
(engine/unique.py), for every column of the shipped sectors and for columns made up here."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamforge import sectors
from streamforge.engine.generators import generator_for
from streamforge.plan.capacity import UNKNOWN, spec_capacity
from streamforge.spec.columns import build_column

SCHEMA = Path(__file__).resolve().parents[2] / "schema"


def engine_capacity(col) -> int | None:
    return generator_for(col).unique_capacity(col)


def shipped_columns():
    for sector in sectors.sector_names(SCHEMA):
        plan = sectors.plan_of(sector, SCHEMA)
        for table in plan.tables:
            for col in table.spec.columns:
                yield pytest.param(col, id=f"{sector}.{table.name}.{col.name}")


@pytest.mark.parametrize("col", list(shipped_columns()))
def test_shipped_columns_spec_answer_is_the_engines(col) -> None:
    answer = spec_capacity(col)
    if answer != UNKNOWN:
        assert answer == engine_capacity(col)


def test_the_shipped_unique_columns_need_no_engine() -> None:
    """The point of the rules: every shipped unique column is answered from its spec."""
    unknown = [
        f"{table.name}.{col.name}"
        for sector in sectors.sector_names(SCHEMA)
        for table in sectors.plan_of(sector, SCHEMA).tables
        for col in table.spec.columns
        if col.unique and spec_capacity(col) == UNKNOWN
    ]
    assert unknown == []


NAMES = st.sampled_from(
    [
        "email",
        "customer_email",
        "work_email",
        "email_address",
        "barcode_email",
        "card_number",
        "product_email",
        "part_name",
        "sku",
        "ean13",
        "note",
        "name",
        "city",
    ]
)
FORMATS = st.one_of(
    st.none(),
    st.text(alphabet="#?AB-|", min_size=0, max_size=10),
)
FAKERS = st.sampled_from(
    [None, "ean13", "ean", "ean8", "bban", "iban", "city", "company_email", "postcode"]
)


@settings(max_examples=150, deadline=None)
@given(name=NAMES, fmt=FORMATS, faker=FAKERS)
def test_made_up_columns_spec_answer_is_the_engines(name, fmt, faker) -> None:
    raw: dict = {"type": "string", "unique": True}
    if fmt is not None:
        raw["format"] = fmt
    if faker is not None:
        raw["faker"] = faker
    try:
        col = build_column(name, raw, ("columns", name))
    except ValueError:  # a spec validate refuses (an empty format, a list of values): no run
        return
    answer = spec_capacity(col)
    if answer != UNKNOWN:
        assert answer == engine_capacity(col)

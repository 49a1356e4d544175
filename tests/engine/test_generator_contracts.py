"""Contracts every registered value generator keeps (issue 12.7), parametrised from the registry:
a new generator is tested as soon as it registers, and fails the coverage test until one of the
candidate columns below reaches it.

For each generator, on every candidate column it makes: one value per row, the declared Arrow
type, the same values for the same seed, chunk k the same whether made alone or after the
others, and a null share close to `null_rate`.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from tests.engine.conftest import START_US

from streamforge.engine.generators import ValueGenerator, generate_values, generator_for
from streamforge.engine.rows import BatchRequest, column_context, make_chunk
from streamforge.engine.seeding import CHUNK_ROWS
from streamforge.plan import Plan, TablePlan
from streamforge.plan.columns import column_type

# One column per kind of generator and per smart-field family; add one when a generator is new.
CANDIDATES: dict[str, object] = {
    "int_value": "int",
    "long_value": "long",
    "ratio": "float",
    "reading": {"type": "double", "distribution": "normal", "mean": 5, "stddev": 1},
    "amount": "decimal(10,2)",
    "happened_at": "datetime",
    "day": "date",
    "flag": "bool",
    "label": "string",
    "code": {"type": "string", "format": "AB-##-??"},
    "choice": {"type": "string", "format": "RES|COM|IND"},
    "status": {"type": "string", "values": ["OPEN", "CLOSED"], "weights": [0.7, 0.3]},
    "tags": {"type": "array", "items": "string"},
    "attributes": {"type": "map", "keys": "string", "values": "int"},
    "operator": {"type": "string", "faker": "company"},
    "card_number": "string",
    "upc": "string",
    "product_title": "string",
    "review": "string",
    "notes": "string",
    "name": "string",
    "email": "string",
    "username": "string",
    "sex": "string",
    "company": "string",
    "job": "string",
    "address": "string",
    "city": "string",
    "state": "string",
    "zip": "string",
    "phone": "string",
    "latitude": "double",
    "longitude": {"type": "float", "min": -124, "max": -67},
    "age": {"type": "int", "min": 18, "max": 90},
    "birth_date": "date",
}
ROWS = CHUNK_ROWS + 3000  # two chunks, the second short
NULL_RATE = 0.25
GENERATORS = ValueGenerator.registry


def _table(lab_plan, null_rate: float = 0.0) -> TablePlan:
    columns: dict[str, object] = {"contract_id": "long"}
    for name, spec in CANDIDATES.items():
        body = {"type": spec} if isinstance(spec, str) else dict(spec)  # type: ignore[arg-type]
        if null_rate:
            body["null_rate"] = null_rate
        columns[name] = body
    table = {"type": "dimension", "num_rows": ROWS, "columns": columns}
    plan: Plan = lab_plan({"contract": table})
    return plan.table("contract")


@pytest.fixture(scope="module")
def table(lab_plan) -> TablePlan:
    return _table(lab_plan)


def _request(table: TablePlan, seed: int = 11) -> BatchRequest:
    return BatchRequest(
        table=table,
        seed=seed,
        cycle=0,
        rows=ROWS,
        first_key=1,
        window=(START_US, START_US + 30_000_000),
        history=(START_US - 10 * 365 * 86_400_000_000, START_US),
        live={},
    )


def _columns_of(table: TablePlan, generator: ValueGenerator) -> list:
    return [
        c for c in table.columns if c.name != table.primary_key and generator_for(c) is generator
    ]


def test_every_registered_generator_makes_a_candidate(table) -> None:
    missing = [g.name for g in GENERATORS if not _columns_of(table, g)]
    assert not missing, f"add a column to CANDIDATES that reaches {missing}"


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.name)
def test_length_type_and_determinism(table, generator) -> None:
    request = _request(table)
    for col in _columns_of(table, generator):
        lo, hi = CHUNK_ROWS, ROWS  # the short chunk: lengths that are not a power of two
        first = generate_values(col, column_context(request, col.name, lo, hi, 1))
        again = generate_values(col, column_context(request, col.name, lo, hi, 1))
        assert len(first) == hi - lo, col.name
        assert first.type == column_type(table, col), (col.name, first.type)
        assert first.equals(again), col.name
        other = generate_values(col, column_context(_request(table, seed=12), col.name, lo, hi, 1))
        assert not first.equals(other) or first.null_count == len(first), col.name


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.name)
def test_a_chunk_is_the_same_alone_or_after_others(table, generator) -> None:
    names = [c.name for c in _columns_of(table, generator)]
    request = _request(table)
    alone = make_chunk(request, 1).batch.select(names)
    make_chunk(request, 0)
    after = make_chunk(request, 1).batch.select(names)
    assert alone.equals(after)


@pytest.fixture(scope="module")
def nullable(lab_plan) -> pa.RecordBatch:
    table = _table(lab_plan, NULL_RATE)
    return pa.Table.from_batches(
        [make_chunk(_request(table), k).batch for k in range(2)]
    ).combine_chunks()


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.name)
def test_null_share_follows_null_rate(table, nullable, generator) -> None:
    for col in _columns_of(table, generator):
        share = nullable.column(col.name).null_count / ROWS
        # 66k rows: the share's standard deviation is 0.0017
        assert abs(share - NULL_RATE) < 0.01, (col.name, share)


def test_candidates_make_values_not_nulls(table) -> None:
    """The contracts above would pass for a generator that returned only nulls: none does."""
    request = _request(table)
    for col in table.columns:
        values = generate_values(col, column_context(request, col.name, 0, 1000, 0))
        assert values.null_count == 0, col.name
        if not pa.types.is_nested(values.type):
            assert len(np.unique(values.cast(pa.string()).to_numpy(zero_copy_only=False))) > 1

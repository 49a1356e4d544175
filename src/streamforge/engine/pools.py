"""Realistic value pools taken from Faker once per process, then sampled with numpy.

Faker is slow per value (tens of microseconds) but its word lists are good; sampling a pool by index
keeps the realism and costs nanoseconds. Pools are seeded, so they are the same in every run
with the same Faker version.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

POOL_SIZE = 4000


@dataclass(frozen=True, slots=True)
class Pool:
    values: pa.StringArray
    weights: np.ndarray | None = None  # cumulative, for frequency-weighted pools

    def sample(self, rng: np.random.Generator, rows: int) -> pa.Array:
        if self.weights is None:
            index = rng.integers(0, len(self.values), rows)
        else:
            index = np.searchsorted(self.weights, rng.random(rows), side="right")
            index = np.minimum(index, len(self.values) - 1)
        return self.values.take(pa.array(index))


def _weighted(mapping: dict[str, float]) -> Pool:
    names = list(mapping)
    weights = np.asarray(list(mapping.values()), dtype=np.float64)
    return Pool(pa.array(names, pa.string()), np.cumsum(weights / weights.sum()))


def _faker():
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(20240601)
    return fake


@functools.cache
def first_names() -> Pool:
    from faker.providers.person.en_US import Provider

    return _weighted({**Provider.first_names_female, **Provider.first_names_male})


@functools.cache
def last_names() -> Pool:
    from faker.providers.person.en_US import Provider

    return _weighted(dict(Provider.last_names))


@functools.cache
def first_names_lower() -> Pool:
    pool = first_names()
    return Pool(pc.utf8_lower(pool.values), pool.weights)


@functools.cache
def last_names_lower() -> Pool:
    pool = last_names()
    return Pool(pc.utf8_lower(pool.values), pool.weights)


@functools.cache
def static_pool(provider: str, attribute: str) -> Pool:
    """A pool straight from a Faker provider's en_US word list (no Faker calls)."""
    import importlib

    module = importlib.import_module(f"faker.providers.{provider}.en_US")
    values = getattr(module.Provider, attribute)
    return Pool(pa.array([str(v) for v in values], pa.string()))


@functools.cache
def faker_pool(method: str, size: int = POOL_SIZE) -> Pool:
    """`size` values from any Faker provider method, de-duplicated, newlines flattened."""
    fake = _faker()
    maker = getattr(fake, method)
    seen: dict[str, None] = {}
    for _ in range(size):
        text = str(maker()).replace("\n", ", ")
        seen.setdefault(text, None)
    return Pool(pa.array(list(seen), pa.string()))


@functools.cache
def words() -> Pool:
    from faker.providers.lorem.en_US import Provider

    return Pool(pa.array([w.title() for w in Provider.word_list], pa.string()))


@functools.cache
def email_domains() -> Pool:
    base = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com"]
    companies = faker_pool("domain_name", 400).values.to_pylist()
    return Pool(pa.array(base * 20 + companies, pa.string()))

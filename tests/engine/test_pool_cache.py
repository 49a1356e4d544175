"""The Faker pool cache (engine/pool_cache.py) returns exactly what building the pools fresh
returns, and a damaged cache file is ignored and rebuilt."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest

from streamforge.engine import pool_cache, pools

BUILT = {
    "first_names": pools.first_names,
    "last_names": pools.last_names,
    "words": pools.words,
    "street_suffixes": lambda: pools.static_pool("address", "street_suffixes"),
    "city": lambda: pools.faker_pool("city"),
    "company": lambda: pools.faker_pool("company", 300),
}

CACHED_NAMES = {
    "first_names",
    "last_names",
    "words",
    "static_pool:address:street_suffixes",
    "faker_pool:city:4000",
    "faker_pool:company:300",
}


def forget(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """A new process's view: no pool in memory, the cache in `cache`."""
    monkeypatch.setenv("STREAMFORGE_CACHE_DIR", str(cache))
    monkeypatch.setattr(pool_cache, "_loaded", {})
    for fn in (pools.first_names, pools.last_names, pools.words, pools.static_pool):
        fn.cache_clear()
    pools.faker_pool.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_memory():
    yield
    for fn in (pools.first_names, pools.last_names, pools.words, pools.static_pool):
        fn.cache_clear()
    pools.faker_pool.cache_clear()


def snapshot() -> dict[str, tuple[list[str], list[float] | None]]:
    out = {}
    for name, make in BUILT.items():
        pool = make()
        weights = None if pool.probabilities is None else pool.probabilities.tolist()
        out[name] = (pool.values.to_pylist(), weights)
    return out


def test_cached_pools_equal_fresh_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forget(monkeypatch, tmp_path)
    fresh = snapshot()
    assert pool_cache.cache_file().exists()
    forget(monkeypatch, tmp_path)

    def no_faker() -> None:
        raise AssertionError("a cached pool must not call Faker")

    monkeypatch.setattr(pools, "_faker", no_faker)
    assert snapshot() == fresh
    assert len(fresh["city"][0]) > 100  # real pools, not empty ones


def test_a_corrupt_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forget(monkeypatch, tmp_path)
    fresh = snapshot()
    for damage in (b"not arrow at all", pool_cache.cache_file().read_bytes()[:200]):
        pool_cache.cache_file().write_bytes(damage)
        forget(monkeypatch, tmp_path)
        assert snapshot() == fresh
        table = pa.ipc.open_file(pa.py_buffer(pool_cache.cache_file().read_bytes())).read_all()
        assert set(table["name"].to_pylist()) == CACHED_NAMES  # rewritten whole again


def test_the_file_is_per_faker_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forget(monkeypatch, tmp_path)
    first = pool_cache.cache_file()
    monkeypatch.setattr(pool_cache, "faker_version", lambda: "0.0.1")
    assert pool_cache.cache_file() != first
    assert pool_cache.cache_file().parent == tmp_path


def generate(out: Path, cache: Path) -> dict[str, bytes]:
    env = {**os.environ, "STREAMFORGE_CACHE_DIR": str(cache)}
    subprocess.run(
        [sys.executable, "-m", "streamforge", "generate", "Retail", "--out", str(out),
         "--scale", "0.05", "--start", "2026-01-31T08:00:00Z", "--seed", "7"],
        env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and "_streamforge" not in p.parts
    }


def test_same_rows_without_with_and_with_a_broken_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = generate(tmp_path / "cold", cache)  # builds every pool, writes the cache
    files = list(cache.glob("pools-*.arrow"))
    assert len(files) == 1
    warm = generate(tmp_path / "warm", cache)
    files[0].write_bytes(b"\0" * 64)
    broken = generate(tmp_path / "broken", cache)
    assert len(cold) >= 8  # every table of the sector landed
    assert cold == warm == broken


@pytest.mark.parametrize("provider", ["bban", "city", "no_such_provider"])
def test_provider_formats_cached_equal_fresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    from streamforge.engine.generators import provider_space

    owner = getattr(getattr(provider_space._faker(), provider, None), "__self__", None)
    fresh = getattr(owner, f"{provider}_format", None)
    expected = fresh if isinstance(fresh, str) else None
    for _ in range(2):  # built, then read back from the file
        forget(monkeypatch, tmp_path)
        assert provider_space.provider_format(provider) == expected
    assert provider != "bban" or "#" in (expected or "")  # a real format was compared


def test_cache_dir_without_a_home(monkeypatch: pytest.MonkeyPatch) -> None:
    """No STREAMFORGE_CACHE_DIR, no XDG_CACHE_HOME and no home folder: the temp folder."""

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("STREAMFORGE_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", no_home)
    assert pool_cache.cache_dir() == Path(tempfile.gettempdir()) / "streamforge"
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert pool_cache.cache_dir() == Path("/somewhere/streamforge")


def test_us_state_zip_ranges_cached_equal_fakers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Coherent en_US places read the state zip ranges through the cache (a warm generate
    imports no Faker): cold and warm, they are Faker's `states_postcode`, state by state."""
    from faker.providers.address.en_US import Provider

    from streamforge.engine import place_records

    expected = {state: tuple(span) for state, span in Provider.states_postcode.items()}
    forget(monkeypatch, tmp_path)
    assert place_records._states_postcode() == expected  # cold: built from Faker, then written
    forget(monkeypatch, tmp_path)
    assert (tmp_path / pool_cache.cache_file().name).exists()
    assert place_records._states_postcode() == expected  # warm: read back from the file

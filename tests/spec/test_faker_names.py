"""`faker: <provider>` is checked against Faker's provider names, which validate reads from a
small per-Faker-version file (spec/faker_names.py): the same names as a fresh Faker instance has,
rebuilt when the file is missing or damaged, and read without loading Faker or pyarrow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from streamforge.spec import faker_names


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STREAMFORGE_CACHE_DIR", str(tmp_path))
    faker_names._providers.cache_clear()
    yield tmp_path
    faker_names._providers.cache_clear()


def fresh_names() -> tuple[str, ...]:
    from faker import Faker

    fake = Faker("en_US")  # what `getattr(fake, provider)` finds, by Faker's own listing
    return tuple(sorted(n for n in dir(fake.factories[0]) if n[:1].islower()))


def test_cached_names_equal_a_fresh_fakers(cache: Path) -> None:
    expected = fresh_names()
    assert {"city", "company_email", "ean13", "bban"} <= set(expected)
    assert faker_names.faker_providers() == expected  # built
    assert faker_names.names_file().parent == cache
    faker_names._providers.cache_clear()
    assert faker_names.faker_providers() == expected  # read back from the file


@pytest.mark.parametrize("damage", [b"", b"\xff\xfe\x00broken"])
def test_a_damaged_names_file_is_rebuilt(cache: Path, damage: bytes) -> None:
    path = faker_names.names_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(damage)
    assert faker_names.faker_providers() == fresh_names()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [line.partition("\t")[0] for line in lines] == list(fresh_names())


PROBE = """
import json, sys
from streamforge.spec.faker_names import faker_providers
names = faker_providers()
print(json.dumps([len(names), [m for m in ("faker", "pyarrow", "numpy") if m in sys.modules]]))
"""


def test_reading_the_names_loads_neither_faker_nor_pyarrow(cache: Path) -> None:
    env = {**os.environ, "STREAMFORGE_CACHE_DIR": str(cache)}

    def probe() -> list:
        done = subprocess.run(
            [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout)

    count, loaded = probe()  # the first run builds the file, with Faker
    assert "faker" in loaded  # the probe can see a heavy import
    assert probe() == [count, []]


@pytest.mark.parametrize("provider", ["bban", "iban", "city", "ean13", "no_such_provider"])
def test_provider_formats_equal_the_engines(cache: Path, provider: str) -> None:
    """validate counts `faker: bban` from this format; the engine fills the same one."""
    from streamforge.engine.generators import provider_space

    expected = provider_space.provider_format(provider) or None
    assert faker_names.provider_format(provider) == expected  # built
    faker_names._providers.cache_clear()
    assert faker_names.provider_format(provider) == expected  # read back from the file
    assert provider != "bban" or "#" in (expected or "")  # a real format was compared

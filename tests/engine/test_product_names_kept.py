"""The product vocabulary is kept as JSON in the cache folder (issue 14: a warm `generate` loads
no PyYAML): what is kept is what the YAML file says, and a damaged copy is read again."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from streamforge.engine.vocab import products


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STREAMFORGE_CACHE_DIR", str(tmp_path))
    products._raw.cache_clear()
    yield tmp_path
    products._raw.cache_clear()


def from_yaml() -> dict:
    text = resources.files(products.__package__).joinpath("product_names.yml").read_text("utf-8")
    return yaml.safe_load(text)


def test_the_kept_copy_reads_as_the_yaml(own_cache: Path) -> None:
    assert products._raw() == from_yaml()
    kept = list((own_cache / "vocab").glob("product_names-*.json"))
    assert len(kept) == 1
    products._raw.cache_clear()
    assert products._raw() == from_yaml()  # now read from the kept JSON


def test_a_damaged_copy_is_read_from_the_yaml_again(own_cache: Path) -> None:
    products._raw()
    (kept,) = (own_cache / "vocab").glob("product_names-*.json")
    kept.write_text("{not json")
    products._raw.cache_clear()
    assert products._raw() == from_yaml()

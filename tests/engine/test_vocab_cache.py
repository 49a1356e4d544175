"""Tables derived from the shipped vocabulary, kept in the cache folder (engine/vocab_cache.py):
read back as built, made again when a source changes or the file is unreadable."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from streamforge.engine import place_records
from streamforge.engine.vocab_cache import kept_table


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STREAMFORGE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_kept_table_is_built_once_and_read_back_equal(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "words.csv"
    source.write_text("a\n")
    built: list[int] = []

    def build() -> pa.Table:
        built.append(1)
        return pa.table({"word": [source.read_text().strip()], "n": pa.array([1], pa.int32())})

    first = kept_table("words", [source], build)
    assert kept_table("words", [source], build).equals(first) and len(built) == 1
    source.write_text("b\n")  # an edited source: a new file, never the stale table
    assert kept_table("words", [source], build).column("word").to_pylist() == ["b"]
    assert len(built) == 2 and len(list((cache / "vocab").glob("words-*.arrow"))) == 2


def test_an_unreadable_or_unwritable_cache_only_costs_a_build(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "s.csv"
    source.write_text("x")
    kept_table("t", [source], lambda: pa.table({"x": [1]}))
    (kept,) = (cache / "vocab").glob("t-*.arrow")
    kept.write_bytes(b"not arrow")
    assert kept_table("t", [source], lambda: pa.table({"x": [2]})).column("x").to_pylist() == [2]
    (cache / "vocab").rename(cache / "moved")
    (cache / "vocab").write_text("a file where the folder goes")
    assert kept_table("t", [source], lambda: pa.table({"x": [3]})).column("x").to_pylist() == [3]


def test_the_kept_us_places_are_the_shipped_files_joined(cache: Path) -> None:
    """Read back from the cache, the US records equal a fresh join of the shipped files."""
    place_records.place_pools.cache_clear()
    try:
        built = place_records.place_pools("en_US")  # builds and keeps the records
        place_records.place_pools.cache_clear()
        read = place_records.place_pools("en_US")  # from the kept file
    finally:
        place_records.place_pools.cache_clear()
    assert list((cache / "vocab").glob("us_places-*.arrow"))
    for column in ("city", "state", "state_abbr", "region", "division", "grid_region"):
        assert getattr(read, column).equals(getattr(built, column)), column
    for column in ("zip_low", "zip_high", "zip_span", "latitude", "longitude", "weights"):
        assert (getattr(read, column) == getattr(built, column)).all(), column
    assert read.region.to_pylist()[read.state_abbr.to_pylist().index("CA")] == "West"

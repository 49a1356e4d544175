"""cache_dir.py: Faker's version names the pool and provider-name files, so it must be the one
importlib.metadata reports, however it is found; writes to a folder that cannot hold them only
cost time."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from streamforge import cache_dir


def test_faker_version_is_the_metadata_version() -> None:
    cache_dir.faker_version.cache_clear()
    assert cache_dir.faker_version() == importlib.metadata.version("Faker")


@pytest.mark.parametrize(
    ("folders", "expected"),
    [
        (["faker-1.2.3.dist-info"], "1.2.3"),
        (["Faker-4.5.6.dist-info"], "4.5.6"),
        (["faker-1.0.0.dist-info", "faker-2.0.0.dist-info"], "metadata"),  # which one? ask
        ([], "metadata"),  # e.g. an egg-info install
    ],
)
def test_faker_version_from_the_dist_info_folder_else_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folders: list[str], expected: str
) -> None:
    (tmp_path / "faker").mkdir()
    for name in folders:
        (tmp_path / name).mkdir()
    spec = SimpleNamespace(origin=str(tmp_path / "faker" / "__init__.py"))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "metadata")
    cache_dir.faker_version.cache_clear()
    try:
        assert cache_dir.faker_version() == expected
    finally:
        cache_dir.faker_version.cache_clear()


def test_write_atomically_into_a_file_is_skipped(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("in the way")
    cache_dir.write_atomically(blocked / "x.json", b"{}")  # NotADirectoryError: skipped
    assert blocked.read_text() == "in the way"
    cache_dir.write_atomically(tmp_path / "sub" / "x.json", b"{}")
    assert (tmp_path / "sub" / "x.json").read_bytes() == b"{}"
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["x.json"]  # no temp file left

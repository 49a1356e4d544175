"""Point-in-time lookups survive a restart: the looked-up versions are checkpointed, so a run
stopped and continued writes the same files, byte for byte, as one that never stopped."""

from __future__ import annotations

from pathlib import Path

from streamforge import api

from .conftest import FakeClock

FIXTURE = Path(__file__).resolve().parents[1] / "engine" / "fixtures" / "coherent"


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for table in ("product", "product_changes", "order_line")
        for p in sorted((root / table).iterdir())
    }


def test_lookups_continue_after_a_restart(tmp_path):
    whole, split = tmp_path / "whole", tmp_path / "split"
    api.run("shop", whole, schema_dir=FIXTURE, cycles=6, clock=FakeClock())
    clock = FakeClock()
    api.run("shop", split, schema_dir=FIXTURE, cycles=3, clock=clock)
    assert list((split / "_streamforge" / "versions").iterdir()), "versions are checkpointed"
    api.run("shop", split, schema_dir=FIXTURE, cycles=3, clock=clock)
    assert _files(split) == _files(whole)
    assert len(list((split / "order_line").iterdir())) == 6

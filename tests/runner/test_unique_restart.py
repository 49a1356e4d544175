"""`unique` holds across restarts (issue 9.3): the checkpoint's row and key counters carry on the
permutation, and a live run whose space runs out stops with a message and keeps its checkpoint."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from streamforge import api
from streamforge.errors import StreamForgeError
from streamforge.readback import read_landing

FIXTURE = Path(__file__).resolve().parents[1] / "engine" / "fixtures" / "unique" / "lab"


def sector(root: Path, invoice_rows: int) -> Path:
    """The unique fixture sector, with the invoice batch made small enough to run."""
    folder = root / "schema" / "lab"
    folder.mkdir(parents=True)
    for path in FIXTURE.glob("*.yml"):
        body = yaml.safe_load(path.read_text())
        if body["table"] == "invoice":
            body["num_rows"] = invoice_rows
        (folder / path.name).write_text(yaml.safe_dump(body, sort_keys=False))
    return root / "schema"


def written(dest: Path, schema: Path, table: str, column: str) -> list:
    plan = api.load_plan("lab", schema)
    files = read_landing(dest, plan)[table]
    return [v for f in files for v in f.data.column(column).to_pylist()]


def test_unique_values_continue_across_a_restart(tmp_path, clock) -> None:
    schema, dest = sector(tmp_path, 150), tmp_path / "landing"
    api.run("lab", dest, schema_dir=schema, interval=30, cycles=3, clock=clock)
    api.run("lab", dest, schema_dir=schema, interval=30, cycles=3, clock=clock)
    codes = written(dest, schema, "invoice", "invoice_code")
    assert len(codes) == 6 * 150
    assert not [c for c, n in Counter(codes).items() if n > 1]
    plan = api.load_plan("lab", schema)
    changes = [r for f in read_landing(dest, plan)["product_changes"] for r in f.data.to_pylist()]
    inserted = [r["barcode"] for r in changes if r["change_type"] == "INSERT"]
    barcodes = written(dest, schema, "product", "barcode") + inserted
    assert len(inserted) > 20
    assert not [c for c, n in Counter(barcodes).items() if n > 1]


def test_a_live_run_stops_when_the_space_is_used_up(tmp_path, clock) -> None:
    schema = sector(tmp_path, 400)  # 1,000 codes: two batches fit, the third does not
    dest = tmp_path / "landing"
    with pytest.raises(StreamForgeError, match=r"invoice\.invoice_code.*no unused value left"):
        api.run("lab", dest, schema_dir=schema, interval=30, cycles=5, clock=clock)
    codes = written(dest, schema, "invoice", "invoice_code")
    assert len(codes) == 800 and len(set(codes)) == 800  # nothing past the space was written

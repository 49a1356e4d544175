"""Verify's text rules on the shipped Manufacturing parts (issue 13.6, 13.8): a part description
starts with the row's material, and verify catches a row where it does not."""

from __future__ import annotations

import json
import shutil

from streamforge import api
from streamforge.readback import read_landing, read_manifest
from streamforge.verify import verify_landing


def test_part_descriptions_name_their_material_and_verify_checks_it(tmp_path) -> None:
    good = tmp_path / "good"
    api.generate("Manufacturing", good, fmt="json", cycles=1, scale=0.2, seed=5)
    plan = api.load_plan("Manufacturing")
    parts = [r for f in read_landing(good, plan)["part"] for r in f.data.to_pylist()]
    for part in parts:
        words = part["material"].replace("_", " ").lower()  # CARBON_STEEL: "carbon steel ..."
        assert part["part_description"].lower().startswith(words + " "), part
    assert len({p["material"] for p in parts}) >= 5
    assert verify_landing(good, plan).ok

    bad = tmp_path / "bad"
    shutil.copytree(good, bad)
    entry = next(e for e in read_manifest(bad) if e["table"] == "part")
    path = bad / entry["file"]
    lines = path.read_text().splitlines(keepends=True)
    record = json.loads(lines[0])
    record["material"] = "COPPER" if record["material"] != "COPPER" else "NYLON"
    lines[0] = json.dumps(record) + "\n"
    path.write_text("".join(lines))
    found = [f for f in verify_landing(bad, plan).findings if f.kind == "vocabulary"]
    assert [(f.table, f.column, f.count) for f in found] == [("part", "part_description", 1)]

"""Every schema that validates, generates (issue 11.1).

Random valid sectors drawn from the whole schema language (tests/engine/schema_strategies.py) go
through the in-process API exactly as a user's would: `validate`, then `generate` 1-2 cycles into a
temporary folder in a random format. The rule: validate accepts them (the strategies follow the
documented rules), and generate then writes every table without an error. SF_EXAMPLES=500 searches
longer; shrinking is off unless SF_SHRINK=1 (a sector shrinks for minutes; the failing example is
printed whole instead).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from streamforge import api
from streamforge.readback import read_manifest

from .schema_strategies import sectors

EXAMPLES = int(os.environ.get("SF_EXAMPLES", "30"))
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]


def write_sector(root: Path, tables: dict[str, dict]) -> None:
    folder = root / "lab"
    folder.mkdir(parents=True)
    for name, body in tables.items():
        text = yaml.safe_dump({"table": name, **body}, sort_keys=False)
        (folder / f"{name}.yml").write_text(text)


@settings(
    max_examples=EXAMPLES,
    phases=[*PHASES, Phase.shrink] if os.environ.get("SF_SHRINK") else PHASES,
)
@given(
    tables=sectors(),
    fmt=st.sampled_from(["json", "json", "csv", "parquet", "delta"]),
    cycles=st.integers(1, 2),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_valid_schema_generates(tables, fmt, cycles, seed) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_sector(root / "schema", tables)
        (check,) = api.validate(root / "schema", "lab")
        errors = [str(issue) for issue in check.errors]
        assert not errors, "the strategy drew an invalid schema:\n" + "\n".join(errors)
        result = api.generate(
            "lab", root / "out", schema_dir=root / "schema", fmt=fmt, cycles=cycles,
            seed=seed, workers=1,
        )  # fmt: skip
        written = {f.table for f in result.files}
        assert written == set(tables)
        dimensions = {n: b["num_rows"] for n, b in tables.items() if b["type"] == "dimension"}
        for entry in read_manifest(root / "out"):
            if entry["table"] in dimensions:
                assert entry["rows"] == dimensions[entry["table"]]

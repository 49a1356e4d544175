"""verify streams: memory grows with the compact state (keys, fingerprints), not with the landing.

Each landing is verified in a fresh process; the peak is Python/numpy memory (tracemalloc) plus
Arrow's pool high-water mark. Ten times more cycles of a wide fact may cost only the per-row state:
two 8-byte entries a row (its key and its unique column) and their merge buffers, far below the
row's own size, which a reader holding the whole landing would pay.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.times import at

from streamforge import api

ROWS = 4000
STRINGS = {f"note_{i}": {"type": "string", "format": "????-????-????-####"} for i in range(8)}
FACT = {
    "type": "fact",
    "num_rows": ROWS,
    "columns": {
        "visit_id": "long",
        "ticket": {"type": "long", "unique": True, "min": 1, "max": 10**15},
        "seen_at": "datetime",
        **STRINGS,
    },
}
STATE_BYTES_PER_ROW = 48  # 2 x 8-byte entries, x3 for the merge of sorted runs (measured: 17-26)
CHILD = r"""
import json, sys, tracemalloc
from pathlib import Path
import pyarrow as pa
from streamforge import api
from streamforge.verify import verify_landing
plan = api.load_plan("lab", sys.argv[1])
pa.array([0])  # lazy imports (pandas shims) before measuring
tracemalloc.start()
report = verify_landing(Path(sys.argv[2]), plan)
python_peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"python": python_peak, "arrow": pa.default_memory_pool().max_memory(),
                  "rows": sum(report.rows.values()),
                  "findings": [str(f) for f in report.findings]}))
"""


def peak(schema_dir: Path, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(schema_dir), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("fmt", ["json", "parquet"])
def test_peak_memory_stays_near_one_batch(tmp_path, fmt) -> None:
    schema_dir = tmp_path / "schema"
    (schema_dir / "lab").mkdir(parents=True)
    text = yaml.safe_dump({"table": "visit", **FACT}, sort_keys=False)
    (schema_dir / "lab" / "visit.yml").write_text(text)
    results = {}
    for cycles in (2, 20):
        out = tmp_path / f"landing-{cycles}"
        api.generate(
            "lab", out, schema_dir=schema_dir, fmt=fmt, cycles=cycles, start=at("2026-01-01")
        )
        results[cycles] = peak(schema_dir, out)
        assert results[cycles]["findings"] == []
        assert results[cycles]["rows"] == ROWS * cycles
    extra_rows = ROWS * 18
    small, large = results[2], results[20]
    growth = (large["python"] + large["arrow"]) - (small["python"] + small["arrow"])
    assert growth <= STATE_BYTES_PER_ROW * extra_rows, (growth / extra_rows, small, large)
    # The test can fail: holding the landing would cost more than the bound above.
    one_batch = small["arrow"]
    assert one_batch / ROWS > 2 * STATE_BYTES_PER_ROW, one_batch / ROWS

"""engine.memory: a run reuses the memory it frees instead of faulting in fresh pages per chunk."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Energy's fact (200,000 rows) and its parents to JSON, twice in a fresh process; prints the
# minor page faults of the second run.
RUN = textwrap.dedent(
    """
    import resource, sys
    import streamforge.engine.memory as memory
    if sys.argv[1] == "off":
        memory.reuse_freed_memory = lambda: False  # before the session module binds it
    from datetime import UTC, datetime
    from streamforge import api
    for run in range(2):  # the second run's: imports and caches are the first's
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        api.generate("Lab", f"{sys.argv[3]}-{run}", schema_dir=sys.argv[2], fmt="json",
                     start=datetime(2026, 1, 1, tzinfo=UTC))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """
)


def faults(mode: str, work: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", RUN, mode, str(work / "schema"), str(work / f"out-{mode}")],
        capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    return int(done.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_run_reuses_freed_memory_instead_of_faulting_in_fresh_pages(tmp_path: Path) -> None:
    from streamforge.engine.memory import reuse_freed_memory

    assert reuse_freed_memory()  # glibc accepts both thresholds
    lab = tmp_path / "schema" / "Lab"
    lab.mkdir(parents=True)
    for name in ("plant", "equipment", "electricity_production"):
        text = (ROOT / "schema" / "Energy" / f"{name}.yml").read_text()
        if name == "electricity_production":
            text = re.sub(r"(?m)^num_rows:.*$", "num_rows: 200000", text)
        (lab / f"{name}.yml").write_text(text)
    off, on = faults("off", tmp_path), faults("on", tmp_path)
    assert on < 0.75 * off, (on, off)

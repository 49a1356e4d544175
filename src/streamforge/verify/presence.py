"""Is this landing one of the sector's at all? A check before the per-file ones.

A landing whose manifest names no file of any of the sector's tables (`verify Finance --out`
pointed at a Retail landing, or at an empty or wiped one) would otherwise pass with "ok: 0 files":
nothing was judged, so nothing was found. And a dimension with no file while the sector's other
tables landed is a removed file: every run writes all dimensions before its first cycle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from streamforge.plan import Plan
from streamforge.plural import counted
from streamforge.verify.report import Report


def check_presence(
    report: Report, plan: Plan, files: Mapping[str, list[dict]], manifest: Iterable[dict]
) -> None:
    """Findings when no table of `plan` has a file in the landing (naming what the manifest
    holds instead), or when a dimension has none while other tables do. `files`: the manifest
    entries per table of the plan; `manifest`: every entry read."""
    sector = plan.sector.name
    if not any(files.values()):
        others = Counter(str(e.get("table")) for e in manifest if e.get("table") is not None)
        held = (
            f"its manifest names {counted(sum(others.values()), 'file')} of other tables ("
            + ", ".join(sorted(others)[:5])
            + (", ..." if len(others) > 5 else "")
            + "): is it the landing of another sector? Check --out, or verify that sector"
            if others
            else f"its manifest names no file: run `streamforge generate {sector} --out DIR` first"
        )
        report.add("landing", -1, f"no file of any {sector} table; {held}", kind="rows")
        return
    for dim in plan.dimensions:
        if not files.get(dim.name):
            report.add(
                dim.name,
                -1,
                "no file landed, while the sector's other tables did: a run writes every "
                "dimension before its first cycle, so its file was removed",
                kind="rows",
            )

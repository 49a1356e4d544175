"""Checks that cannot run on a landed file because a column they read is not in it.

A `hidden: true` column (a foreign key, an input of an expression or check) is generated but never
written, so the oracle cannot evaluate what reads it. Every check asks `absent()` first: it names
the missing columns once per (table, check) in the report's notes, and the check is skipped, never
a crash and never a silent pass.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from streamforge.verify.report import Report


def absent(
    report: Report,
    table: str,
    check: str,
    needed: Iterable[str],
    data: pa.Table,
    claim: str | None = None,
) -> bool:
    """True (and a note, once) when any column of `needed` is not in `data`; `check` names the
    check in words, e.g. "lookup shop_region". `claim`: the summary claim (report.CLAIMS) the
    skip weakens, so a clean summary does not vouch for it in full."""
    missing = sorted(set(needed) - set(data.column_names))
    if not missing:
        return False
    if claim is not None:
        report.unjudged.setdefault(claim, set()).update(f"{table}.{name}" for name in missing)
    note = absent_note(table, check, missing)
    if note not in report.notes:
        report.notes.append(note)
    return True


def absent_note(table: str, check: str, missing: list[str], how: str = "not judged") -> str:
    """The note absent() leaves."""
    listed = ", ".join(missing)
    return f"{table}: {check} {how}: {listed} not in the landing (hidden or not written)"


def settle_notes(report: Report) -> None:
    """An expression judged by statistics after all (hidden_stats.py) says so in its note, which
    would otherwise contradict the `ok:` line ("... (by statistics only)")."""
    for subject in report.statistical:
        table, column = subject.split(".", 1)
        skipped = f"{table}: expression {column} not judged: "
        for i, note in enumerate(report.notes):
            if note.startswith(skipped):
                rest = note.removeprefix(skipped)
                report.notes[i] = f"{table}: expression {column} judged by statistics only: {rest}"

"""The table `generate` prints at its end: rich in a terminal, the same text without rich elsewhere.

Importing rich's table and console and rendering one cost ~30 ms, a twentieth of a warm
`generate` of a shipped sector (issue 14). Where nothing can be styled (a pipe, a file, CI) the
table is written as plain text in rich's own layout (heavy header rule, light column rules, no
outer edge), so what scripts read stays the same.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from streamforge.cli_plain import plain_stream

COLUMNS = ("table", "type", "files", "rows", "anomalies")
RIGHT = frozenset({"files", "rows"})  # numbers line up on the right


def summary_rows(files: Sequence) -> list[tuple[str, str, str, str, str]]:
    """One row per table, in the order its first file landed: (table, kind, files, rows,
    anomalous rows), as text. `files`: WrittenFile-like (table, kind, rows, anomalous_rows)."""
    by_table: dict[str, list] = {}
    for f in files:
        by_table.setdefault(f.table, []).append(f)
    return [
        (
            name,
            group[0].kind,
            str(len(group)),
            f"{sum(f.rows for f in group):,}",
            str(sum(f.anomalous_rows for f in group)),
        )
        for name, group in by_table.items()
    ]


def plain_output() -> bool:
    """True where rich would style nothing: standard output is no terminal, and neither
    TTY_COMPATIBLE=1 nor FORCE_COLOR (rich's own overrides) asks for one; its encoding is
    UTF-8 (else rich draws the rules in ASCII)."""
    return (
        plain_stream(sys.stdout) and "utf" in (getattr(sys.stdout, "encoding", None) or "").lower()
    )


def plain_table(rows: Sequence[Sequence[str]]) -> str:
    """The table as rich prints it with `show_edge=False` to a console that is no terminal,
    each line ending in a newline (trailing spaces included, as rich writes them)."""
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(COLUMNS)]

    def line(cells: Sequence[str], rule: str) -> str:
        padded = (
            c.rjust(w) if name in RIGHT else c.ljust(w)
            for name, c, w in zip(COLUMNS, cells, widths, strict=True)
        )
        return rule.join(f" {c} " for c in padded) + "\n"

    head = line(COLUMNS, "┃") + "╇".join("━" * (w + 2) for w in widths) + "\n"
    return head + "".join(line(r, "│") for r in rows)

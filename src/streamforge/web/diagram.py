"""A small relationship diagram of a sector as inline SVG: parents left, foreign keys as arrows."""

from __future__ import annotations

from html import escape

from streamforge.api import SectorSummary

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 170, 28, 70, 12, 8
COLORS = {"dimension": "#e8f0fe", "fact": "#fef3e2", "change_feed": "#e6f4ea"}


def relationship_svg(sector: SectorSummary) -> str:
    parents = {
        t.name: {p for p in (*t.foreign_keys.values(), t.tracks) if p and p != t.name}
        for t in sector.tables
    }
    level: dict[str, int] = {}

    def depth(name: str, seen: frozenset[str] = frozenset()) -> int:
        if name not in level:
            ups = [p for p in parents.get(name, ()) if p in parents and p not in seen]
            level[name] = 1 + max((depth(p, seen | {name}) for p in ups), default=-1)
        return level[name]

    columns: dict[int, list[str]] = {}
    for t in sector.tables:
        columns.setdefault(depth(t.name), []).append(t.name)
    where: dict[str, tuple[int, int]] = {}
    for col, names in columns.items():
        for row, name in enumerate(names):
            where[name] = (PAD + col * (BOX_W + GAP_X), PAD + row * (BOX_H + GAP_Y))
    width = PAD * 2 + len(columns) * (BOX_W + GAP_X) - GAP_X
    height = PAD * 2 + max(len(n) for n in columns.values()) * (BOX_H + GAP_Y) - GAP_Y
    kinds = {t.name: t.kind for t in sector.tables}
    parts = [
        f'<svg class="diagram" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="tables of {escape(sector.name)} and their foreign keys">',
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#8a94a6"/>'
        "</marker></defs>",
    ]
    for child, ups in parents.items():
        for parent in sorted(ups):
            if parent not in where:
                continue
            (px, py), (cx, cy) = where[parent], where[child]
            x1, y1, x2, y2 = px + BOX_W, py + BOX_H / 2, cx, cy + BOX_H / 2
            mid = (x1 + x2) / 2
            parts.append(
                f'<path d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}" class="edge" '
                'marker-end="url(#arrow)"/>'
            )
    for name, (x, y) in where.items():
        parts.append(
            f'<g class="node"><rect class="{kinds[name]}" x="{x}" y="{y}" width="{BOX_W}" '
            f'height="{BOX_H}" rx="5" fill="{COLORS.get(kinds[name], "#eee")}"/>'
            f'<text x="{x + BOX_W / 2}" y="{y + BOX_H / 2 + 4}" text-anchor="middle">'
            f"{escape(name)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)

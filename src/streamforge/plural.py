"""Counts in English: "1 table", "2 tables", "1,000 rows" (the noun agrees with the number)."""

from __future__ import annotations


def counted(number: float, noun: str, plural: str | None = None, spec: str = ",") -> str:
    """`number` formatted with the format `spec` (thousands separators by default), then `noun`
    when the text reads exactly 1, else `plural` (default: `noun` + "s")."""
    text = format(number, spec)
    return f"{text} {noun if text == '1' else plural or noun + 's'}"

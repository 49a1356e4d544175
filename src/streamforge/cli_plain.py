"""Lines of `validate` written without rich where rich would style nothing (issue 14: importing
rich's markup and console costs ~15 ms, a tenth of a cold `validate` and more of a warm one).

rich, printing to a stream that is no terminal (neither TTY_COMPATIBLE=1 nor FORCE_COLOR, its own
overrides, asking for one), writes a line's text as given, markup removed, then a newline:
soft_wrap keeps a long line whole. It also strips control codes and expands tabs, so a line that
str.isprintable refuses is left to rich; so is a name holding `[` or `\\` (markup's characters).
tests/cli/test_plain_lines.py holds the plain lines equal to rich's, rich being the oracle.
"""

from __future__ import annotations

import os
from typing import TextIO


def plain_stream(stream: TextIO) -> bool:
    """True when rich would write no styles to `stream`: it is no terminal, and neither
    TTY_COMPATIBLE=1 nor FORCE_COLOR asks rich to style it anyway."""
    if os.environ.get("TTY_COMPATIBLE") == "1" or os.environ.get("FORCE_COLOR"):
        return False
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed: rich says no terminal too
        return True


def plain_text(text: str) -> bool:
    """True when rich writes `text` (markup off) unchanged: no control codes, tabs or line breaks
    for it to strip or expand."""
    return text.isprintable()


def plain_name(name: str) -> bool:
    """True when a name escaped for markup (rich.markup.escape) prints as itself, plainly."""
    return plain_text(name) and "[" not in name and "\\" not in name


def write_line(stream: TextIO, text: str) -> None:
    """`text` and a newline, flushed as rich flushes each print (stdout and stderr interleave
    in a shared log as they did)."""
    stream.write(text + "\n")
    stream.flush()

"""generate's closing table: without a terminal it is written without rich, in rich's own layout.

rich itself is the oracle: the plain text must be what rich prints to a console that is no
terminal (same characters, same padding, trailing spaces included)."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from rich.text import Text

from streamforge.cli_summary import COLUMNS, RIGHT, plain_output, plain_table, summary_rows


@dataclass
class Landed:
    table: str
    kind: str
    rows: int
    anomalous_rows: int


def rich_table(rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    console = Console(file=out, soft_wrap=True, emoji=False, force_terminal=False, width=80)
    table = Table(show_edge=False)
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in RIGHT else "left")
    for name, *cells in rows:
        table.add_row(Text(name), *cells)
    console.print(table)
    return out.getvalue()


def test_rows_add_up_each_tables_files_in_landing_order() -> None:
    files = [
        Landed("b", "fact", 1500, 2),
        Landed("a", "dimension", 7, 0),
        Landed("b", "fact", 5, 1),
    ]
    assert summary_rows(files) == [
        ("b", "fact", "2", "1,505", "3"),
        ("a", "dimension", "1", "7", "0"),
    ]


names = st.from_regex(r"[a-z_][a-z0-9_]{0,24}", fullmatch=True)
kinds = st.sampled_from(["dimension", "fact", "change_feed"])
landed = st.lists(
    st.builds(Landed, names, kinds, st.integers(0, 10**9), st.integers(0, 10**6)), max_size=12
)


@given(landed)
def test_the_plain_table_is_what_rich_prints_without_a_terminal(files: list[Landed]) -> None:
    rows = summary_rows(files)
    assert plain_table(rows) == rich_table(rows)


@pytest.mark.parametrize(
    ("environ", "plain"),
    [({}, True), ({"FORCE_COLOR": "1"}, False), ({"TTY_COMPATIBLE": "1"}, False)],
)
def test_rich_overrides_ask_for_rich(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], plain: bool
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    assert plain_output() is plain


def test_a_piped_generate_prints_the_table_without_loading_rich(tmp_path) -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['streamforge', *sys.argv[1:]]\n"
        "from streamforge.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('RICH=' + str(any(m.startswith('rich') for m in sys.modules)))\n"
    )
    args = ["generate", "Retail", "--out", str(tmp_path / "o"), "--scale", "0.05"]
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True
    )
    assert done.stderr.endswith("RICH=False")
    head = done.stdout.splitlines()[:2]
    assert [c.strip() for c in head[0].split("┃")] == list(COLUMNS)
    assert set(head[1]) == {"━", "╇"}
    assert done.stdout.splitlines()[-1].startswith("wrote ")

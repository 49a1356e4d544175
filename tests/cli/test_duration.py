"""`run --duration` text is read by the CLI (issue #12 point 5: the facade takes seconds)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from streamforge.cli import main
from streamforge.cli_run import parse_duration
from streamforge.errors import StreamForgeError


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("15m", 900), ("2h", 7200), ("1h30m", 5400)]
)
def test_the_documented_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@given(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99))
def test_hours_minutes_seconds_add_up(hours: int, minutes: int, seconds: int) -> None:
    assert parse_duration(f"{hours}h{minutes}m{seconds}s") == hours * 3600 + minutes * 60 + seconds


@pytest.mark.parametrize("text", ["", "soon", "5x", "m", "1d"])
def test_other_text_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(StreamForgeError, match=r"write e\.g\. 90s, 15m, 2h"):
        parse_duration(text)


def test_the_cli_says_so_without_a_traceback(tmp_path) -> None:
    done = CliRunner().invoke(main, ["run", "Retail", "--out", str(tmp_path), "--duration", "5x"])
    assert done.exit_code != 0
    assert "--duration '5x' is not a duration" in done.output
    assert "Traceback" not in done.output

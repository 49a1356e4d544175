"""The API takes a run's start as an aware datetime; text is parsed by the CLI (issue #12
point 5). Expected instants are written out from the calendar, not taken from the code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streamforge import api
from streamforge.cli_times import parse_start
from streamforge.errors import StreamForgeError
from streamforge.plan.times import start_micros

NEW_YEAR_2026_US = 1_767_225_600 * 1_000_000  # 2026-01-01T00:00:00Z: 20454 days after 1970


def test_an_aware_datetime_is_the_same_instant_in_any_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    assert start_micros(datetime(2026, 1, 1, tzinfo=UTC)) == NEW_YEAR_2026_US
    assert start_micros(datetime(2026, 1, 1, 9, tzinfo=tokyo)) == NEW_YEAR_2026_US
    assert (
        start_micros(datetime(2026, 1, 1, 0, 0, 1, 5, tzinfo=UTC)) == NEW_YEAR_2026_US + 1_000_005
    )


@given(st.datetimes(timezones=st.timezones(), allow_imaginary=False))
def test_the_cli_text_and_the_datetime_name_the_same_instant(moment: datetime) -> None:
    """What `--start <ISO text>` passes to the API is the datetime the text was made from."""
    assert start_micros(parse_start(moment.isoformat())) == start_micros(moment)


@pytest.mark.parametrize("text", ["2026-01-01T00:00:00Z", "2026-01-01", "2026-01-01T09:00+09:00"])
def test_cli_text_is_parsed_to_an_aware_datetime(text: str) -> None:
    moment = parse_start(text)
    assert moment.tzinfo is not None
    assert start_micros(moment) == NEW_YEAR_2026_US  # no zone in the text means UTC


def test_cli_text_that_is_not_iso_is_a_clear_error() -> None:
    with pytest.raises(StreamForgeError, match=r"--start 'tomorrow' is not ISO-8601; write e\.g\."):
        parse_start("tomorrow")


@pytest.mark.parametrize("start", ["2026-01-01T00:00:00Z", 1_767_225_600])
def test_the_api_refuses_text_and_numbers(tmp_path: Path, start: object) -> None:
    with pytest.raises(TypeError, match=r"start must be a datetime.*tzinfo=UTC"):
        api.generate("Retail", tmp_path / "out", start=start)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="start must be a datetime"):
        api.expected_rows("Retail", 1, start=start)  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_the_api_refuses_a_naive_datetime(tmp_path: Path) -> None:
    """Python reads a naive datetime in the machine's zone: the same call would give another
    run on another machine."""
    with pytest.raises(ValueError, match="has no time zone"):
        api.generate("Retail", tmp_path / "out", start=datetime(2026, 1, 1))


def test_a_refused_start_clears_nothing(tmp_path: Path) -> None:
    """The start is checked before `fresh` removes the landing that is there."""
    out = tmp_path / "out"
    api.generate("Retail", out, scale=0.02, start=datetime(2026, 1, 1, tzinfo=UTC))
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    with pytest.raises(TypeError):
        api.generate("Retail", out, fresh=True, start="2026-01-02")  # type: ignore[arg-type]
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_the_facade_parses_no_time_text() -> None:
    """Point 5: the doors parse text; api.py, api_pipelines.py and the Spark entry points do not."""
    root = Path(api.__file__).parent
    facade = sorted(root.glob("api*.py"))
    assert len(facade) >= 2
    for path in (*facade, root / "engine_spark" / "generate.py"):
        source = path.read_text(encoding="utf-8")
        assert "fromisoformat" not in source and "parse_start" not in source, path.name

"""Time text the CLI accepts: `--start` as ISO-8601. The API takes a datetime (issue #12
point 5: text is parsed at the door, not in the facade)."""

from __future__ import annotations

from datetime import UTC, datetime

from streamforge.errors import StreamForgeError


def parse_start(text: str | None) -> datetime:
    """The moment `--start` names.

    Args:
        text: an ISO-8601 date or time, with `Z` or an offset; none means UTC. None: now, to
            the second (taken once, so a command's progress total and its run agree).

    Returns:
        An aware datetime (UTC when the text names no zone).

    Raises:
        StreamForgeError: `text` is not ISO-8601 (the message shows an example).
    """
    if text is None:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise StreamForgeError(
            f"--start '{text}' is not ISO-8601; write e.g. 2026-01-31T08:00:00Z"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

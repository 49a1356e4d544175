"""Stop requests from SIGTERM and SIGINT, caught from the command's first line on.

Databricks Apps send SIGTERM on every redeploy, at any moment: while Python imports, while the
run plans, takes its lock or writes dimensions. The first signal asks the run to stop after the
file it is writing; the landing stays consistent and the command exits 0. A second signal stops at
once: it raises `StopNow` in the main thread, which unwinds (a half-written temp file is removed,
the lock released), and the cycle in progress is redone on the next start, as after a kill -9.
Commands other than `run` get the usual behaviour back (`release`).

Only this module's own imports run before the handlers are in place: `signal` and `threading`.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["StopNow", "ignore", "install", "pause", "release", "requested", "requests"]

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopNow(BaseException):
    """A second stop signal: leave now. A BaseException, so `except Exception` never swallows
    it; the command turns it into exit 0."""


_requested = threading.Event()
_previous: dict[int, Any] = {}
_notes: list[Callable[[], None]] = []
_count = 0
_first: int | None = None


def requested() -> bool:
    """True once a stop signal came (while the handlers are installed)."""
    return _requested.is_set()


def pause(seconds: float) -> None:
    """Sleep, but wake as soon as a stop signal comes: a retry must not hold a stop up."""
    _requested.wait(seconds)


def install() -> None:
    """Catch SIGTERM and SIGINT from now on (signals can only be caught on the main thread)."""
    if _previous or threading.current_thread() is not threading.main_thread():
        return
    for number in SIGNALS:
        _previous[number] = signal.signal(number, _handle)


def release() -> None:
    """Give the signals back to the handlers they had before `install`; a signal that came
    meanwhile is delivered again, so the command behaves as if it had just arrived."""
    first = _first
    if not _previous:
        return
    _restore()
    if first is not None:
        signal.raise_signal(first)


def ignore() -> None:
    """Ignore further stop signals (the command is exiting already), if they are still ours."""
    if _previous:
        for number in SIGNALS:
            signal.signal(number, signal.SIG_IGN)


@contextlib.contextmanager
def requests(on_first: Callable[[], None]) -> Iterator[threading.Event]:
    """An event set by the first stop signal (also one that came before the block, during
    start-up); `on_first` is called when it comes. Installs the handlers if the command's entry
    point has not, and then removes them after the block."""
    installed_here = not _previous
    install()
    _notes.append(on_first)
    try:
        yield _requested if _previous else threading.Event()
    finally:
        _notes.remove(on_first)
        if installed_here and _previous:
            _restore()


def _restore() -> None:
    global _count, _first
    for number, handler in _previous.items():
        signal.signal(number, handler)
    _previous.clear()
    _requested.clear()
    _count, _first = 0, None


def _handle(signum: int, frame: object) -> None:
    global _count, _first
    _count += 1
    if _count == 1:
        _first = signum
        _requested.set()
        for note in list(_notes):
            note()
    elif _count == 2:
        raise StopNow(signum)
    # Later signals: the unwinding that the second one started is under way.

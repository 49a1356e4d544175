"""A best-effort lock for a landing area on object storage: a file with a heartbeat.

The Files API has no lock that dies with its holder (the local sink's flock does). So the holder
writes `_streamforge/lock.json` (owner, a token unique to this acquisition, who it is, heartbeat
time) and a daemon thread refreshes the heartbeat. Taking a free lock is a server-side
create-if-absent (upload with overwrite=false). A lock that carries our own token is ours: the
create went through but its reply was lost, and the retry found it. A lock is taken over when its
holder is certainly gone: its heartbeat is older than a few intervals, or it was written on this
machine by a process that no longer exists, or the user said `--break-lock`; the reason is
reported. A holder that finds its token replaced has lost the lock, and says so.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from streamforge import stopping

from .landing import LandingLocked
from .volume_files import VolumeFiles
from .volume_holder import describe_gone, this_process

__all__ = ["HeartbeatLock"]

_LOG = logging.getLogger(__name__)
_HELD: set[str] = set()  # tokens of the locks this process holds right now


class HeartbeatLock:
    """`hold(owner)` for one run at a time on the landing area rooted at `label`."""

    def __init__(
        self,
        files: VolumeFiles,
        path: str,
        label: str,
        *,
        timeout: float,
        every: float,
        now: Callable[[], float],
    ) -> None:
        if not 0 < every < timeout:
            raise ValueError("the heartbeat must come more often than the lock goes stale")
        self._files, self.path, self._label = files, path, label
        self._timeout, self._every, self._now = timeout, every, now
        self.lost_to: str | None = None  # who took the lock over from us, while held

    @contextlib.contextmanager
    def hold(self, owner: str, break_lock: bool = False) -> Iterator[str | None]:
        """Acquire (or raise LandingLocked), beat while the block runs, then release.

        Yields None for a free lock, or a sentence saying whose lock was taken over and why.
        `break_lock` takes over a lock whose holder may still be alive (the user knows better).
        """
        token = secrets.token_hex(16)
        _HELD.add(token)  # before the create: another landing object here must see it is live
        try:
            taken_over = self._acquire(owner, token, break_lock)
        except BaseException:
            _HELD.discard(token)
            raise
        self.lost_to = None
        stop = threading.Event()
        beat = threading.Thread(
            target=self._beat, args=(owner, token, stop), name="streamforge-lock", daemon=True
        )
        beat.start()
        try:
            yield taken_over
        finally:
            stop.set()
            beat.join()
            _HELD.discard(token)
            self._release(token)

    def read(self, missing: dict[str, Any] | None = None) -> dict[str, Any]:
        """The lock's document; `missing` (or {}) when there is none."""
        data = self._files.get(self.path)
        if data is None:
            return missing or {}
        try:
            document = json.loads(data)
        except ValueError:
            document = None
        # Unreadable: no token of ours, and no heartbeat, so it counts as stale.
        return document if isinstance(document, dict) else {"owner": "an unreadable lock"}

    def _acquire(self, owner: str, token: str, break_lock: bool) -> str | None:
        for _ in range(3):  # the holder may release between our create and our read
            if self._files.create(self.path, self._document(owner, token)):
                return None
            held = self.read()
            if not held:
                continue
            if held.get("token") == token:
                return None  # our create went through, but its reply was lost: a retry saw it
            reason = self._gone(held) or ("--break-lock was given" if break_lock else None)
            if reason is None:
                raise LandingLocked(self._refusal(held))
            holder = held.get("owner", "another runner")
            _LOG.warning("taking over %s from %s: %s", self.path, holder, reason)
            self._files.put(self.path, self._document(owner, token))
            # Two runners taking over at once: the last writer wins, the other backs off here.
            if self.read().get("token") != token:
                raise LandingLocked(f"{self._label} was taken over by another runner just now")
            return f"took over the lock on {self._label} from {holder}: {reason}"
        raise LandingLocked(f"{self._label}: its lock keeps changing hands")

    def _gone(self, held: dict[str, Any]) -> str | None:
        """Why the holder of `held` is certainly gone, or None while it may be alive."""
        if "heartbeat" not in held:
            return "the lock file is unreadable"
        age, stale_after = self._age(held)
        if age > stale_after:
            return (
                f"its heartbeat stopped {age:.0f}s ago (a lock goes stale {stale_after:.0f}s "
                "after its last heartbeat)"
            )
        return describe_gone(held, _HELD)

    def _age(self, held: dict[str, Any]) -> tuple[float, float]:
        """Seconds since the holder's last heartbeat, and after how long it counts as gone: the
        holder's own `stale_after` (it knows how often it beats), else ours."""
        stale_after = _seconds(held.get("stale_after")) or self._timeout
        return self._now() - _seconds(held.get("heartbeat")), stale_after

    def _refusal(self, held: dict[str, Any]) -> str:
        age, stale_after = self._age(held)
        return (
            f"{self._label} is in use by {held.get('owner', 'another runner')} (heartbeat "
            f"{max(age, 0):.0f}s ago). If that run is gone, the lock is taken over "
            f"{stale_after:.0f}s after its last heartbeat, at once on the machine it ran on, or "
            f"now with --break-lock (lock file: {self.path})"
        )

    def _beat(self, owner: str, token: str, stop: threading.Event) -> None:
        while not stop.wait(self._every):
            try:
                # Deleted by hand: still ours, so write it again.
                held = self.read(missing={"token": token})
                if held.get("token") != token:
                    self.lost_to = str(held.get("owner", "another runner"))
                    _LOG.error("lost the lock on %s to %s", self._label, self.lost_to)
                    return
                self._files.put(self.path, self._document(owner, token))
            except Exception as exc:  # one missed beat is harmless: staleness takes `timeout`
                _LOG.warning("could not refresh the heartbeat of %s: %s", self.path, exc)
            except stopping.StopNow:  # the run is stopping: its own thread releases the lock
                return

    def _release(self, token: str) -> None:
        """Remove our lock file. A failure must not hide the run's own error, and only leaves a
        lock that goes stale after `timeout`."""
        try:
            if self.lost_to is None and self.read().get("token") == token:
                self._files.delete(self.path)
        except Exception as exc:
            _LOG.warning("could not remove the lock %s: %s", self.path, exc)

    def _document(self, owner: str, token: str) -> io.BytesIO:
        now = self._now()
        moment = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
        document = {
            "owner": owner,
            "token": token,
            "heartbeat": now,
            "heartbeat_at": moment,
            "stale_after": self._timeout,
            **this_process(),
        }
        return io.BytesIO(json.dumps(document).encode("utf-8"))


def _seconds(value: Any) -> float:
    """A heartbeat time; anything unreadable counts as long ago, so the lock is stale."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0

"""The Files API as the Volume landing uses it: Volume paths, retries, and errors a user can act on.

Every call goes through `VolumeFiles._call`, which retries transient failures (HTTP 429, 5xx,
timeouts, dropped connections) with exponential backoff and jitter, within a bounded number of
attempts and a bounded total time, and turns a missing grant, bad credentials or a missing volume
into a `StreamForgeError` that names the volume and the fix. The SDK retries 429/503 and dropped
connections itself first (within its `retry_timeout_seconds`, sleeping on its `Config.clock`); this
layer adds the 500/502/504 it does not retry, and the attempt cap.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests

from streamforge import stopping
from streamforge.errors import StreamForgeError

try:
    from databricks.sdk.errors import (
        DatabricksError,
        DeadlineExceeded,
        InternalError,
        NotFound,
        PermissionDenied,
        ResourceConflict,
        TemporarilyUnavailable,
        TooManyRequests,
        Unauthenticated,
    )
except ImportError:  # pragma: no cover - databricks-sdk is a dependency; say so if it is missing
    raise StreamForgeError(
        "writing to a Unity Catalog Volume needs databricks-sdk: pip install 'databricks-sdk>=0.72'"
    ) from None

__all__ = ["RetryPolicy", "VolumeFiles", "VolumePath", "is_transient"]

_LOG = logging.getLogger(__name__)
T = TypeVar("T")

# Unity Catalog names may not contain a period, a space, a slash or control characters.
_NAME = re.compile(r"[^./\s\x00-\x1f\x7f]+")
_EXPECTED = "/Volumes/<catalog>/<schema>/<volume>/<path> (or dbfs:/Volumes/...)"
_TRANSIENT = (
    TooManyRequests,
    TemporarilyUnavailable,
    InternalError,
    DeadlineExceeded,
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    TimeoutError,  # the SDK's own retries ran out of time
    ConnectionError,
)
_FINAL = (PermissionDenied, Unauthenticated, NotFound)  # another attempt cannot help
# 408/502/504 have no error class of their own: the SDK raises a bare DatabricksError whose text
# is the status reason (empty body) or the gateway's error code.
_GATEWAY = re.compile(r"bad.gateway|gateway.time-?out|request.time-?out|service.unavailable", re.I)


@dataclass(frozen=True, slots=True)
class VolumePath:
    """`/Volumes/<catalog>/<schema>/<volume>/<subpath>`, checked part by part."""

    catalog: str
    schema: str
    volume: str
    subpath: str  # "" when the landing area is the volume's root

    @classmethod
    def parse(cls, dest: str) -> VolumePath:
        text = dest[len("dbfs:") :] if dest.startswith("dbfs:/") else dest
        parts = text.rstrip("/").split("/")
        names, rest = parts[2:5], parts[5:]
        if (
            parts[:2] != ["", "Volumes"]
            or len(names) != 3
            or not all(_NAME.fullmatch(name) for name in names)
            or any(part in ("", ".", "..") or "\\" in part for part in rest)
        ):
            raise StreamForgeError(
                f"'{dest}' is not a Unity Catalog Volume path: expected {_EXPECTED}"
            )
        catalog, schema, volume = names
        return cls(catalog, schema, volume, "/".join(rest))

    @property
    def full_name(self) -> str:
        """`catalog.schema.volume`, as GRANT statements name it."""
        return f"{self.catalog}.{self.schema}.{self.volume}"

    @property
    def volume_root(self) -> str:
        return f"/Volumes/{self.catalog}/{self.schema}/{self.volume}"

    @property
    def root(self) -> str:
        return f"{self.volume_root}/{self.subpath}" if self.subpath else self.volume_root

    def file(self, relpath: str) -> str:
        return f"{self.root}/{relpath}"

    def grants(self) -> str:
        return (
            f"the principal needs READ VOLUME and WRITE VOLUME on {self.full_name} (plus USE "
            f"CATALOG {self.catalog} and USE SCHEMA {self.catalog}.{self.schema})"
        )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter; `sleep` and `clock` are injectable for tests."""

    attempts: int = 6
    first_delay: float = 1.0
    max_delay: float = 30.0
    max_total: float = 300.0  # seconds from the first attempt; no sleep may end past it
    sleep: Callable[[float], None] = stopping.pause  # wakes on SIGTERM
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Half fixed, half random ("equal jitter"), so that runners that failed together spread
        out but none retries at once; never shorter than the server's Retry-After."""
        ceiling = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        return max(ceiling / 2 + self.jitter() * ceiling / 2, float(retry_after or 0))


def is_transient(error: BaseException) -> bool:
    """True for throttling, server-side and network failures, which a later attempt may survive."""
    for candidate in (error, error.__cause__):
        if candidate is None or isinstance(candidate, _FINAL):
            continue
        if isinstance(candidate, _TRANSIENT):
            return True
        if type(candidate) is DatabricksError and _GATEWAY.search(
            f"{candidate.error_code or ''} {candidate}"
        ):
            return True
    return False


def _is_conflict(error: BaseException) -> bool:
    """The file is there already: a 409, or an error of no class of its own (412) saying so."""
    return isinstance(error, ResourceConflict) or (
        isinstance(error, DatabricksError) and "already exists" in str(error).lower()
    )


def _said(error: BaseException) -> str:
    """The server's own words, without the SDK's config dump that it appends to 401/403 errors."""
    return str(error).split(". Config:")[0].strip() or type(error).__name__


class VolumeFiles:
    """The Files API calls of a landing area, retried and translated (see the module docstring)."""

    def __init__(self, files: Any, where: VolumePath, policy: RetryPolicy, host: str = "") -> None:
        self._files, self.where, self.policy, self._host = files, where, policy, host

    def put(self, path: str, body: io.IOBase) -> None:
        """One PUT of the whole body under `path`, replacing any file there."""

        def send() -> None:
            body.seek(0)  # a retry after a partial send starts over
            self._files.upload(path, body, overwrite=True)

        self._writing("writing", path, send)

    def create(self, path: str, body: io.IOBase) -> bool:
        """Write `path` only if no file is there (a server-side check); False when one is."""

        def send() -> None:
            body.seek(0)
            self._files.upload(path, body, overwrite=False)

        try:
            self._writing("creating", path, send)
        except Exception as exc:
            if _is_conflict(exc):
                return False
            raise
        return True

    def get(self, path: str) -> bytes | None:
        try:
            return self._call("reading", path, lambda: self._files.download(path).contents.read())
        except NotFound:
            return None

    def exists(self, path: str) -> bool:
        try:
            self._call("checking", path, lambda: self._files.get_metadata(path))
        except NotFound:
            return False
        return True

    def delete(self, path: str) -> None:
        with contextlib.suppress(NotFound):  # already gone: what deleting was for
            self._call("deleting", path, lambda: self._files.delete(path))

    def makedirs(self, path: str) -> None:
        self._writing("creating the folder", path, lambda: self._files.create_directory(path))

    def check_volume(self) -> None:
        """Fail early and clearly when the volume itself is missing."""
        root = self.where.volume_root
        try:
            self._call("opening", root, lambda: self._files.get_directory_metadata(root))
        except NotFound:
            raise StreamForgeError(self._no_volume()) from None

    def remove_tree(self, path: str, keep: Callable[[str], bool], remove_root: bool = True) -> None:
        """Delete every file under `path` but those `keep` names, then the emptied folders."""
        try:
            listing = lambda: list(self._files.list_directory_contents(path))  # noqa: E731
            entries = self._call("listing", path, listing)
        except NotFound:
            return
        for entry in entries:
            child = (entry.path or f"{path}/{entry.name}").rstrip("/")
            if entry.is_directory:
                self.remove_tree(child, keep)
            elif not keep(child):
                self.delete(child)
        if remove_root:
            with contextlib.suppress(NotFound, ResourceConflict):  # gone, or holds a kept file
                self._call("deleting the folder", path, lambda: self._files.delete_directory(path))

    def _writing(self, what: str, path: str, send: Callable[[], None]) -> None:
        """A write whose NotFound means a missing volume (or folder), said as such."""
        try:
            self._call(what, path, send)
        except NotFound as exc:
            self.check_volume()
            raise StreamForgeError(f"{what} {path} failed: {_said(exc)}") from None

    def _no_volume(self) -> str:
        return (
            f"the Unity Catalog volume {self.where.full_name} does not exist (nothing at "
            f"{self.where.volume_root}): create it with CREATE VOLUME {self.where.full_name} or in "
            "Catalog Explorer, or fix the catalog, schema or volume name in the destination"
        )

    def _call(self, what: str, path: str, send: Callable[[], T]) -> T:
        """`send()`, retried while transient; NotFound and conflicts reach the caller as is."""
        started, attempt = self.policy.clock(), 1
        while True:
            try:
                return send()
            except PermissionDenied as exc:
                raise StreamForgeError(
                    f"permission denied {what} {path}: {self.where.grants()}. "
                    f"Databricks said: {_said(exc)}"
                ) from None
            except Unauthenticated as exc:
                raise StreamForgeError(
                    f"Databricks at {self._host or 'the workspace'} rejected the credentials "
                    f"({_said(exc)}): set DATABRICKS_HOST and DATABRICKS_TOKEN, or "
                    "DATABRICKS_CONFIG_PROFILE; a Databricks App uses its service principal"
                ) from None
            except Exception as exc:
                if isinstance(exc, NotFound) or _is_conflict(exc):
                    raise
                if not is_transient(exc):
                    if isinstance(exc, DatabricksError):
                        raise StreamForgeError(f"{what} {path} failed: {_said(exc)}") from exc
                    raise
                wait = self.policy.delay(attempt, getattr(exc, "retry_after_secs", None))
                spent = self.policy.clock() - started
                if attempt >= self.policy.attempts or spent + wait > self.policy.max_total:
                    raise StreamForgeError(
                        f"{what} {path} failed {attempt} times in {spent:.0f}s, lastly with "
                        f"{_said(exc)}: the Files API kept failing, so the run stopped here; "
                        "run the same command again to resume"
                    ) from exc
                _LOG.warning("%s %s failed (%s); retrying in %.1fs", what, path, _said(exc), wait)
                self.policy.sleep(wait)
                if stopping.requested():
                    # A stop must not wait out minutes of backoff (Databricks Apps kill an app
                    # that does not stop soon): leave at once, as a second signal would. The
                    # checkpoint names the cycle in progress, so the next start redoes it.
                    raise stopping.StopNow() from exc
                attempt += 1

"""The app's runs, kept across restarts and redeploys in one JSON file of a landing area.

Databricks Apps restart the process on every redeploy (and the local disk goes with it), so the
file lives where the landing lives: the app's landing root locally, the app's Volume on Databricks,
written through the same `Landing` interface as the data. A run that was active when the app
stopped is started again (it resumes from its own checkpoint); a run the user stopped, or one that
failed, is listed as such until removed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from streamforge.sinks.landing import Landing
from streamforge.web.run_record import RunRecord, RunRequest

RELPATH = "_streamforge_app/runs.json"  # `_` first: Auto Loader never reads it as data
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoredRun:
    request: RunRequest
    destination: str
    state: str  # the state when saved: active ones are started again
    last_error: str | None


class RunStore:
    """Load and save the list of runs; a store that cannot be read or written never stops the app.

    Args:
        landing: where the file lives (a local folder or a Volume); None keeps nothing.
    """

    def __init__(self, landing: Landing | None) -> None:
        self.landing = landing

    def load(self) -> list[StoredRun]:
        """The runs saved last time, oldest first; [] when there is no file or it is unreadable."""
        if self.landing is None:
            return []
        try:
            text = self.landing.read_text(RELPATH)
            data: Any = json.loads(text) if text else []
            return [
                StoredRun(
                    RunRequest.from_json(item["request"]),
                    str(item["destination"]),
                    str(item["state"]),
                    item.get("last_error"),
                )
                for item in data
            ]
        except Exception as exc:  # a damaged file must not keep the app from serving
            log.warning("could not read the saved runs (%s): starting with none", exc)
            return []

    def save(self, records: Iterable[RunRecord]) -> str | None:
        """Write every run; returns the problem as text when it could not be written."""
        if self.landing is None:
            return None
        items = [
            {
                "request": r.request.to_json() | {"fresh": False},  # never start over again
                "destination": r.destination,
                "state": r.state,
                "last_error": r.last_error,
            }
            for r in sorted(records, key=lambda r: r.started)
        ]
        try:
            self.landing.write_text_atomic(RELPATH, json.dumps(items, indent=1))
        except Exception as exc:  # the runs go on; the page shows that they will not survive
            log.warning("could not save the runs: %s", exc)
            return str(exc)
        return None

"""The scratch folder a bench writes into: a fresh temporary folder inside `--tmp DIR`.

DIR is created when missing (with its parents), so `--tmp /big/disk/new` works; when it cannot be
(a file is in the way, no permission), the bench stops at once with the folder, the reason and
what to pass instead, before any run, not with a traceback from tempfile.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


def scratch_dir(parser: argparse.ArgumentParser, tmp: Path | str | None, prefix: str) -> Path:
    """A new empty folder named `prefix`... inside `tmp` (None: the system's temp folder).

    Raises:
        SystemExit(2): through parser.error, when `tmp` cannot be created or written."""
    try:
        if tmp is not None:
            Path(tmp).mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=prefix, dir=tmp))
    except OSError as exc:
        parser.error(
            f"--tmp {tmp}: cannot make a scratch folder there ({exc.strerror or exc}); "
            "pass a folder you may write to"
        )

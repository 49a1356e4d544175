"""The `streamforge` command's first code: stop signals are caught before anything heavy loads.

Importing the CLI (click, rich, numpy, pyarrow, the engine) takes about a second; a SIGTERM in that
second would otherwise kill the process with no say. Caught here, it stops the run before it
starts (exit 0); a second one leaves at once (`stopping.StopNow`, also exit 0).
"""

from __future__ import annotations

import sys

from streamforge import stopping


def main() -> None:
    stopping.install()
    try:
        from streamforge.cli import main as cli

        cli()
    except stopping.StopNow:
        sys.exit(0)  # nothing is half-done that the next start does not redo
    finally:
        stopping.ignore()  # exiting already: a late signal must not cut the exit short

"""The `streamforge` command's first code: stop signals are caught before anything heavy loads.

Importing the CLI (click, rich, numpy, pyarrow, the engine) takes about a second; a SIGTERM in that
second would otherwise kill the process with no say. Caught here, it stops the run before it
starts (exit 0); a second one leaves at once (`stopping.StopNow`, also exit 0).
"""

from __future__ import annotations

import os
import sys

from streamforge import stopping


def main() -> None:
    stopping.install()
    # numpy's OpenBLAS starts a thread per core when numpy loads, and it spins a while waiting
    # for matrix work that StreamForge never gives it (no matrix products anywhere): ~0.08 s of
    # CPU a process, 13% of generating a small sector. One BLAS thread starts none. A setting
    # the user made is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        from streamforge.cli import main as cli

        cli()
    except stopping.StopNow:
        sys.exit(0)  # nothing is half-done that the next start does not redo
    finally:
        stopping.ignore()  # exiting already: a late signal must not cut the exit short

"""StreamForge as a Databricks App: the web UI and JSON API, plus a run started with the app.

`python app.py` serves http://localhost:8000 (or $DATABRICKS_APP_PORT) and starts generating the
default sector into ./landing. Environment (each also a flag, see --help):

    STREAMFORGE_SECTOR        sector the app starts with (Energy)
    STREAMFORGE_DEST          where it writes: a folder under the landing root, or /Volumes/...
    STREAMFORGE_LANDING_ROOT  local folder that runs may write under (./landing)
    STREAMFORGE_FORMAT, STREAMFORGE_INTERVAL, STREAMFORGE_SEED, STREAMFORGE_SCALE
    STREAMFORGE_AUTOSTART=0   serve the UI without starting a run
    STREAMFORGE_SCHEMA_DIR    schema folder (./schema, else the library shipped with the package);
                              a /Workspace/... folder or a /Volumes/... path is read and saved
                              through databricks-sdk
    STREAMFORGE_HOST          interface to listen on (127.0.0.1; 0.0.0.0 on Databricks Apps)
    STREAMFORGE_ALLOWED_HOSTS extra host names the app answers to when served locally (a,b)
    STREAMFORGE_MIN_INTERVAL, STREAMFORGE_MAX_SCALE, STREAMFORGE_MAX_ROWS_PER_CYCLE,
    STREAMFORGE_MAX_DIMENSION_ROWS   limits of a run started from the UI
"""

from __future__ import annotations

import argparse
import os

import uvicorn

from streamforge.web import create_app
from streamforge.web.runs import RunRequest


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description="StreamForge web app")
    # Databricks Apps route traffic to the app's port from their proxy: listen on every interface
    # there; anywhere else only on this machine, unless told otherwise.
    on_databricks = bool(env("DATABRICKS_APP_PORT"))
    parser.add_argument(
        "--host", default=env("STREAMFORGE_HOST", "0.0.0.0" if on_databricks else "127.0.0.1")
    )
    parser.add_argument(
        "--port", type=int, default=int(env("DATABRICKS_APP_PORT") or env("PORT") or 8000)
    )
    parser.add_argument("--sector", default=env("STREAMFORGE_SECTOR", "Energy"))
    parser.add_argument("--dest", default=env("STREAMFORGE_DEST", "."))
    parser.add_argument("--landing-root", default=env("STREAMFORGE_LANDING_ROOT", "landing"))
    parser.add_argument("--schema-dir", default=env("STREAMFORGE_SCHEMA_DIR"))
    parser.add_argument("--format", default=env("STREAMFORGE_FORMAT", "json"))
    parser.add_argument("--interval", type=float, default=float(env("STREAMFORGE_INTERVAL", "30")))
    parser.add_argument("--seed", type=int, default=int(env("STREAMFORGE_SEED", "42")))
    parser.add_argument("--scale", type=float, default=float(env("STREAMFORGE_SCALE", "1")))
    parser.add_argument(
        "--no-autostart",
        action="store_true",
        default=env("STREAMFORGE_AUTOSTART", "1").lower() in ("0", "false", "no"),
        help="serve the UI without starting a run",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    autostart = None
    if not args.no_autostart:
        autostart = RunRequest(
            args.sector, args.dest, args.format, args.interval, args.seed, args.scale
        )
    app = create_app(args.schema_dir, args.landing_root, autostart)
    # uvicorn turns SIGTERM (how Databricks Apps stop an app) into a shutdown: runs stop cleanly.
    uvicorn.run(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()

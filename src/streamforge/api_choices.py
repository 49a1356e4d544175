"""The facade's defaults and the names the doors offer as choices (formats, targets): what the
CLI reads while it defines its options, so nothing here loads the engine, the sinks or pyarrow."""

from __future__ import annotations

from pathlib import Path

DEFAULT_SEED = 42
DEFAULT_FORMAT = "json"  # what Auto Loader reads most easily (DESIGN §2)
DEFAULT_TARGET = "databricks"
STATE_DIR = "_streamforge"


def landing_formats() -> tuple[str, ...]:
    """Names of the registered landing formats (`json`, `csv`, `parquet`, `delta`, ...).

    Returns:
        The format names, sorted.

    Read from the names of the `sinks/fmt_<name>.py` modules, which the sinks package registers
    (and `register_format` checks that a format's name is its module's), without importing them:
    the CLI's --help lists them and loads no pyarrow.
    """
    sinks = Path(__file__).resolve().parent / "sinks"
    return tuple(sorted(path.stem.removeprefix("fmt_") for path in sinks.glob("fmt_*.py")))


def pipeline_formats() -> tuple[str, ...]:
    """Landing formats a generated pipeline can read (`json`, `csv`, `parquet`; not `delta`).

    Returns:
        The names of the formats that declare a Spark file source, sorted.
    """
    from streamforge.sinks.formats import pipeline_formats as readable

    return readable()


def pipeline_targets() -> dict[str, str]:
    """Every registered pipeline target and what it is.

    Returns:
        Target name -> one-line description, in registry order.
    """
    from streamforge.pipelines.targets import TARGETS

    return {name: target.description for name, target in TARGETS.items()}


def local_targets() -> tuple[str, ...]:
    """Targets that run here on local pyspark (`pipeline --run`).

    Returns:
        Their names, in registry order.
    """
    from streamforge.pipelines.targets import TARGETS

    return tuple(name for name, target in TARGETS.items() if target.runs_locally)


def deployable_targets() -> tuple[str, ...]:
    """Targets that run in a Databricks workspace (they ship a databricks.yml bundle).

    Returns:
        Their names, in registry order.
    """
    from streamforge.pipelines.targets import TARGETS

    return tuple(name for name, target in TARGETS.items() if target.deployable)


def default_landing(target: str) -> str:
    """Where the generator writes for a pipeline of `target` to read, unless told otherwise.

    Args:
        target: a registered pipeline target.

    Returns:
        A path or Volume path (e.g. `/Volumes/main/streamforge/landing` for databricks).

    Raises:
        StreamForgeError: an unknown target (the message lists the known ones).
    """
    from streamforge.pipelines.targets import get_target

    return get_target(target).default_landing

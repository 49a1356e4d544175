"""pyspark on demand: a clear error when it is missing, and a local session that starts reliably.

The base install has no pyspark: nothing under `streamforge` imports it at module level.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from streamforge.errors import StreamForgeError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Generating is throughput work: the full JIT (C1 then C2), unlike the pipeline tests' short runs
# (local_spark.JVM_OPTIONS, C1 only); the code cache as large as theirs.
THROUGHPUT_JVM = "-XX:ReservedCodeCacheSize=256m"
# From the clone (or the built wheel): PyPI's `streamforge` is an unrelated project.
INSTALL_HINT = (
    "pip install -e '.[spark]' in the StreamForge clone "
    "(or pip install 'dist/streamforge-<version>-py3-none-any.whl[spark]')"
)


# The master URLs Spark accepts (SparkContext.createTaskScheduler, SparkSubmit): local with
# threads (N > 0 or *) and optional max failures F; local-cluster (tests); a standalone, YARN,
# Kubernetes or Mesos cluster. Anything else reaches spark-submit, which prints a Java stack trace.
MASTER = re.compile(
    r"local(\[([1-9]\d*|\*)(,[1-9]\d*)?\])?"
    r"|local-cluster\[[1-9]\d*,[1-9]\d*,[1-9]\d*\]"
    r"|yarn|(spark|k8s|mesos)://\S+"
)
MASTER_FORMS = (
    "local, local[N], local[*], local[N,F], spark://host:port, yarn, k8s://..., mesos://..."
)


def check_master(master: str) -> None:
    """Refuse a Spark master URL of no form Spark knows, before the JVM starts.

    Raises:
        StreamForgeError: naming the forms Spark takes.
    """
    if MASTER.fullmatch(master.strip()) is None:
        raise StreamForgeError(
            f"--master {master!r} is no Spark master URL: use {MASTER_FORMS} "
            "(N threads, F task failures allowed)"
        )


def require_pyspark() -> None:
    """Raise StreamForgeError naming the extra to install when pyspark or Java is missing."""
    from streamforge.pipelines.local_spark import _java_home

    for module in ("pyspark", "pandas"):  # pyspark's mapInArrow imports pandas
        if importlib.util.find_spec(module) is None:
            raise StreamForgeError(f"--engine spark needs {module}: {INSTALL_HINT}")
    if _java_home() is None:
        raise StreamForgeError(
            "--engine spark needs a Java runtime (17 or newer) for pyspark: install one "
            "(e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
        )


def local_session(master: str = "local[2]", work_dir: Path | None = None) -> SparkSession:
    """A classic SparkSession on this machine, set up as the pipeline tests set theirs up
    (`pipelines/local_spark.py`: loopback address, no UI, UTC, the C1 JIT with a 256 MB code cache,
    workers on this interpreter), with an in-memory catalog under a private warehouse folder.

    `master`: any Spark master URL (`local[2]`, `local[*]`, `spark://host:7077`).
    """
    check_master(master)
    require_pyspark()
    from pyspark.sql import SparkSession

    from streamforge.pipelines.local_spark import prepare_spark_home, spark_conf

    work = Path(work_dir or tempfile.mkdtemp(prefix="streamforge-spark-"))
    env = prepare_spark_home(work)
    env.pop("SPARK_CONF_DIR")  # the confs go through the builder; the Hive catalog is not needed
    for key, value in env.items():
        os.environ.setdefault(key, value)
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    confs = {
        k: v
        for k, v in spark_conf(work).items()
        if not k.startswith(("spark.sql.catalogImplementation", "spark.hadoop.javax"))
    }
    confs["spark.driver.extraJavaOptions"] = THROUGHPUT_JVM
    builder = SparkSession.builder.master(master).appName("streamforge")
    for key, value in confs.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as failed:  # the JVM did not start (PySparkRuntimeError JAVA_GATEWAY_EXITED)
        first = (str(failed).strip().splitlines() or [type(failed).__name__])[0]
        raise StreamForgeError(
            f"Spark did not start on --master {master}: {first}. Spark's own output above says "
            "why (a Java runtime 17+, the master reachable)"
        ) from failed
    spark.sparkContext.setLogLevel("ERROR")
    return spark

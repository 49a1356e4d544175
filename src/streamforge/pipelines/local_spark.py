"""Run Spark Declarative Pipelines (SDP) projects on a local pyspark, quickly and repeatably.

`run_pipeline` runs the CLI behind `spark-pipelines run|dry-run --spec ...` in a subprocess;
`read_table` / `row_counts` read the materialized datasets back from the warehouse, no JVM.

Speed: `spark-pipelines` itself is a JVM whose only job is to start the Python CLI, which boots a
second JVM (the Connect server); we start the CLI module directly with `SPARK_REMOTE=local[2]`
(~10 s less). Static confs live in `$SPARK_CONF_DIR/spark-defaults.conf` (the CLI drops `--conf`):
a Hive catalog on embedded Derby under `work_dir` (the in-memory catalog fails a second run with
LOCATION_ALREADY_EXISTS), few shuffle partitions, no UI, a C1-only JIT (about -30 %) with a
256 MB code cache (C1 alone gets 48 MB, which a pipeline of 30 datasets fills: the JVM then dies
with "Out of space in CodeCache" and the run hangs until its timeout).
`reuse_server=True` keeps one Connect server per `work_dir` alive between runs (pyspark's
`SPARK_LOCAL_CONNECT_REUSE`): runs after the first skip JVM, SparkContext and metastore start-up.
Derby allows one JVM per metastore: while that server lives no other JVM may open `work_dir`.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:
    import pyarrow as pa

MASTER = "local[2]"
CLI_MODULE = "pyspark.pipelines.cli"  # what `spark-pipelines` runs, minus its launcher JVM
SPEC_NAMES = ("spark-pipeline.yml", "spark-pipeline.yaml")
JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=256m"
_FLOW_EVENT = re.compile(r"Flow '?([\w.`]+)'? (?:is|has) ([A-Z_]+)\b")
_EXCEPTION = re.compile(r"^([\w.]+(?:Exception|Error)):(.*)$")
_LOADING = re.compile(r": (?:Importing|Registering SQL file) (.+?)\.\.\.$")
_STARTED: set[Path] = set()


@dataclass(frozen=True)
class PipelineRun:
    """One finished `spark-pipelines` invocation."""

    command: list[str]
    returncode: int
    seconds: float
    output: str  # stdout and stderr, interleaved
    flows: dict[str, str]  # flow name -> the last state the run reported


class PipelineRunError(RuntimeError):
    """A pipeline run or dry run failed; `str()` is the meaningful part, `run` has everything."""

    def __init__(self, message: str, run: PipelineRun) -> None:
        super().__init__(message)
        self.run = run


def spark_available() -> bool:
    """Whether pyspark with its pipelines extra and a Java runtime are installed."""
    modules = ("pyspark", "grpc", "yaml", "pyarrow", "pandas")
    return all(importlib.util.find_spec(m) for m in modules) and _java_home() is not None


def _java_home() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return home
    java = shutil.which("java")
    return str(Path(java).resolve().parents[1]) if java else None


def spark_conf(work_dir: Path) -> dict[str, str]:
    """The static Spark confs of a local pipeline run whose state lives under `work_dir`."""
    work = Path(work_dir).resolve()
    return {
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": (work / "warehouse").as_uri(),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={work / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={work} {JVM_OPTIONS}",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.pipelines.maxFlowRetryAttempts": "0",  # fail fast: a retry is 5-15 s of backoff
    }


def prepare_spark_home(work_dir: Path) -> dict[str, str]:
    """Write `work_dir/conf/spark-defaults.conf`; return the env vars to run `spark-pipelines`
    with (`spark-pipelines run --remote "local[2]" --spec ...` then does what `run_pipeline` does,
    one JVM slower)."""
    work = Path(work_dir).resolve()
    conf_dir = work / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    (work / "warehouse").mkdir(exist_ok=True)
    lines = [f"{key} {value}" for key, value in spark_conf(work).items()]
    (conf_dir / "spark-defaults.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {
        "SPARK_CONF_DIR": str(conf_dir),
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "SPARK_TESTING": "1",  # an ephemeral Spark Connect port, so runs can be parallel
        "SPARK_LOCAL_IP": "127.0.0.1",
        "TZ": "UTC",
    }
    return env | ({"JAVA_HOME": java} if (java := _java_home()) else {})


def _discovery(work_dir: Path) -> Path:
    return Path(work_dir).resolve() / "connect" / "discovery.json"


def _spec(project_dir: Path) -> Path:
    found = [p for n in SPEC_NAMES if (p := Path(project_dir).resolve() / n).is_file()]
    if not found:
        raise FileNotFoundError(f"no {' or '.join(SPEC_NAMES)} in {project_dir}")
    return found[0]


def run_pipeline(
    project_dir: Path,
    work_dir: Path,
    *,
    dry_run: bool = False,
    full_refresh: bool = False,
    timeout: float = 600,
    reuse_server: bool = False,
) -> PipelineRun:
    """Run (or dry-run) the SDP project in `project_dir`; raise `PipelineRunError` on failure.

    `full_refresh` resets and recomputes every dataset (`--full-refresh-all`); `reuse_server`
    keeps a Connect server for `work_dir` alive for the next run (see the module docstring).
    """
    work = Path(work_dir).resolve()
    env = {**os.environ, **prepare_spark_home(work), "SPARK_REMOTE": MASTER}
    if reuse_server:
        env["SPARK_LOCAL_CONNECT_REUSE"] = "1"
        env["SPARK_LOCAL_CONNECT_DISCOVERY"] = str(_discovery(work))
        if _server_pid(work) is None:  # only a starting server needs them; later runs would warn
            env["PYSPARK_REMOTE_INIT_CONF_LEN"] = "1"
            env["PYSPARK_REMOTE_INIT_CONF_0"] = json.dumps(spark_conf(work))
        if work not in _STARTED:
            _STARTED.add(work)
            atexit.register(stop_server, work)
    else:
        stop_server(work)  # a live server of ours would hold the Derby lock
    command = [sys.executable, "-m", CLI_MODULE, "dry-run" if dry_run else "run"]
    command += ["--spec", str(_spec(project_dir))]
    if full_refresh and not dry_run:
        command.append("--full-refresh-all")
    started = time.monotonic()
    pipe, devnull = subprocess.PIPE, subprocess.DEVNULL
    proc = subprocess.Popen(  # own session: a timeout kills the CLI and its JVM together
        command, cwd=work, env=env, stdin=devnull, stdout=pipe, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):  # the CLI and the JVM it started
            os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        run = _result(command, -1, started, output)
        raise PipelineRunError(f"pipeline run timed out after {timeout:.0f} s", run) from None
    run = _result(command, proc.returncode, started, output)
    if run.returncode != 0:
        raise PipelineRunError(_explain(run, project_dir), run)
    return run


def _result(command: list[str], returncode: int, started: float, output: str) -> PipelineRun:
    flows = {m[1]: m[2] for m in _FLOW_EVENT.finditer(output)}
    return PipelineRun(command, returncode, round(time.monotonic() - started, 2), output, flows)


def _explain(run: PipelineRun, project_dir: Path, limit: int = 16) -> str:
    """The lines that say what went wrong, without the JVM and Python stack frames: the flows
    that failed (with their `Error:` line), the file being loaded, frames in the project's own
    files, the final exception with its message, and its `Caused by:` chain."""
    lines = [*run.output.splitlines(), ""]  # so that lines[i + 1] always exists
    project = str(Path(project_dir).resolve())
    picked: list[str] = []

    def add(text: str) -> None:
        if (text := text.strip()[:500]) and text not in picked:
            picked.append(text)

    loading = None
    for i, line in enumerate(lines):
        text = line.strip()
        if m := _LOADING.search(text):
            loading = m[1]
        elif "Starting run..." in text:
            loading = None
        elif "Failed to resolve flow:" in text or re.search(r"Flow \S+ has FAILED", text):
            add(text.split(": ", 1)[-1])
            add(lines[i + 1] if lines[i + 1].startswith("Error:") else "")
        elif text.startswith('File "') and project in text:
            add(text)
            add(lines[i + 1])
        elif text.startswith("Caused by:"):
            add(text)
        elif m := _EXCEPTION.match(text):
            add(text)
            for follow in lines[i + 1 : i + 12]:  # a message may go on below the exception
                if follow.startswith(("JVM stacktrace:", "Traceback", "\tat ", "== SQL")):
                    break
                add(follow)
    head = f"pipeline {'dry run' if 'dry-run' in run.command else 'run'} failed"
    head += f" (exit {run.returncode})" + (f" while loading {loading}" if loading else "")
    if not picked:  # an unforeseen shape: the last lines that are not stack frames
        picked = [ln for ln in lines if ln.strip() and not ln.startswith("\tat ")][-limit:]
    return "\n".join([head, *picked[:limit]])


def _server_pid(work_dir: Path) -> int | None:
    """The pid of the live reused Connect server of `work_dir`, if there is one."""
    try:
        pid = int(json.loads(_discovery(work_dir).read_text())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pid if Path(f"/proc/{pid}").exists() else None


def stop_server(work_dir: Path) -> bool:
    """Stop the reused Connect server of `work_dir`, if one runs; True when one was stopped."""
    pid = _server_pid(work_dir)
    if pid is None:
        return False
    env = {**os.environ, "SPARK_LOCAL_CONNECT_DISCOVERY": str(_discovery(work_dir))}
    stop = [sys.executable, "-m", "pyspark.sql.connect.local_server", "--stop"]
    subprocess.run(stop, env=env, capture_output=True, timeout=60)
    deadline = time.monotonic() + 30  # Derby's lock goes with the JVM, so wait for it
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.2)
    return True


def table_path(work_dir: Path, name: str) -> Path:
    """Where a managed table (streaming table or materialized view) lives in the warehouse."""
    parts = [p.strip("`").lower() for p in name.split(".")][-2:]  # catalog: spark_catalog
    table, database = parts[-1], parts[0] if len(parts) == 2 else "default"
    warehouse = Path(work_dir).resolve() / "warehouse"
    return warehouse / table if database == "default" else warehouse / f"{database}.db" / table


def _committed_files(table: Path) -> list[str] | None:
    """The data files a streaming table's file-sink log (`_spark_metadata`) lists as committed,
    as Spark itself reads them; None for tables without a log (materialized views)."""
    log = table / "_spark_metadata"
    if not log.is_dir():
        return None
    entries = [p for p in log.iterdir() if re.fullmatch(r"\d+(\.compact)?", p.name)]
    batches = {int(p.name.split(".")[0]): p for p in entries}
    compacted = [b for b, p in batches.items() if p.suffix == ".compact"]
    files: set[str] = set()
    for batch in sorted(b for b in batches if b >= max(compacted, default=0)):
        for line in batches[batch].read_text(encoding="utf-8").splitlines()[1:]:  # 1st: "v1"
            entry = json.loads(line)
            path = unquote(urlparse(entry["path"]).path)
            (files.add if entry.get("action", "add") == "add" else files.discard)(path)
    return sorted(files)


def read_table(work_dir: Path, name: str) -> pa.Table:
    """Read a dataset the pipeline materialized straight from its parquet files (no JVM, so no
    Derby lock). Streaming tables are read through their `_spark_metadata` log, as Spark reads
    them; hive-style partition directories become columns."""
    import pyarrow.dataset as ds

    path = table_path(work_dir, name)
    if not path.is_dir():
        found = sorted(p.name for p in path.parent.iterdir()) if path.parent.is_dir() else []
        raise FileNotFoundError(f"no table {name!r} at {path}; the warehouse has {found}")
    files = _committed_files(path)
    source: Path | list[str] = path if files is None else files
    return ds.dataset(
        source, format="parquet", partitioning="hive", partition_base_dir=str(path)
    ).to_table()


def row_counts(work_dir: Path, names: Iterable[str]) -> dict[str, int]:
    """Row count of each named dataset, read from the warehouse files."""
    return {name: read_table(work_dir, name).num_rows for name in names}

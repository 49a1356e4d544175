"""The pipeline half of the facade (re-exported by api.py): generate, zip and run pipelines."""

from __future__ import annotations

from pathlib import Path

from streamforge import sectors
from streamforge.api_choices import DEFAULT_FORMAT
from streamforge.errors import StreamForgeError


def pipeline(
    sector: str,
    out: Path | str | None = None,
    *,
    schema_dir: Path | str | None = None,
    target: str = "databricks",
    language: str = "python",
    landing: str | None = None,
    scd: int = 1,
    fmt: str | None = None,
    interval: float | None = None,
    continuous: bool = False,
    notebooks: str | None = None,
    workshop: bool = False,
    generator_job: bool = False,
):
    """Generate the pipeline project that ingests a sector's landing area; write it to `out`.

    Args:
        sector: the sector's folder name.
        out: folder to write the project to (None: only return it); `dbfs:/Volumes/...` is
            the mounted Volume path.
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.
        target: a registered pipeline target (`pipeline_targets()`).
        language: python or sql.
        landing: where the pipeline reads (a folder, a Volume path, a URL); None: the target's
            default landing. A local one also gives `fmt` and `interval` when they are None.
        scd: 1 or 2, how the pipeline keeps a tracked dimension's history.
        fmt: the landing's file format (`pipeline_formats()`); None: the local landing's,
            else json.
        interval: seconds between the landing's cycles, > 0; sets the watermark. None: the
            local landing's (checkpoint, else manifest), else 30.
        continuous: the bundle's pipeline runs continuously (no refresh job).
        notebooks: "source" or "ipynb" writes the sources as notebooks; None: plain files.
        workshop: leave chosen steps as exercises in transformations/, the solutions in
            solutions/ (source notebooks unless `notebooks` says otherwise).
        generator_job: add a bundle job that writes the landing with the Spark engine.

    Returns:
        A PipelineProject: `files`, relative path -> text (sources, databricks.yml, README).

    Raises:
        StreamForgeError: `interval` not positive, `fmt` other than the local landing's, an
            unknown notebook form, target, language or scd, or a generator job the target or
            format cannot have.
        NotFound: no such sector. SchemaError: the sector has errors.
    """
    from streamforge.file_uris import PROJECT_WRITTEN, check_mounted, file_path
    from streamforge.pipelines.interval import DEFAULT_INTERVAL, landing_format, landing_interval
    from streamforge.pipelines.project import PipelineOptions, build_project
    from streamforge.pipelines.targets import get_target

    if out is not None:  # before any work: dbfs:/Volumes/x is the mounted /Volumes/x
        out = file_path(out, PROJECT_WRITTEN)
        fix = "write it to a local folder, and deploy it from there (databricks bundle deploy)"
        check_mounted(out, PROJECT_WRITTEN, fix)
    if interval is None:
        interval = landing_interval(landing) or DEFAULT_INTERVAL
    elif not interval > 0:
        raise StreamForgeError(f"--interval must be a positive number of seconds, not {interval}")
    landed = landing_format(landing)
    if fmt is None:
        fmt = landed or DEFAULT_FORMAT
    elif landed is not None and landed != fmt:
        raise StreamForgeError(
            f"the landing {landing} holds {landed} files, not {fmt}: "
            f"use --format {landed} (or leave --format out)"
        )
    if notebooks not in (None, "source", "ipynb"):
        raise StreamForgeError(f"unknown notebook form '{notebooks}'; use source or ipynb")
    plan = sectors.plan_of(sector, schema_dir)
    if landing is None:
        landing = get_target(target).default_landing
    elif get_target(target).runs_locally and "://" not in str(landing):
        landing = str(Path(landing).resolve())  # a local run reads from any working directory
    options = PipelineOptions(
        target=target,
        language=language,
        landing=str(landing),
        scd=scd,
        fmt=fmt,
        interval=interval,
        continuous=continuous,
        notebooks=notebooks,  # type: ignore[arg-type]  # checked above
        workshop=workshop,
        generator_job=generator_job,
        storage=(Path(out) / "pipeline-storage").resolve().as_uri() if out is not None else None,
    )
    project = build_project(plan, options)
    if out is not None:
        project.write(Path(out))
    return project


def run_pipeline_locally(
    project_dir: Path | str, work_dir: Path | str | None = None
) -> dict[str, int]:
    """Run a generated `spark` target project on local pyspark.

    Args:
        project_dir: the project folder (`pipeline(..., target="spark", out=...)`).
        work_dir: Spark's warehouse and checkpoints; None: `<project_dir>/.spark-work`.

    Returns:
        Rows of every dataset the pipeline defines, by name.

    Raises:
        StreamForgeError: before Spark starts, when the project is not a `spark` one, when the
            landing it reads holds no landing area (Spark would only say PATH_NOT_FOUND), or
            when pyspark or Java is missing; after, when the run fails.
    """
    from streamforge.pipelines import local_spark
    from streamforge.readback import MANIFEST

    project = Path(project_dir)
    if not (project / "spark-pipeline.yml").exists():
        raise StreamForgeError(
            f"{project} has no spark-pipeline.yml; generate it with --target spark"
        )
    work = Path(work_dir) if work_dir else project / ".spark-work"
    landing = _project_landing(project, work)
    if landing is not None and not (landing / MANIFEST).is_file():
        raise StreamForgeError(
            f"the pipeline reads the landing {landing}, and no landing area is there "
            f"(no {MANIFEST}): pass --landing with the folder that `streamforge generate` or "
            f"`streamforge run` wrote, or write one there first "
            f"(streamforge generate <sector> --out {landing})"
        )
    if not local_spark.spark_available():
        from streamforge.engine_spark.start import INSTALL_HINT

        raise StreamForgeError(
            f"running a pipeline locally needs pyspark and Java 17: {INSTALL_HINT} (and a JDK)"
        )
    try:
        result = local_spark.run_pipeline(project, work)
    except local_spark.PipelineRunError as exc:
        raise StreamForgeError(f"the pipeline failed: {exc}") from None
    names = sorted(name.split(".")[-1].strip("`") for name in result.flows)
    return local_spark.row_counts(work, names)


def pipeline_quality(
    sector: str,
    project_dir: Path | str,
    work_dir: Path | str | None = None,
    *,
    schema_dir: Path | str | None = None,
):
    """Injected vs caught, rule by rule, after a local run of a `spark` target project: the
    landing manifest (the project's `streamforge.landing`) beside the `expectations_*` views.

    Args:
        sector: the sector the project was generated for.
        project_dir: the project folder that `run_pipeline_locally` ran.
        work_dir: the run's work folder; None: `<project_dir>/.spark-work`.
        schema_dir: folder of sector folders; None: ./schema, else the built-in library.

    Returns:
        A list of `streamforge.pipelines.quality.RuleCheck`, one per rule of every dataset:
        rows injected to break it, rows it failed and passed (None before the dataset ran).

    Raises:
        NotFound: no such sector. SchemaError: the sector has errors.
    """
    from streamforge.pipelines.model import build_model
    from streamforge.pipelines.quality import compare, read_spark_metrics
    from streamforge.readback import read_manifest

    project = Path(project_dir)
    model = build_model(sectors.plan_of(sector, schema_dir))
    work = Path(work_dir) if work_dir else project / ".spark-work"
    landing = _project_landing(project, work)
    manifest = read_manifest(landing) if landing is not None else []
    return compare(model, manifest, read_spark_metrics(work))


def _project_landing(project: Path, work: Path) -> Path | None:
    """The local folder a `spark` project's run reads (its `streamforge.landing`): a relative
    path from `work`, where the run's Spark resolves it; None for a URL such as s3://."""
    import yaml

    spec = yaml.safe_load((project / "spark-pipeline.yml").read_text(encoding="utf-8"))
    landing = str(spec["configuration"]["streamforge.landing"])
    if landing.startswith("file:"):
        from urllib.parse import urlparse

        landing = urlparse(landing).path
    elif "://" in landing:
        return None
    return (work / landing).resolve()


def pipeline_zip(project, folder: str) -> bytes:
    """A generated pipeline project as a zip archive.

    Args:
        project: a PipelineProject (`pipeline(...)`).
        folder: the archive's top folder; every file is under `folder/`.

    Returns:
        The zip archive's bytes (deflated).
    """
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for relpath, text in sorted(project.files.items()):
            archive.writestr(f"{folder}/{relpath}", text)
    return buffer.getvalue()

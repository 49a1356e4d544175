"""Write a ready pipeline project: the transformations, a bundle or spec file, and a README."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import yaml

from streamforge.errors import StreamForgeError
from streamforge.pipelines.bundle import bundle_yaml
from streamforge.pipelines.generator_job import (
    NOTEBOOK,
    WRITER,
    check_generator_job,
    generator_notebook,
)
from streamforge.pipelines.generator_script import SCRIPT, generator_script
from streamforge.pipelines.model import PipelineModel, build_model
from streamforge.pipelines.notebook_format import Form
from streamforge.pipelines.notebooks import check_form, notebook_project, readme_section
from streamforge.pipelines.quality import rule_sources
from streamforge.pipelines.readers import pipeline_format
from streamforge.pipelines.render import render
from streamforge.pipelines.targets import Target, get_target
from streamforge.plan import Plan
from streamforge.plan.times import MAX_LATE_CYCLES

LANGUAGES = ("python", "sql")
REPORT = "reports/data_quality.sql"  # outside transformations/: not part of the pipeline


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    target: str = "databricks"
    language: str = "python"
    landing: str = "/Volumes/main/streamforge/landing"
    scd: int = 1
    fmt: str = "json"
    catalog: str = "main"
    schema: str | None = None  # None: streamforge_<sector>, so two sectors never share tables
    storage: str | None = None  # spark target: where checkpoints and state live (a URI)
    interval: float = 30.0  # seconds between the landing's cycles: the watermark follows it
    continuous: bool = False  # bundle: a continuous pipeline instead of a file-arrival job
    notebooks: Form | None = None  # write the sources as notebooks (source format or .ipynb)
    workshop: bool = False  # notebooks with exercises in transformations/, solutions/ beside
    generator_job: bool = False  # bundle: a job that writes the landing with the Spark engine


@dataclass(frozen=True, slots=True)
class PipelineProject:
    files: dict[str, str]  # relative path -> text

    def write(self, out: Path) -> list[Path]:
        written = []
        for relpath, text in self.files.items():
            path = Path(out) / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        return written


def build_project(plan: Plan, options: PipelineOptions) -> PipelineProject:
    target = get_target(options.target)
    if options.language not in LANGUAGES:
        raise StreamForgeError(f"unknown language '{options.language}'; use python or sql")
    if options.scd not in (1, 2):
        raise StreamForgeError("--scd must be 1 or 2")
    pipeline_format(options.fmt)  # refuse a landing no pipeline reads before rendering
    if options.generator_job:
        if not target.bundle:
            raise StreamForgeError(
                "--generator-job adds a job to the Databricks bundle; the spark target has no "
                "bundle: drop --generator-job or use --target databricks"
            )
        check_generator_job(options.fmt, options.landing)
    model = build_model(plan, options.interval)
    name = f"streamforge_{plan.sector.name.lower()}"
    files: dict[str, str] = {}
    for template in target.templates[options.language]:
        code = render(template, model, fmt=options.fmt, scd=options.scd, **target.names)
        if template.endswith(".py.j2"):
            ast.parse(code)  # a template bug must never reach a user
        stem = name + ("_bronze" if "bronze" in template else "")
        files[f"transformations/{stem}.{template.split('.')[-2]}"] = code
    sources = list(files)
    schema = options.schema or name
    event_log = (
        f"{options.catalog}.{schema}.{name}_event_log"
        if target.unity_catalog
        else "delta.`dbfs:/pipelines/<pipeline-id>/system/events`"  # Hive metastore: storage
    )
    files[REPORT] = render(
        "data_quality.sql.j2",
        model,
        rule_sources=rule_sources(model, unique=not target.bundle, rescued=target.bundle),
        metrics="event_log" if target.bundle else "tables",
        event_log=event_log,
        recomputed=_materialized_views(model, options.language),
        landing=options.landing.rstrip("/"),
    )
    readme_extra: list[str] = []
    if options.notebooks or options.workshop:
        form = options.notebooks or "source"
        check_form(form, target.bundle)
        notebooks = notebook_project(
            files, model, form=form, workshop=options.workshop, open_source=not target.bundle
        )
        files, sources = dict(notebooks.files), [notebooks.renamed[s] for s in sources]
        readme_extra = ["", *readme_section(notebooks, form, bundle=target.bundle)]
    report = next(path for path in files if path.startswith("reports/"))
    files["README.md"] = _readme(model, target, options, ", ".join(sources), name, report)
    files["README.md"] += "\n".join(readme_extra) + ("\n" if readme_extra else "")
    if target.bundle:
        files["databricks.yml"] = bundle_yaml(
            name,
            model.description,
            landing=options.landing,
            catalog=options.catalog,
            schema=options.schema or name,
            interval=options.interval,
            continuous=options.continuous,
            unity_catalog=target.unity_catalog,
            language=options.language,
            sources=sources,
            notebooks=bool(options.notebooks or options.workshop),
            generator=(plan.sector.name, options.fmt) if options.generator_job else None,
        )
        if options.generator_job and target.unity_catalog:  # serverless: a Python file task
            files[SCRIPT] = generator_script(plan.sector.name, options.fmt, WRITER)
        elif options.generator_job:
            files[NOTEBOOK] = generator_notebook(plan.sector.name, options.fmt)
    else:
        files["spark-pipeline.yml"] = _spark_spec(name, options)
    return PipelineProject(files)


def _materialized_views(model: PipelineModel, language: str) -> set[str]:
    """The checked datasets a Databricks pipeline recomputes at each update (their expectation
    metrics count every row again): SQL de-duplicates facts in a materialized view."""
    if language != "sql":
        return set()
    return {c.source.silver for c in model.checked if c.dedupe and c.source.key}


def _spark_spec(name: str, options: PipelineOptions) -> str:
    configuration = {"streamforge.landing": options.landing}
    if pipeline_format(options.fmt).carries_schema:  # SQL names no schema for a file stream
        configuration["spark.sql.streaming.schemaInference"] = "true"
    document = {
        "name": name,
        "storage": options.storage or "pipeline-storage",
        "configuration": configuration,
        "libraries": [{"glob": {"include": "transformations/**"}}],
    }
    return yaml.safe_dump(document, sort_keys=False)


def _dedupe_note(model: PipelineModel, target: Target, options: PipelineOptions) -> str:
    """How facts are de-duplicated: streaming with a watermark (Databricks Python), else over
    every landed row in a materialized view (no watermark, nothing dropped as late)."""
    if not (target.bundle and options.language == "python"):
        return (
            "Facts are de-duplicated on their key over every row landed so far (a materialized "
            "view): no watermark, so no row is dropped as late."
        )
    watermark = next((c.watermark_seconds for c in model.checked if c.dedupe), None)
    return (
        f"The landing is written every {model.interval_seconds:g} s and a late row arrives up to "
        f"{MAX_LATE_CYCLES} intervals late, so facts are de-duplicated on their key within a "
        f"{watermark} s watermark (`streamforge pipeline --interval` sets it). The streaming "
        "de-duplication drops rows behind its watermark; they are kept in `late_<table>`, so "
        "no row is lost silently."
    )


def _readme(
    model: PipelineModel,
    target: Target,
    options: PipelineOptions,
    source: str,
    name: str,
    report: str = REPORT,
) -> str:
    lines = [
        f"# {model.description}",
        "",
        f"Generated by StreamForge for target `{target.name}` ({target.description}), "
        f"in {options.language}: `{source}`. It reads the landing area "
        f"`{options.landing}` ({options.fmt} files, one folder per table).",
        "",
        "| dataset | layer | what it holds |",
        "| --- | --- | --- |",
    ]
    for s in model.sources:
        lines.append(
            f"| `{s.bronze}` | bronze | every row of `{s.table}/` as landed, with source "
            "file and ingest time |"
        )
    for c in model.checked:
        rules = ", ".join(f"`{r.name}` ({r.action})" for r in c.rules) or "none"
        lines.append(f"| `{c.source.silver}` | silver | {c.source.comment} Expectations: {rules} |")
        if c.drop_rules or not target.bundle:
            lines.append(
                f"| `{c.source.quarantine}` | silver | rows of `{c.source.table}` that "
                "failed a drop expectation, `_failed_rules` naming each rule they broke |"
            )
    for d in model.dimensions:
        how = (
            f"kept current from `{d.feed.table}` (SCD1, deletes applied)"
            if d.feed
            else "one per key, from its newest landing"
        )
        lines.append(f"| `{d.name}` | silver | {d.snapshot.comment} Current rows, {how} |")
        if d.feed and options.scd == 2:
            lines.append(f"| `{d.history}` | silver | every version of `{d.name}` (SCD2) |")
    for a in model.aggregates:
        lines.append(f"| `{a.name}` | gold | {a.comment} |")
    for v in model.as_of if options.scd == 2 else ():
        lines.append(
            f"| `{v.name}` | gold | {v.comment} (SCD2 history joined as of `{v.event_time}`: "
            "the values the generator's lookups wrote) |"
        )
    if not target.bundle:
        lines.append(
            "| `expectations` | quality | passed and failed records of each rule of each "
            "checked dataset, as a Databricks pipeline's event log records them |"
        )
    lines += [
        "",
        f"`{report}` is the data-quality report: rule by rule, the rows the landing manifest says "
        "were made to break it beside the rows the pipeline's expectations failed "
        + (
            "(from the event log the bundle publishes as "
            f"`{options.catalog}.{options.schema or name}.{name}_event_log`)."
            if target.bundle and target.unity_catalog
            else "(from the event log under the pipeline's storage location)."
            if target.bundle
            else "(from the `expectations` view); `--run` prints the same comparison."
        ),
    ]
    lines += ["", _dedupe_note(model, target, options)]
    if target.bundle:
        lines += ["", *_deploy_section(name, target, options)]
    else:
        lines += [
            "",
            "Run locally with `spark-pipelines run --spec spark-pipeline.yml`, or "
            "`streamforge pipeline SECTOR --target spark --run`.",
        ]
    return "\n".join(lines) + "\n"


def _deploy_section(name: str, target: Target, options: PipelineOptions) -> list[str]:
    """How to deploy and run the bundle, in the words of databricks.yml."""
    schema = options.schema or name
    where = (
        f"`{options.catalog}.{schema}` (created on deploy)"
        if target.unity_catalog
        else f"the Hive metastore schema `{schema}` (classic compute)"
    )
    if options.continuous:
        runs = "The pipeline is continuous: once started it picks up every new file by itself."
    elif target.unity_catalog:
        runs = (
            f"The job `{name}_refresh` runs the pipeline when files arrive in the landing "
            "Volume (a file-arrival trigger, at most once per cycle)."
        )
    else:
        runs = (
            f"The job `{name}_refresh` runs the pipeline every 15 minutes (file-arrival "
            "triggers need Unity Catalog)."
        )
    pick = (
        "This target needs Unity Catalog; for a workspace without Unity Catalog, generate with "
        "`--target dlt-legacy`."
        if target.unity_catalog
        else "This target is for a workspace without Unity Catalog; with Unity Catalog, generate "
        "with `--target databricks` (serverless, file-arrival job)."
    )
    return [
        "## Deploy and run",
        "",
        "```bash",
        "databricks bundle deploy    # target dev (default)",
        f"databricks bundle run {name}    # one pipeline update now",
        "databricks bundle deploy -t prod --var landing=" + options.landing.rstrip("/"),
        f"databricks bundle run -t prod {name}",
        "```",
        "",
        f"The pipeline publishes to {where}. `dev` (`mode: development`) deploys a copy of your "
        f"own: the schema is `dev_<your short name>_{schema}`, resources are prefixed "
        "`[dev <you>]` and triggers are paused; `prod` (`mode: production`) deploys one shared "
        "copy with triggers active. You manage what you deploy; the `users` group may view it "
        f"(`--var viewers=<group>` to change). {runs}",
        "",
        pick,
    ]

"""Write a ready pipeline project: the transformations, a bundle or spec file, and a README."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import yaml

from streamforge.engine.event_faults import MAX_LATE_CYCLES
from streamforge.errors import StreamForgeError
from streamforge.pipelines.model import PipelineModel, build_model
from streamforge.pipelines.render import render
from streamforge.pipelines.targets import Target, get_target
from streamforge.plan import Plan

LANGUAGES = ("python", "sql")


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    target: str = "databricks"
    language: str = "python"
    landing: str = "/Volumes/main/streamforge/landing"
    scd: int = 1
    fmt: str = "json"
    catalog: str = "main"
    schema: str = "streamforge"
    storage: str | None = None  # spark target: where checkpoints and state live (a URI)
    interval: float = 30.0  # seconds between the landing's cycles: the watermark follows it


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
    model = build_model(plan, options.interval)
    name = f"streamforge_{plan.sector.name.lower()}"
    files: dict[str, str] = {}
    for template in target.templates[options.language]:
        code = render(template, model, fmt=options.fmt, scd=options.scd, **target.names)
        if template.endswith(".py.j2"):
            ast.parse(code)  # a template bug must never reach a user
        stem = name + ("_bronze" if "bronze" in template else "")
        files[f"transformations/{stem}.{template.split('.')[-2]}"] = code
    files["README.md"] = _readme(model, target, options, ", ".join(files))
    if target.bundle:
        files["databricks.yml"] = _bundle(name, model, options)
    else:
        files["spark-pipeline.yml"] = _spark_spec(name, options)
    return PipelineProject(files)


def _bundle(name: str, model: PipelineModel, options: PipelineOptions) -> str:
    document = {
        "bundle": {"name": name},
        "variables": {
            "catalog": {"default": options.catalog},
            "schema": {"default": options.schema},
            "landing": {"default": options.landing},
        },
        "resources": {
            "pipelines": {
                name: {
                    "name": f"{model.description}",
                    "catalog": "${var.catalog}",
                    "schema": "${var.schema}",
                    "serverless": True,
                    "continuous": False,
                    "channel": "CURRENT",
                    "configuration": {"streamforge.landing": "${var.landing}"},
                    "libraries": [{"glob": {"include": "transformations/**"}}],
                }
            }
        },
        "targets": {"dev": {"mode": "development", "default": True}},
    }
    return yaml.safe_dump(document, sort_keys=False)


def _spark_spec(name: str, options: PipelineOptions) -> str:
    configuration = {"streamforge.landing": options.landing}
    if options.fmt == "parquet":  # SQL can name no schema for a file stream: Parquet carries it
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


def _readme(model: PipelineModel, target: Target, options: PipelineOptions, source: str) -> str:
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
        if c.drop_rules:
            lines.append(
                f"| `{c.source.quarantine}` | silver | rows of `{c.source.table}` that "
                "failed a drop expectation |"
            )
    for d in model.dimensions:
        how = (
            f"kept current from `{d.feed.table}` (SCD1, deletes applied)" if d.feed else "as landed"
        )
        lines.append(f"| `{d.name}` | silver | {d.snapshot.comment} Current rows, {how} |")
        if d.feed and options.scd == 2:
            lines.append(f"| `{d.history}` | silver | every version of `{d.name}` (SCD2) |")
    for a in model.aggregates:
        lines.append(f"| `{a.name}` | gold | {a.comment} |")
    lines += ["", _dedupe_note(model, target, options)]
    if target.bundle:
        lines += ["", "Deploy with `databricks bundle deploy` (set `--var landing=...`)."]
    else:
        lines += [
            "",
            "Run locally with `spark-pipelines run --spec spark-pipeline.yml`, or "
            "`streamforge pipeline SECTOR --target spark --run`.",
        ]
    return "\n".join(lines) + "\n"

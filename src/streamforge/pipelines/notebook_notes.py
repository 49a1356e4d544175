"""The markdown note above each notebook cell: what the cell's dataset is, in a sentence or two,
and links to the Databricks documentation of the feature it uses.

The dataset's role (bronze, silver, quarantine, dimension, gold, ...) comes from the pipeline
model by name; the features (Auto Loader, expectations, AUTO CDC, watermarks) from the code, so a
note is right for every target's way of writing the same dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamforge.pipelines.model import PipelineModel

DOCS = "https://docs.databricks.com/aws/en"
PIPELINES = ("Lakeflow pipelines: concepts", f"{DOCS}/ldp/concepts/")
PYTHON_DEV = ("Develop pipeline code with Python", f"{DOCS}/ldp/developer/python-dev")
SQL_DEV = ("Develop pipeline code with SQL", f"{DOCS}/ldp/developer/sql-dev")
AUTO_LOADER = ("Auto Loader", f"{DOCS}/ingestion/cloud-object-storage/auto-loader/")
READ_FILES = ("read_files", f"{DOCS}/sql/language-manual/functions/read_files")
STREAMING_TABLES = ("Streaming tables", f"{DOCS}/ldp/concepts/streaming-tables")
MATERIALIZED_VIEWS = ("Materialized views", f"{DOCS}/ldp/concepts/materialized-views")
EXPECTATIONS = ("Expectations", f"{DOCS}/ldp/expectations")
AUTO_CDC = ("The AUTO CDC APIs", f"{DOCS}/ldp/cdc")
CDC_PYTHON = ("create_auto_cdc_flow", f"{DOCS}/ldp/developer/ldp-python-ref-apply-changes")
CDC_SQL = ("AUTO CDC INTO", f"{DOCS}/ldp/developer/ldp-sql-ref-apply-changes-into")
WATERMARKS = ("Watermarks", f"{DOCS}/ldp/stateful-processing")
EVENT_LOG = ("Pipeline event log", f"{DOCS}/ldp/monitor-event-logs")
LIVE_SCHEMA = ("LIVE schema (legacy)", f"{DOCS}/ldp/live-schema")
# Open-source pipelines have no expectations or AUTO CDC: the notes link what they emulate too.
SPARK_GUIDE = (
    "Spark Declarative Pipelines guide",
    "https://spark.apache.org/docs/latest/declarative-pipelines-programming-guide.html",
)

Link = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Role:
    title: str  # markdown heading of the note
    text: str  # one or two sentences
    links: tuple[Link, ...]


def roles(model: PipelineModel) -> dict[str, Role]:
    """Dataset name -> what it is, for every dataset the templates may define."""
    found: dict[str, Role] = {}
    for s in model.sources:
        found[s.bronze] = Role(
            f"Bronze: `{s.bronze}`",
            f"{s.comment} Every row of the landing folder `{s.table}/` as it landed, read once "
            "per file, with source file and ingest time.",
            (STREAMING_TABLES,),
        )
    for c in model.checked:
        table, rules = c.source.table, ", ".join(f"`{r.name}`" for r in c.rules) or "none"
        found[c.source.silver] = Role(
            f"Silver: `{c.source.silver}`",
            f"{c.source.comment} Typed and checked by expectations ({rules}): a `drop` rule "
            "removes the row, `warn` counts it, `fail` stops the update.",
            (EXPECTATIONS,),
        )
        checked = Role(
            f"Checks of `{table}`",
            f"The rows of `{table}` with the drop rules each breaks and whether its key was seen "
            "before: what silver and the quarantine read.",
            (EXPECTATIONS,),
        )
        found[f"_{table}_checked"] = found[f"{table}_checked"] = checked
        found[c.source.quarantine] = Role(
            f"Quarantine: `{c.source.quarantine}`",
            f"The rows of `{table}` that failed a drop expectation, `_failed_rules` naming each "
            "rule they broke, so no row disappears unexplained.",
            (EXPECTATIONS,),
        )
        found[c.source.late] = Role(
            f"Late rows: `{c.source.late}`",
            f"Rows of `{table}` behind the {c.watermark_seconds} s watermark of the "
            "de-duplication: not in silver, kept here instead of being lost.",
            (WATERMARKS, MATERIALIZED_VIEWS),
        )
    for d in model.dimensions:
        how = f"kept current from `{d.feed.table}`" if d.feed else "one row per key"
        found[d.name] = Role(
            f"Dimension: `{d.name}`",
            f"{d.snapshot.comment} The current row of each key, {how}: AUTO CDC applies "
            "changes in `SEQUENCE BY` order (late and out-of-order changes included) and "
            "removes deleted keys.",
            (AUTO_CDC,),
        )
        found[d.history] = Role(
            f"History: `{d.history}`",
            f"Every version of each `{d.name}` row (SCD type 2), valid from its change time "
            "`__START_AT` until the next version's, `__END_AT`.",
            (AUTO_CDC,),
        )
        found[d.changes] = found[f"{d.name}_versions"] = found[f"_{d.name}_versions"] = Role(
            f"Changes of `{d.name}`",
            f"The checked snapshot of `{d.name}` followed by its checked change feed: what "
            "AUTO CDC applies, in sequence order.",
            (AUTO_CDC,),
        )
        found[d.snapshot_view] = found[f"_{d.snapshot_view}"] = Role(
            f"Snapshot of `{d.name}`",
            f"The landed rows of `{d.name}` that pass its rules (a NULL key would fail AUTO "
            "CDC's whole micro-batch).",
            (EXPECTATIONS,),
        )
    for a in model.aggregates:
        found[a.name] = Role(
            f"Gold: `{a.name}`",
            f"{a.comment}. A materialized view over silver facts joined to current dimensions, "
            "brought up to date at each pipeline update.",
            (MATERIALIZED_VIEWS,),
        )
    for v in model.as_of:
        found[v.name] = Role(
            f"Gold as of the event time: `{v.name}`",
            f"{v.comment}: each fact joined to the SCD2 history version valid at its "
            f"`{v.event_time}` (`__START_AT` <= it < `__END_AT`), so a looked-up value is the one "
            "the generator wrote into the fact.",
            (AUTO_CDC, MATERIALIZED_VIEWS),
        )
    found["expectations"] = Role(
        "Expectation metrics",
        "Passed and failed records of every rule of every checked dataset: the numbers a "
        "Databricks pipeline records in its event log.",
        (EVENT_LOG, EXPECTATIONS),
    )
    return found


def features(code: str, language: str) -> tuple[Link, ...]:
    """Links for the pipeline features the code itself uses."""
    found: list[Link] = []
    if "cloudFiles" in code:
        found.append(AUTO_LOADER)
    if "read_files(" in code:
        found.append(READ_FILES)
    if "withWatermark" in code or "WATERMARK " in code:
        found.append(WATERMARKS)
    if "expect" in code or "CONSTRAINT " in code:
        found.append(EXPECTATIONS)
    if "create_auto_cdc_flow" in code or "apply_changes(" in code or "AUTO CDC INTO" in code:
        found.append(CDC_PYTHON if language == "python" else CDC_SQL)
    if "APPLY CHANGES INTO" in code or "LIVE." in code:
        found.append(LIVE_SCHEMA)
    return tuple(found)


def cell_note(
    names: tuple[str, ...],
    code: str,
    language: str,
    known: dict[str, Role],
    extra: tuple[Link, ...] = (),
) -> str:
    """Markdown for the cell defining `names`: heading, a sentence, a line of documentation
    links (always at least one; `extra` are added to every note)."""
    role = next((known[n] for n in names if n in known), None)
    if role is None:
        role = (
            Role("Helper", f"Defines `{'`, `'.join(names)}` for the datasets below.", ())
            if names
            else Role(
                "Setup",
                "Imports, the landing path (pipeline configuration `streamforge.landing`) and "
                "settings shared by the cells below.",
                (PYTHON_DEV if language == "python" else SQL_DEV,),
            )
        )
    return note(role.title, role.text, (*role.links, *features(code, language), *extra))


def note(title: str, text: str, links: tuple[Link, ...], extra: str = "") -> str:
    unique = list(dict.fromkeys(links)) or [PIPELINES]
    docs = " · ".join(f"[{label}]({url})" for label, url in unique)
    parts = [f"### {title}", "", text]
    if extra:
        parts += ["", extra]
    return "\n".join([*parts, "", f"Docs: {docs}"])

"""The generated `databricks.yml` is a valid Databricks Asset Bundle (checked against the bundle
JSON schema of the Databricks CLI, vendored in bundle_schema/) and deploys without collisions: one
schema per sector, dev and prod targets, permissions, and a job that refreshes the pipeline when
files land (or a continuous pipeline)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from tests.pipelines.registry import BUNDLE_TARGETS, TARGET_LANGUAGES

from streamforge import api
from streamforge.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"
BUNDLE_SCHEMA = Path(__file__).parent / "bundle_schema" / "jsonschema.json"
SECTORS = ["Energy", "Retail", "Healthcare", "Finance", "Manufacturing"]
BUNDLE_LANGUAGES = [(t, lang) for t, lang in TARGET_LANGUAGES if t in BUNDLE_TARGETS]


@functools.cache
def validator() -> jsonschema.Draft202012Validator:
    # The schema's patterns use \p{L} (letter) and [\p{L}\p{N}] (letter or digit), Go RE2 syntax
    # that Python's `re` lacks; the same sets in `re` are [^\W\d_] and [^\W_].
    text = BUNDLE_SCHEMA.read_text(encoding="utf-8")
    text = text.replace(r"[\\p{L}\\p{N}]", r"[^\\W_]").replace(r"\\p{L}", r"[^\\W\\d_]")
    assert r"\\p{" not in text, "a Unicode class this translation does not know"
    return jsonschema.Draft202012Validator(json.loads(text))


def schema_errors(document: dict) -> list[str]:
    errors = list(validator().iter_errors(document))
    return [str(jsonschema.exceptions.best_match(errors).message)] if errors else []


def bundle(sector: str = "Energy", **options) -> dict:
    files = api.pipeline(sector, None, schema_dir=SCHEMA, **options).files
    return yaml.safe_load(files["databricks.yml"])


@pytest.mark.parametrize("sector", SECTORS)
@pytest.mark.parametrize(("target", "language"), BUNDLE_LANGUAGES)
@pytest.mark.parametrize("continuous", [False, True])
def test_every_bundle_matches_the_databricks_bundle_schema(
    sector: str, target: str, continuous: bool, language: str
) -> None:
    document = bundle(sector, target=target, continuous=continuous, language=language)
    assert schema_errors(document) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("targets", "dev", "default"), "yes"),  # a boolean
        (("resources", "pipelines", "streamforge_energy", "serverles"), True),  # a typo
        (("permissions",), [{"level": "CAN_OWN", "group_name": "users"}]),
        (("resources", "jobs", "streamforge_energy_refresh", "trigger", "file_arrival"), {}),
    ],
)
def test_the_schema_check_rejects_a_broken_bundle(path: tuple[str, ...], value: object) -> None:
    document = bundle()
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert schema_errors(document), f"{path} = {value!r} passed the bundle schema"


@pytest.mark.parametrize("target", BUNDLE_TARGETS)
def test_every_sector_deploys_to_a_schema_of_its_own(target: str) -> None:
    """Two sectors define `customer`: sharing a schema, the second deploy would fail."""
    schemas = {}
    for sector in SECTORS:
        document = bundle(sector, target=target)
        schemas[sector] = document["variables"]["schema"]["default"]
        assert schemas[sector] == f"streamforge_{sector.lower()}"
        assert set(document["resources"]["pipelines"]) == {f"streamforge_{sector.lower()}"}
    assert len(set(schemas.values())) == len(SECTORS)


def test_unity_catalog_bundle_creates_its_schema_and_runs_the_pipeline_when_files_land() -> None:
    document = bundle(landing="/Volumes/m/s/v/energy/", interval=45)
    resources = document["resources"]
    schema = resources["schemas"]["streamforge_energy_schema"]
    assert schema["catalog_name"] == "${var.catalog}" and schema["name"] == "${var.schema}"
    pipeline = resources["pipelines"]["streamforge_energy"]
    assert pipeline["catalog"] == "${var.catalog}"
    assert pipeline["schema"] == "${resources.schemas.streamforge_energy_schema.name}"
    assert pipeline["serverless"] is True and pipeline["continuous"] is False
    assert pipeline["configuration"]["streamforge.landing"] == "${var.landing}"
    assert document["variables"]["landing"]["default"] == "/Volumes/m/s/v/energy"
    job = resources["jobs"]["streamforge_energy_refresh"]
    arrival = job["trigger"]["file_arrival"]
    assert arrival["url"] == "${var.landing}/"  # the landing folder, watched recursively
    assert arrival["min_time_between_triggers_seconds"] == 60  # the documented minimum
    assert [t["pipeline_task"] for t in job["tasks"]] == [
        {"pipeline_id": "${resources.pipelines.streamforge_energy.id}"}
    ]
    # a slow landing: at most one refresh per cycle
    slow = bundle(interval=300)["resources"]["jobs"]["streamforge_energy_refresh"]
    assert slow["trigger"]["file_arrival"]["min_time_between_triggers_seconds"] == 300


@pytest.mark.parametrize("target", BUNDLE_TARGETS)
def test_continuous_pipeline_needs_no_job(target: str) -> None:
    document = bundle(target=target, continuous=True)
    assert document["resources"]["pipelines"]["streamforge_energy"]["continuous"] is True
    assert "jobs" not in document["resources"]


@pytest.mark.parametrize("target", BUNDLE_TARGETS)
def test_dev_is_the_default_per_user_target_and_prod_deploys_one_copy(target: str) -> None:
    document = bundle(target=target)
    dev, prod = document["targets"]["dev"], document["targets"]["prod"]
    assert dev == {**dev, "mode": "development", "default": True}
    assert prod["mode"] == "production" and "default" not in prod
    # production mode refuses to deploy without an explicit root path
    assert prod["workspace"]["root_path"].endswith("/${bundle.name}/${bundle.target}")
    levels = {
        (p["level"], p.get("user_name") or p.get("group_name")) for p in document["permissions"]
    }
    assert levels == {
        ("CAN_MANAGE", "${workspace.current_user.userName}"),
        ("CAN_VIEW", "${var.viewers}"),
    }


def test_legacy_bundle_runs_without_unity_catalog() -> None:
    files = api.pipeline("Energy", None, schema_dir=SCHEMA, target="dlt-legacy").files
    document = yaml.safe_load(files["databricks.yml"])
    pipeline = document["resources"]["pipelines"]["streamforge_energy"]
    assert pipeline["target"] == "${var.schema}"
    assert not {"catalog", "schema", "serverless"} & set(pipeline)
    assert pipeline["clusters"] and pipeline["edition"] == "ADVANCED"
    assert "catalog" not in document["variables"] and "schemas" not in document["resources"]
    # without a schema resource to prefix, dev names the per-user schema itself
    assert document["targets"]["dev"]["variables"]["schema"] == (
        "dev_${workspace.current_user.short_name}_streamforge_energy"
    )
    assert [lib["file"]["path"] for lib in pipeline["libraries"]] == [
        name for name in files if name.startswith("transformations/")
    ]
    # no Volumes and no file-arrival triggers without Unity Catalog
    assert not document["variables"]["landing"]["default"].startswith("/Volumes/")
    trigger = document["resources"]["jobs"]["streamforge_energy_refresh"]["trigger"]
    assert "file_arrival" not in trigger and trigger["periodic"]["unit"] == "MINUTES"


@pytest.mark.parametrize("target", BUNDLE_TARGETS)
def test_project_readme_shows_deploy_then_run(target: str) -> None:
    readme = api.pipeline("Energy", None, schema_dir=SCHEMA, target=target).files["README.md"]
    deploy = readme.index("databricks bundle deploy")
    assert readme.index("databricks bundle run streamforge_energy") > deploy
    assert "-t prod" in readme and "dev_<your short name>_streamforge_energy" in readme
    # which target to pick: the other bundle target is named for the other kind of workspace
    other = {"databricks": "dlt-legacy", "dlt-legacy": "databricks"}[target]
    assert f"`--target {other}`" in readme and "without Unity Catalog" in readme


def test_cli_continuous_flag(tmp_path: Path) -> None:
    out = tmp_path / "p"
    args = ["pipeline", "Energy", "--schema-dir", str(SCHEMA), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--continuous"])
    assert result.exit_code == 0, result.output
    document = yaml.safe_load((out / "databricks.yml").read_text())
    assert document["resources"]["pipelines"]["streamforge_energy"]["continuous"] is True
    refused = CliRunner().invoke(main, [*args, "--continuous", "--target", "spark"])
    assert refused.exit_code != 0 and "--continuous" in refused.output
    assert "Traceback" not in refused.output

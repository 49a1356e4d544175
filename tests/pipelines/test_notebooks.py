"""The notebook form and the workshop: the notebooks run exactly the plain project's code (cell for
cell), every note links the Databricks documentation, `.ipynb` files are valid nbformat 4, the
bundle lists the notebooks, and a workshop's exercises differ from its solutions only in the cells
marked as exercises, with placeholders that still parse."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from click.testing import CliRunner
from tests.pipelines.test_bundle import schema_errors
from tests.pipelines.test_codegen import DIALECT, check_golden, check_sql

from streamforge import api
from streamforge.cli import main
from streamforge.pipelines.cells import split_cells
from streamforge.pipelines.model import build_model
from streamforge.pipelines.notebook_format import NotebookCell, parse_ipynb, parse_source
from streamforge.pipelines.notebooks import EXERCISE_TAG, SOLUTIONS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema"
GOLDEN = ROOT / "tests" / "golden" / "pipelines"
SECTORS = ["Energy", "Retail", "Healthcare", "Finance", "Manufacturing"]
TARGETS = ["databricks", "dlt-legacy", "spark"]
LINK = re.compile(
    r"\[[^\]]+\]\((https://(?:docs\.databricks\.com/aws/en|spark\.apache\.org)/\S+)\)"
)
LANGUAGE = {".py": "python", ".sql": "sql"}


def project(sector: str = "Energy", **options) -> dict[str, str]:
    return api.pipeline(sector, None, schema_dir=SCHEMA, scd=2, **options).files


def read_notebook(path: str, text: str) -> list[NotebookCell]:
    if path.endswith(".ipynb"):
        nbformat.validate(nbformat.reads(text, as_version=4))  # raises when invalid
        return parse_ipynb(text)
    return parse_source(text, LANGUAGE[Path(path).suffix])


def code_cells(cells: list[NotebookCell]) -> list[str]:
    return [c.text for c in cells if c.kind == "code"]


def language_of(path: str, cells: list[NotebookCell], text: str) -> str:
    if path.endswith(".ipynb"):
        return "python" if '"language": "python"' in text else "sql"
    return LANGUAGE[Path(path).suffix]


def check_code(code: str, language: str, target: str) -> None:
    """What the plain project's code must pass: Python parses, SQL follows the pipeline grammar."""
    if language == "python":
        ast.parse(code)
    else:
        assert check_sql(code, DIALECT[target])["queries"] > 0


def non_blank(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


FORMS = [
    (target, language, form)
    for target in TARGETS
    for language in ("python", "sql")
    for form in ("source", "ipynb")
    if not (target == "spark" and form == "ipynb")  # spark-pipelines reads .py and .sql only
]


@pytest.mark.parametrize("sector", SECTORS)
@pytest.mark.parametrize(("target", "language", "form"), FORMS)
def test_solutions_are_the_plain_project_cell_for_cell(sector, target, language, form) -> None:
    plain = project(sector, target=target, language=language)
    workshop = project(sector, target=target, language=language, notebooks=form, workshop=True)
    sources = {p: t for p, t in plain.items() if p.startswith("transformations/")}
    for path, text in sources.items():
        name = Path(path).with_suffix(".ipynb" if form == "ipynb" else Path(path).suffix).name
        cells = read_notebook(name, workshop[f"{SOLUTIONS}/{name}"])
        solution = code_cells(cells)
        # every line of the plain file, in order, in exactly one cell; nothing added
        assert [line for code in solution for line in non_blank(code)] == non_blank(text)
        assert solution == [c.code for c in split_cells(text, LANGUAGE[Path(path).suffix])]
        check_code("\n\n".join(solution), LANGUAGE[Path(path).suffix], target)


@pytest.mark.parametrize("sector", SECTORS)
@pytest.mark.parametrize(("target", "language", "form"), FORMS)
def test_exercises_differ_only_in_marked_cells_and_still_parse(
    sector, target, language, form
) -> None:
    files = project(sector, target=target, language=language, notebooks=form, workshop=True)
    seen: set[int] = set()
    solutions = [p for p in files if p.startswith(f"{SOLUTIONS}/")]
    assert solutions
    for solution_path in solutions:
        exercise_path = solution_path.replace(f"{SOLUTIONS}/", "transformations/")
        solution = read_notebook(solution_path, files[solution_path])
        exercise = read_notebook(exercise_path, files[exercise_path])
        assert [c.kind for c in solution] == [c.kind for c in exercise]
        lang = language_of(exercise_path, exercise, files[exercise_path])
        for i, (s, e) in enumerate(zip(solution, exercise, strict=True)):
            if e.kind == "markdown":
                continue
            marked = re.match(r"^(#|--) TODO exercise (\d+): ", e.text)
            assert bool(marked) == ("TODO_exercise_" in e.text), e.text[:200]
            if not marked:
                assert e.text == s.text
                continue
            number = int(marked.group(2))
            seen.add(number)
            assert e.text != s.text and f"TODO_exercise_{number}_" in e.text
            assert f"**Exercise {number}: " in exercise[i - 1].text, "the note gives the task"
            assert "Hint: " in exercise[i - 1].text
            if form == "ipynb":
                assert EXERCISE_TAG in e.tags
            # only placeholders replace code: around them, the exercise is the solution
            parts = re.split(r"`TODO_exercise_\d+_\w+`", e.text.split("\n", 1)[1])
            assert len(parts) > 1
            pattern = "(.+?)".join(re.escape(part) for part in parts)
            assert re.fullmatch(pattern, s.text, re.S), e.text[:200]
        check_code("\n\n".join(code_cells(exercise)), lang, target)
        if form == "source":  # the file itself is code: the notes are comments
            check_code(files[exercise_path], lang, target)
    assert seen == {1, 2, 3}, "an expectation, the AUTO CDC flow (or its replay) and a gold view"


@pytest.mark.parametrize("sector", SECTORS)
@pytest.mark.parametrize("target", TARGETS)
def test_every_note_links_the_docs_and_every_cell_has_a_note(sector, target) -> None:
    for language in ("python", "sql"):
        files = project(sector, target=target, language=language, workshop=True)
        notebooks = [p for p in files if p.startswith(("transformations/", "reports/"))]
        for path in notebooks:
            cells = read_notebook(path, files[path])
            assert cells[0].kind == "markdown"
            for before, cell in itertools.pairwise(cells):
                if cell.kind == "code":
                    assert before.kind == "markdown", f"{path}: a code cell without a note"
            for cell in cells:
                if cell.kind == "markdown":
                    assert LINK.search(cell.text), f"{path}: no docs link in {cell.text[:80]}"


def notes_of(files: dict[str, str], dataset_pattern: str) -> str:
    path = next(p for p in files if p.startswith("transformations/") and "bronze" not in p)
    cells = read_notebook(path, files[path])
    found = [
        before.text
        for before, cell in itertools.pairwise(cells)
        if cell.kind == "code" and re.search(dataset_pattern, cell.text, re.S)
    ]
    assert found, dataset_pattern
    return found[0]


@pytest.mark.parametrize("language", ["python", "sql"])
def test_notes_link_the_page_of_what_the_cell_uses(language: str) -> None:
    files = project(language=language, notebooks="source")
    bronze = notes_of(files, r"bronze_meter_readings")
    assert "auto-loader" in bronze or "read_files" in bronze
    assert "ldp/expectations" in notes_of(files, r"silver_meter_readings")
    assert "ldp/cdc" in notes_of(files, r"(AUTO CDC|create_auto_cdc_flow).*`?customer`?")
    assert "ldp/concepts/materialized-views" in notes_of(files, r"gold_meter_readings_hourly")
    if language == "python":
        assert "ldp/stateful-processing" in notes_of(files, r"dropDuplicatesWithinWatermark")
    report = files["reports/data_quality.sql"]
    assert "ldp/monitor-event-logs" in report


@pytest.mark.parametrize("target", ["databricks", "dlt-legacy"])
@pytest.mark.parametrize("language", ["python", "sql"])
@pytest.mark.parametrize("form", ["source", "ipynb"])
def test_the_bundle_lists_the_notebooks(target: str, language: str, form: str) -> None:
    files = project(target=target, language=language, notebooks=form, workshop=True)
    document = yaml.safe_load(files["databricks.yml"])
    assert schema_errors(document) == []
    (pipeline,) = document["resources"]["pipelines"].values()
    paths = [library["notebook"]["path"] for library in pipeline["libraries"]]
    assert paths == sorted(p for p in files if p.startswith("transformations/"))
    suffix = ".ipynb" if form == "ipynb" else {"python": ".py", "sql": ".sql"}[language]
    assert all(p.endswith(suffix) for p in paths)


def test_every_dataset_is_defined_in_exactly_one_cell() -> None:
    model = build_model(api.load_plan("Energy", SCHEMA))
    datasets = [s.bronze for s in model.sources] + [c.source.silver for c in model.checked]
    datasets += [d.name for d in model.dimensions] + [a.name for a in model.aggregates]
    for language, suffix in (("python", "py"), ("sql", "sql")):
        text = project(language=language)[f"transformations/streamforge_energy.{suffix}"]
        cells = split_cells(text, language)  # type: ignore[arg-type]
        for dataset in datasets:
            owners = [c for c in cells if dataset in c.names]
            assert len(owners) == 1, (language, dataset, [c.names for c in owners])


def test_spark_target_refuses_ipynb_with_a_clear_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["pipeline", "Energy", "--out", str(tmp_path), "--target", "spark", "--notebooks", "ipynb"],
    )
    assert result.exit_code != 0
    assert "use --notebooks source" in result.output and "Traceback" not in result.output


def test_energy_workshop_matches_golden_files(update_golden: bool) -> None:
    files = api.pipeline(
        "Energy",
        None,
        schema_dir=SCHEMA,
        landing="/Volumes/main/streamforge/landing/energy",
        scd=2,
        workshop=True,
    ).files
    check_golden(files, GOLDEN / "databricks-python-workshop", update_golden)


@pytest.mark.parametrize("target", TARGETS)
def test_the_readme_says_how_the_notebooks_run(target: str) -> None:
    readme = project(target=target, workshop=True)["README.md"]
    assert "## Notebooks" in readme and "## Workshop" in readme
    runs = "spark-pipelines` runs them" if target == "spark" else "bundle lists them"
    assert runs in readme
    for number in (1, 2, 3):
        assert re.search(rf"^{number}\. .+: .+\.$", readme, re.M), number

"""Product names that fit their row's department, part descriptions that name the row's material,
judged on each landed file.

The rules (issue 13.6): a product name or title in a row with a department or category column is
a name of that department's families (`engine/vocab/product_names.yml`), when the vocabulary lists
the department (under its name or an `also` name); a `part_description` in a row with a `material`
starts with that material's words (CARBON_STEEL: "Carbon steel hex bolt, M8 x 40 mm"). The
vocabulary file is read here with PyYAML and the names are rebuilt from it, not through the
engine's text generator, so a bug there cannot hide itself. Rows whose department the vocabulary
does not know (any family fits) are not judged.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import pyarrow as pa

from streamforge.plural import counted
from streamforge.verify.report import Report, shown

_PRODUCT = r"(product|item|article|listing|sku|merchandise|good)"
_NAMED = re.compile(rf"^{_PRODUCT}s?_(name|title)$")
_DESCRIBED = re.compile(rf"^{_PRODUCT}s?_description$")
# the row's department column, first found wins (as the generator's documentation says)
CATEGORIES = (
    "department",
    "category",
    "product_department",
    "product_category",
    "department_name",
    "category_name",
)


def _label(text: object) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", str(text).upper().replace("&", " ")).strip("_")


@functools.cache
def vocabulary() -> dict[str, frozenset[str]]:
    """Department label (its name and each `also` name) -> every name of its families."""
    import yaml

    text = resources.files("streamforge.engine.vocab").joinpath("product_names.yml")
    raw = yaml.safe_load(text.read_text("utf-8"))
    found: dict[str, frozenset[str]] = {}
    for name, entry in raw.items():
        made = frozenset(
            f"{a} {m} {n} {s}"
            for family in entry["families"].values()
            for a in family["adjectives"]
            for m in family["materials"]
            for n in family["nouns"]
            for s in family["sizes"]
        )
        for label in [name, *entry.get("also", ())]:
            found[_label(label)] = made
    return found


def product_text_columns(table: str, columns: list[str]) -> dict[str, str]:
    """Column -> the text after the name ("" for a name, "." for a one-sentence description)."""
    product_table = re.fullmatch(_PRODUCT, table.rstrip("s")) is not None
    found = {}
    for name in columns:
        if _NAMED.match(name) or (product_table and name in ("name", "title")):
            found[name] = ""
        elif _DESCRIBED.match(name) or (product_table and name == "description"):
            found[name] = "."
    return found


def judge_vocabulary(report: Report, table: str, cycle: int, data: pa.Table) -> None:
    """Rows whose product name is not one of its department's names, or whose part description
    names another material (one finding per column)."""
    _judge_parts(report, table, cycle, data)
    category = next((c for c in CATEGORIES if c in data.column_names), None)
    texts = product_text_columns(table, data.column_names)
    if category is None or not texts:
        return
    departments = data.column(category).to_pylist()
    for column, end in texts.items():
        wrong, example = 0, None
        for department, text in zip(departments, data.column(column).to_pylist(), strict=True):
            names = vocabulary().get(_label(department)) if department is not None else None
            if names is None or text is None or not isinstance(text, str):
                continue
            if text.removesuffix(end) not in names:
                wrong += 1
                example = example or f"{shown(text)} in {department}"
        if wrong:
            report.add(
                table,
                cycle,
                f"{counted(wrong, f'{column} value')} not among the names of their {category}'s "
                f"vocabulary (engine/vocab/product_names.yml), e.g. {example}",
                column=column,
                kind="vocabulary",
                count=wrong,
                example=example,
            )


def _judge_parts(report: Report, table: str, cycle: int, data: pa.Table) -> None:
    columns = [c for c in data.column_names if re.search(r"(^|_)part_description$", c)]
    if "material" not in data.column_names or not columns:
        return
    materials = data.column("material").to_pylist()
    for column in columns:
        wrong, example = 0, None
        for material, text in zip(materials, data.column(column).to_pylist(), strict=True):
            if material is None or not isinstance(text, str):
                continue
            if not _label(text).startswith(_label(material) + "_"):
                wrong += 1
                example = example or f"{shown(text)} of {material}"
        if wrong:
            report.add(
                table,
                cycle,
                f"{counted(wrong, f'{column} value')} not starting with the row's material, e.g. "
                f"{example}",
                column=column,
                kind="vocabulary",
                count=wrong,
                example=example,
            )

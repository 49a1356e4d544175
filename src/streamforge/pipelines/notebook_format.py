"""Write notebook cells as a Databricks source-format notebook or as `.ipynb` (nbformat 4.5).

Source format: the file is still a plain `.py` / `.sql` file (markdown cells are `MAGIC` comment
lines, cells are separated by `COMMAND` comments), so `spark-pipelines` and the Databricks pipeline
editor read it as code and the workspace shows it as a notebook. `.ipynb`: the same cells as JSON,
with the Databricks notebook metadata that gives the notebook's language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

Form = Literal["source", "ipynb"]
FORMS: tuple[Form, ...] = ("source", "ipynb")
_COMMENT = {"python": "#", "sql": "--"}


@dataclass(frozen=True, slots=True)
class NotebookCell:
    kind: Literal["markdown", "code"]
    text: str
    tags: tuple[str, ...] = ()  # ipynb cell tags, e.g. ("exercise",)
    names: tuple[str, ...] = ()  # code: the datasets the cell defines (not written)


def notebook_text(cells: list[NotebookCell], language: str, form: Form, name: str) -> str:
    """The notebook file's text; `name` is the notebook's name in the workspace."""
    if form == "source":
        return _source(cells, language)
    return _ipynb(cells, language, name)


def extension(language: str, form: Form) -> str:
    if form == "ipynb":
        return ".ipynb"
    return ".py" if language == "python" else ".sql"


def _source(cells: list[NotebookCell], language: str) -> str:
    mark = _COMMENT[language]
    parts = []
    for cell in cells:
        if cell.kind == "markdown":
            lines = ["%md", *cell.text.splitlines()]
            parts.append("\n".join(f"{mark} MAGIC {line}".rstrip() for line in lines))
        else:
            parts.append(cell.text.strip("\n"))
    separator = f"\n\n{mark} COMMAND ----------\n\n"
    return f"{mark} Databricks notebook source\n" + separator.join(parts) + "\n"


def _ipynb(cells: list[NotebookCell], language: str, name: str) -> str:
    document = {
        "cells": [_ipynb_cell(cell, i) for i, cell in enumerate(cells)],
        "metadata": {
            "application/vnd.databricks.v1+notebook": {
                "language": language,
                "notebookName": name,
            },
            "language_info": {"name": language},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _ipynb_cell(cell: NotebookCell, index: int) -> dict[str, object]:
    lines = cell.text.strip("\n").splitlines(keepends=True)
    result: dict[str, object] = {
        "cell_type": cell.kind,
        "id": f"cell-{index:03d}",  # nbformat 4.5 wants an id; stable, so regeneration diffs
        "metadata": {"tags": list(cell.tags)} if cell.tags else {},
        "source": lines,
    }
    if cell.kind == "code":
        result |= {"execution_count": None, "outputs": []}
    return result


def parse_source(text: str, language: str) -> list[NotebookCell]:
    """The cells of a source-format notebook (what `notebook_text(form="source")` wrote)."""
    mark = _COMMENT[language]
    header = f"{mark} Databricks notebook source\n"
    if not text.startswith(header):
        raise ValueError(f"not a Databricks source notebook: no '{header.strip()}' line")
    cells = []
    for part in text[len(header) :].split(f"\n{mark} COMMAND ----------\n"):
        lines = part.strip("\n").splitlines()
        if lines and lines[0] == f"{mark} MAGIC %md":
            body = [line[len(f"{mark} MAGIC ") :] for line in lines[1:]]
            cells.append(NotebookCell("markdown", "\n".join(body)))
        else:
            cells.append(NotebookCell("code", "\n".join(lines)))
    return cells


def parse_ipynb(text: str) -> list[NotebookCell]:
    """The cells of an `.ipynb` notebook."""
    document = json.loads(text)
    return [
        NotebookCell(c["cell_type"], "".join(c["source"]), tuple(c["metadata"].get("tags", ())))
        for c in document["cells"]
    ]

"""Workshop exercises: chosen steps of a generated pipeline left for the participant to write.

Three exercises, each chosen from the pipeline model: (1) the condition of a drop expectation,
(2) the key and sequence of the AUTO CDC flow that keeps a dimension current (or of the window that
replays it, on open-source Spark), (3) the measures of a gold view. The fragments are found in the
rendered code and replaced by a placeholder that still parses but fails clearly at run time: a
back-quoted SQL identifier that Spark reports as a column it cannot
resolve (`TODO_exercise_N_...`). Only the cells that hold a fragment change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from streamforge.errors import StreamForgeError
from streamforge.pipelines.literals import quote
from streamforge.pipelines.model import PipelineModel

_UNSAFE = re.compile(r"['\"\\\\]")  # a fragment must read the same inside a Python literal


@dataclass(frozen=True, slots=True)
class Slot:
    """Code to find, `before + core + after`; the core is what the placeholder replaces. A
    Python slot's core is a Python literal (a column name); a SQL slot's core is SQL text, found
    in SQL files and inside the SQL strings of Python files."""

    label: str  # what the participant writes there, named in the placeholder
    python: tuple[str, str, str] | None = None
    sql: tuple[str, str, str] | None = None


@dataclass(frozen=True, slots=True)
class Exercise:
    number: int
    title: str
    task: str  # what to write
    hint: str
    cells: frozenset[str]  # datasets whose cells may hold the slots
    slots: tuple[Slot, ...] = field(default=())

    def placeholder(self, label: str) -> str:
        """One identifier, no spaces: it must fit every grammar slot (`SEQUENCE BY x`)."""
        words = re.sub(r"\W+", "_", label).strip("_")
        return f"`TODO_exercise_{self.number}_{words}`"

    def comment(self) -> str:
        return f"TODO exercise {self.number}: {self.task} (hint in the note above)"


def exercises(model: PipelineModel) -> list[Exercise]:
    """The exercises this model offers, numbered from 1 (a sector without a change feed or
    without facts has fewer)."""
    found = [e for e in (_expectation(model), _cdc(model), _gold(model)) if e is not None]
    return [
        Exercise(i, e.title, e.task, e.hint, e.cells, e.slots) for i, e in enumerate(found, start=1)
    ]


def apply(exercise: Exercise, code: str, language: str) -> str:
    """`code` (one cell) with the exercise's slots replaced; unchanged when it holds none."""
    for slot in exercise.slots:
        placeholder = exercise.placeholder(slot.label)
        if language == "python" and slot.python and "".join(slot.python) in code:
            before, _, after = slot.python
            code = code.replace("".join(slot.python), before + repr(placeholder) + after)
        elif slot.sql and "".join(slot.sql) in code:
            before, _, after = slot.sql
            code = code.replace("".join(slot.sql), before + placeholder + after)
    return code


def _expectation(model: PipelineModel) -> Exercise | None:
    # a fact's rule first: the plainest case (no change feed, no DELETE exemption)
    for c in sorted(model.checked, key=lambda c: c.source.kind != "fact"):
        for rule in c.drop_rules:
            if rule.column == c.source.key or _UNSAFE.search(rule.condition):
                continue
            table = c.source.table
            return Exercise(
                0,
                f"an expectation on `{table}`",
                f"write the condition of the drop rule {rule.name}",
                f"A SQL boolean over `{rule.column}` that is true for a good row, from the "
                f"bounds or allowed values the YAML of `{table}` gives this column (the solution "
                f"uses {_operator(rule.condition)}). A row for which it is false or NULL is "
                "dropped and lands in the quarantine.",
                frozenset(
                    {c.source.silver, c.source.quarantine, c.source.late}
                    | {f"_{table}_checked", f"{table}_checked"}
                ),
                (Slot(rule.name, sql=("", rule.condition, "")),),
            )
    return None


def _operator(condition: str) -> str:
    for word in ("BETWEEN", "IN", "IS NOT NULL", ">=", "<="):
        if f" {word} " in f"{condition} ":
            return f"`{word}`"
    return "a comparison"


def _cdc(model: PipelineModel) -> Exercise | None:
    d = next((d for d in model.dimensions if d.feed is not None and d.sequence), None)
    if d is None or d.feed is None or d.sequence is None:
        return None
    key, seq = d.key, d.sequence
    keyed, ordered = f"the key of {d.name}", f"the column that orders {d.feed.table}"
    q_key, q_seq = quote(key), quote(seq)
    return Exercise(
        0,
        f"keep `{d.name}` current from `{d.feed.table}`",
        f"fill in the key and the sequence of the changes of {d.name}",
        f"The key is the column that identifies one `{d.name}`; the sequence is the column of "
        f"`{d.feed.table}` that increases strictly along the feed, so that late and "
        "out-of-order changes are applied in the right order.",
        frozenset({d.name, d.history}),
        (
            # AUTO CDC (Python, SQL)
            Slot(keyed, ("keys=[", repr(key), "]"), ("KEYS (", q_key, ")")),
            Slot(ordered, ("sequence_by=F.col(", repr(seq), ")"), ("SEQUENCE BY ", q_seq, "\n")),
            # open-source Spark: the window that replays the feed (Python, SQL)
            Slot(keyed, ("Window.partitionBy(", repr(key), ")"), ("PARTITION BY ", q_key, " ")),
            Slot(ordered, ("F.col(", repr(seq), ").desc()"), ("ORDER BY ", q_seq, " DESC")),
            Slot(ordered, (".orderBy(", repr(seq), ")"), ("ORDER BY ", q_seq, ")")),
            Slot(ordered, ("F.lead(", repr(seq), ")"), ("lead(", q_seq, ")")),
        ),
    )


def _gold(model: PipelineModel) -> Exercise | None:
    aggregate = next((a for a in model.aggregates if a.joins), None) or next(
        iter(model.aggregates), None
    )
    if aggregate is None:
        return None
    measures = [m for m in aggregate.measures if m[0] != "COUNT(*)"] or list(aggregate.measures)
    return Exercise(
        0,
        f"the gold view `{aggregate.name}`",
        f"write the measures of {aggregate.name}",
        "Each measure aggregates the fact rows `f` of one group: `total_<column>` is the sum of "
        "the column, `avg_<column>` its average, `events` the number of rows.",
        frozenset({aggregate.name}),
        tuple(Slot(name, sql=("", expr, "")) for expr, name in measures),
    )


def check_applied(exercise: Exercise, changed: int) -> None:
    """A template change that moves a fragment must not silently drop an exercise."""
    if not changed:
        raise StreamForgeError(
            f"workshop exercise {exercise.number} ({exercise.title}) found no code to replace"
        )

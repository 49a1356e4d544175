"""Answers about each expression kept per installation (check_cache.keep_expressions, expr/kept.py,
expr/answers.py): a cold `validate` after a table file is edited loads no sqlglot for the
expressions it has answered before, yet reports exactly what a run with an empty cache reports,
whatever the edit changed around those expressions (types, ranges, declared types), and never
uses answers of another code or package set."""

from __future__ import annotations

import operator
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streamforge import check_cache
from streamforge.expr import kept
from streamforge.expr.answers import static_type_of
from streamforge.expr.parse import parse_expression
from streamforge.expr.static_types import static_type
from streamforge.expr.unmeetable import never_holds
from streamforge.spec.model import ColumnSpec, TableSpec

SCHEMA = Path(__file__).resolve().parents[1] / "schema"


def validate(folder: Path, cache: Path) -> tuple[int, str]:
    """Exit code and stdout + stderr of a fresh `streamforge validate FOLDER` process."""
    done = subprocess.run(
        [sys.executable, "-m", "streamforge", "validate", str(folder)],
        env={**os.environ, "STREAMFORGE_CACHE_DIR": str(cache)},
        cwd=folder.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))


def test_edits_around_kept_expressions_report_what_an_empty_cache_reports(tmp_path: Path) -> None:
    """Each edit keeps the expression texts (their answers are kept from the run before) and
    changes what the verdict depends on: the checked column's range, the computed column's
    declared type, the type of a column the expression reads."""
    sector = tmp_path / "Retail"
    shutil.copytree(SCHEMA / "Retail", sector)
    lines = sector / "order_lines.yml"
    cache = tmp_path / "cache"
    rule = '  line_amount_adds_up: "line_amount_usd = round(quantity_units * unit_price_usd, 2)"\n'
    edit(lines, rule, rule + '  few_units: "quantity_units < 30"\n')
    assert validate(sector, cache)[0] == 0  # 1..24 units: the check can hold; answers kept

    def compare(step: str) -> str:
        code, out = validate(sector, cache)
        assert (code, out) == validate(sector, tmp_path / f"empty-{step}"), step
        assert code == 2, out
        return out

    ranges = "    mean: 2\n    min: 1\n    max: 24\n"
    edit(lines, ranges, "    mean: 50\n    min: 40\n    max: 60\n")
    out = compare("range")
    assert "check 'few_units' can never hold: 'quantity_units' lies in 40..60" in out

    edit(lines, "  line_amount_usd:\n    type: decimal(12,2)", "  line_amount_usd:\n    type: bool")
    out = compare("declared")
    assert "column 'line_amount_usd': 'round(quantity_units * unit_price_usd, 2)' gives" in out
    assert "which is not a bool" in out

    edit(lines, "    type: bool", "    type: decimal(12,2)")
    edit(lines, "  quantity_units:\n    type: int", "  quantity_units:\n    type: bool")
    edit(lines, "    distribution: exponential\n    mean: 50\n    min: 40\n    max: 60\n", "")
    out = compare("read type")  # a bool times a price: the kept types were over an int
    assert "column 'line_amount_usd':" in out and "check 'line_amount_adds_up':" in out


def test_the_shared_file_is_keyed_by_code_and_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another StreamForge, Python or set of packages (sqlglot upgraded) never reads them."""
    fresh = check_cache.environment_key.cache_clear  # once per process: a new one is fresh
    fresh()
    key = check_cache.environment_key()
    assert check_cache.environment_key() == key
    for part in ("_code", "_packages"):
        with monkeypatch.context() as patch:
            patch.setattr(check_cache, part, lambda: "changed")
            fresh()
            assert check_cache.environment_key() != key
    monkeypatch.setattr(check_cache.streamforge, "__version__", "0.0.0-other")
    fresh()
    assert check_cache.environment_key() != key
    monkeypatch.undo()
    fresh()
    assert check_cache.environment_key() == key

    slot = tmp_path / "kept.pickle"
    entry = (("static_type", ("x + 1", (("x", "INTEGER"),))), "VARCHAR")  # a wrong answer
    slot.write_bytes(pickle.dumps(("another key", dict([entry]))))
    assert check_cache._read_expressions(slot, key) == frozenset()
    assert kept.entries().get(entry[0]) != "VARCHAR"


TYPES = ("INTEGER", "BIGINT", "DOUBLE", "DECIMAL(10, 2)", "DECIMAL(18, 4)", "VARCHAR", "BOOLEAN")
operands = st.sampled_from(["a", "b", "c", "1", "2.5", "'x'"])
operators = st.sampled_from(["+", "-", "*", "/", "=", "<", "AND", "OR"])


@st.composite
def expressions(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(operands)
    left, right = draw(expressions(depth - 1)), draw(expressions(depth - 1))
    return f"({left} {draw(operators)} {right})"


@given(
    text=expressions(),
    rows=st.lists(st.fixed_dictionaries({n: st.sampled_from(TYPES) for n in "abcd"}), max_size=4),
)
def test_a_kept_type_is_the_type_of_those_types(text: str, rows: list[dict[str, str]]) -> None:
    """The kept type of an expression is keyed by the types of the names it reads: asked over
    any row (answers of earlier rows and examples already kept), it is static_type's answer
    over that row."""
    for types in rows:
        assert static_type_of(text, types) == static_type(parse_expression(text).tree, types)


NUMBER_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
NUMBER_OPS |= {"=": operator.eq, "<>": operator.ne}
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "<>": "<>"}
WORDS = ("open", "closed", "gone")


@st.composite
def comparisons(draw: st.DrawFn) -> tuple[str, bool]:
    """(a comparison of a drawn column with a constant, whether some value of it meets it) for
    the table of `table()`: `n` in 2..10, `s` from WORDS[:2]."""
    op = draw(st.sampled_from(sorted(NUMBER_OPS)))
    if draw(st.booleans()):
        c = draw(st.integers(0, 13))  # `-1` is a negation in SQL, not a constant: left alone
        # n takes every real in 2..10 as far as the rule knows: its ends and c (when inside)
        can = any(NUMBER_OPS[op](v, c) for v in (2, 10, min(max(c, 2), 10)))
        return (f"n {op} {c}" if draw(st.booleans()) else f"{c} {FLIPPED[op]} n"), can
    op = draw(st.sampled_from(["=", "<>"]))
    word = draw(st.sampled_from(WORDS))
    return f"s {op} '{word}'", any(NUMBER_OPS[op](v, word) for v in WORDS[:2])


def table() -> TableSpec:
    n = ColumnSpec("n", "int", min=2, max=10)
    s = ColumnSpec("s", "string", values=WORDS[:2])
    return TableSpec("t", "fact", 10, (n, s))


@given(parts=st.lists(comparisons(), min_size=1, max_size=3), parens=st.booleans())
def test_a_rule_never_holds_when_one_part_of_its_conjunction_cannot(
    parts: list[tuple[str, bool]], parens: bool
) -> None:
    """A conjunction cannot hold when one of its comparisons cannot, and the reason names the
    first such; the comparisons kept for a rule (expr/kept.py) are read against the table of
    the moment."""
    texts = [f"({t})" if parens else t for t, _ in parts]
    rule = " AND ".join(texts)
    why = never_holds(rule, table())
    assert (why is None) == all(can for _, can in parts), (rule, why)
    if why is not None:
        first = next(t for t, can in parts if not can)
        column = "s" if first.startswith("s ") else "n"
        assert why.startswith(f"'{column}' "), (rule, why)
    # the same rule over a table whose columns take anything: it can hold
    loose = TableSpec("t", "fact", 10, (ColumnSpec("n", "int"), ColumnSpec("s", "string")))
    assert never_holds(rule, loose) is None

"""Hostile table files for the loader fuzz: valid tables mutated into wrong types, odd unicode,
control and NUL characters, duplicate and complex keys, deep nesting, alias bombs, huge numbers,
impossible dates. `mutate(rng, text)` is a pure function of its random source, so hypothesis
(through `st.randoms()`) can replay and shrink a failing case."""

from __future__ import annotations

import random

DIMENSION = """\
table: member
type: dimension
num_rows: 50
description: Members
primary_key: member_id
columns:
  member_id: int
  name: {type: string, faker: name}
  tier:
    type: string
    values: [BRONZE, SILVER, GOLD]
    weights: [0.5, 0.3, 0.2]
  code: {type: string, format: "M-####-??"}
  joined: {type: date, min: "2020-01-01", max: "2024-12-31"}
  points: {type: int, distribution: exponential, mean: 400, min: 0, max: 90000}
  score: {type: decimal(12,2), min: 0.01, max: 25000, anomaly_rate: 0.01, expect: drop}
  tags: {type: array, items: {type: string, values: [A, B]}, min_items: 0, max_items: 3}
  prefs: {type: map, keys: string, values: int}
  opted_in: {type: bool, values: [true, false]}
"""
FACT = """\
table: visits
type: fact
num_rows: 100
late_rate: 0.01
duplicate_rate: 0.01
columns:
  visit_id: long
  member_id: int
  visited_at: {type: datetime, min: "2024-01-01T00:00:00Z", max: "2024-02-01T00:00:00Z"}
  amount: {type: float, distribution: normal, mean: 50, stddev: 10, decimals: 2}
  store: {type: string, references: member.code, null_rate: 0.1}
"""
FEED = """\
table: member_changes
type: change_feed
num_rows: 20
tracks: member
operations: {INSERT: 0.2, UPDATE: 0.7, DELETE: 0.1}
columns:
  change_id: int
  member_id: int
  change_type: {type: string, format: "INSERT|UPDATE|DELETE"}
  change_timestamp: datetime
  sequence_num: {type: long, sequence: true}
  tier: {type: string, values: [BRONZE, SILVER, GOLD]}
"""
TABLES = {"member": DIMENSION, "visits": FACT, "member_changes": FEED}

HOSTILE_SCALARS = (
    "NO",
    "yes",
    "off",
    "010",
    "0o17",
    "0x1F",
    "06:30",
    "14:30",
    "1_000",
    "1e3",
    "1e999",
    "-1",
    "0",
    ".nan",
    "-.inf",
    "null",
    "~",
    "",
    "true",
    "2020-02-30",
    "2020-13-01T25:61:00Z",
    "9" * 5_000,
    "-" + "9" * 40,
    "99999999999999999999999",
    "0.000000000000000000001",
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "{a: 1, b: [2]}",
    "{type: int}",
    "[int, string]",
    "string",
    "int",
    "long",
    "bool",
    "map",
    "array",
    "decimal(38,38)",
    "decimal(99,1)",
    "decimal(0,0)",
    "decimal",
    "datetime",
    "strng",
    "member.member_id",
    "nobody.x",
    "visits.visit_id",
    "member_changes.member_id",
    "INSERT|UPDATE",
    "|",
    "#",
    "?" * 30,
    "&a x",
    "*a",
    "*undefined",
    "!!binary aGk=",
    "!!python/object:os.system",
    "!!set {a}",
    "!!int x",
    "!!float nope",
    "!!timestamp 2020-02-30",
    "'unterminated",
    '"\\x00"',
    '"\\ud800"',
    "é",
    "\u202e",
    "\U0001f389",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\ufeff",
    ":100:",
    "[bold]x[/bold]",
    "a: b: c",
    "- x",
    "? [a]",
    "\t1",
    "x" * 300,
)
NOISE = "\x00\x01\t\r\n :-[]{}&*!|>'\"#%@`é\u2028\U0001f600"  # YAML syntax, controls, unicode
MUTATIONS = (
    "scalar",
    "scalar",
    "scalar",
    "duplicate_line",
    "delete_line",
    "insert_text",
    "complex_key",
    "indent",
    "alias_bomb",
    "deep",
    "recursive_alias",
    "swap_lines",
)


def bomb(levels: int = 9) -> str:
    """The billion-laughs document: 9 levels of 9 aliases each, under 1 KB."""
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def mutate(rng: random.Random, text: str) -> str:
    """One to three mutations of a table file's text."""
    for _ in range(rng.randint(1, 3)):
        text = _one(rng, rng.choice(MUTATIONS), text)
    return text


def _one(rng: random.Random, kind: str, text: str) -> str:
    lines = text.splitlines()
    at = rng.randrange(len(lines)) if lines else 0
    if kind == "scalar" and lines:
        head, sep, _ = lines[at].partition(": ")
        lines[at] = f"{head}{sep or ': '}{rng.choice(HOSTILE_SCALARS)}"
    elif kind == "duplicate_line" and lines:
        lines.insert(at, lines[at])
    elif kind == "delete_line" and lines:
        del lines[at]
    elif kind == "swap_lines" and len(lines) > 1:
        other = rng.randrange(len(lines))
        lines[at], lines[other] = lines[other], lines[at]
    elif kind == "insert_text":
        where = rng.randrange(len(text) + 1)
        noise = "".join(
            rng.choice("\x00\x01\t\r\n :-[]{}&*!|>'\"#%@`é\u2028\U0001f600")
            for _ in range(rng.randint(1, 6))
        )
        return text[:where] + noise + text[where:]
    elif kind == "complex_key" and lines:
        lines.insert(at, rng.choice(("? [a, b]\n: 1", "{x: 1}: 2", "[1]: 2", "? {a: 1}")))
    elif kind == "indent" and lines:
        lines[at] = " " * rng.choice((1, 3, 5)) + lines[at]
    elif kind == "alias_bomb":
        return text + bomb()
    elif kind == "deep":
        depth = rng.choice((70, 500, 5_000))
        lines.insert(at, "deep: " + "[" * depth + "]" * depth)
    elif kind == "recursive_alias":
        lines.append(rng.choice(("loop: &r [*r]", "loop: &r {a: *r}", "columns: &c {x: *c}")))
    return "\n".join(lines) + "\n"


# Structured schemas: valid YAML whose keys and values are plausible, often invalid together.
TYPES = ("int", "long", "float", "double", "decimal(10,2)", "string", "datetime", "date", "bool")
OPTIONS = {
    "min": (0, 1, -5, 10**18, -(2**63), 0.01, "2020-01-01", 2**31 - 1, 9.99),
    "max": (10, 1000, 10**19, 2**63 - 1, 1e300, "2030-01-01", 99.999, 2**31),
    "values": (["A", "B"], [1, 2, 3], [0.5, 1.5], [True, False], ["2020-01-01"], [10**30]),
    "weights": ([1, 1], [1, 2, 3], [0.5, 0.5], [0, 0]),
    "decimals": (0, 2, 10),
    "distribution": ("uniform", "normal", "lognormal", "exponential", "zipf"),
    "mean": (0, 50, -1, 1e300),
    "stddev": (1, 1e-300, 1e300),
    "skew": (1.1, 2, 50),
    "null_rate": (0, 0.5, 1),
    "anomaly_rate": (0, 0.5, 1),
    "unique": (True, False),
    "format": ("A|B", "##-??", "X", "#" * 30, "|"),
    "references": ("t.t_id", "t.c0", "f.t_id", "t_changes.t_id", "t.nope"),
    "faker": ("name", "ean13", "nope"),
    "sequence": (True,),
    "expect": ("warn", "drop", "fail"),
    "min_items": (0, 1, 5),
    "max_items": (0, 3, 1000),
}
CATEGORY = {"type": "string", "values": ["A"]}
NESTED = {
    "array": {"items": ("int", CATEGORY, {"type": "array", "items": "int"})},
    "map": {"keys": ("string", "int", "bool"), "values": ("int", CATEGORY)},
}


def column(rng: random.Random) -> object:
    kind = rng.choice((*TYPES, "array", "map"))
    if kind not in NESTED and rng.random() < 0.3:
        return kind
    spec: dict[str, object] = {"type": kind}
    for key, choices in NESTED.get(kind, {}).items():
        spec[key] = rng.choice(choices)
    for key in rng.sample(sorted(OPTIONS), rng.randrange(3)):
        spec[key] = rng.choice(OPTIONS[key])
    return spec


def random_sector(rng: random.Random) -> dict[str, dict]:
    """A dimension `t`, a fact `f` and a change feed `t_changes`, as YAML-ready mappings; the
    feed often repeats the dimension's columns (its after-image), as a real one does."""
    tables: dict[str, dict] = {}
    for name, kind in (("t", "dimension"), ("f", "fact"), ("t_changes", "change_feed")):
        columns: dict[str, object] = {f"{name}_id": "int"}
        if kind != "dimension":
            columns["t_id"] = "int"
        columns.update({f"c{i}": column(rng) for i in range(rng.randrange(1, 3))})
        tables[name] = {
            "table": name,
            "type": kind,
            "num_rows": rng.choice((1, 5, 50)),
            "columns": columns,
        }
    if rng.random() < 0.7:
        feed = tables["t_changes"]["columns"]
        feed.update({k: v for k, v in tables["t"]["columns"].items() if k in feed and k != "t_id"})
    return tables

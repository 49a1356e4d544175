"""The keys of one map are distinct (Spark rejects duplicates), so a map column can hold at most as
many keys as its key spec has distinct values. For every kind of finite key space, counted here from
its definition (the YAML list as the key type reads it, Faker's own lists, the word pool's source),
validate refuses `min_items` above that count at the column's line, and at exactly that count
every generated map has that many distinct keys: validate and engine agree."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from faker.providers.color.en_US import Provider as Colors
from faker.providers.lorem.en_US import Provider as Lorem

from streamforge import api

from .conftest import SECTOR, write_sector

# key spec -> how many distinct keys it allows, from the rule
KEY_SPACES = {
    "faker_boolean": ({"type": "string", "faker": "boolean"}, 2),  # True, False
    "faker_color_name": ({"type": "string", "faker": "color_name"}, len(set(Colors.all_colors))),
    "plain_words": ({"type": "string"}, len({w.title() for w in Lorem.word_list})),
    "repeated_values": ({"type": "string", "values": ["a", "a", "b"]}, 2),
    "int_values_1_and_1.0": ({"type": "int", "values": [1, 1.0, 2]}, 2),
    "bool": ("bool", 2),
    "int_range": ({"type": "int", "min": 1, "max": 4}, 4),
    "letter_format": ({"type": "string", "format": "?"}, 26),
}


def sector(tmp_path: Path, keys: object, min_items: int) -> Path:
    column = {"type": "map", "keys": keys, "values": "int", "min_items": min_items}
    column["max_items"] = min_items
    table = {"type": "dimension", "num_rows": 5, "columns": {"item_id": "int", "tags": column}}
    return write_sector(tmp_path, {"item": table})


@pytest.mark.parametrize("space", sorted(KEY_SPACES))
def test_min_items_above_the_distinct_keys_is_refused(tmp_path: Path, space: str) -> None:
    keys, count = KEY_SPACES[space]
    schema = sector(tmp_path, keys, count + 1)
    (check,) = api.validate(schema, SECTOR)
    (issue,) = check.errors
    lines = (schema / SECTOR / "item.yml").read_text(encoding="utf-8").splitlines()
    assert lines[issue.line - 1].strip() == f"min_items: {count + 1}"  # the offending key
    assert f"only {count} possible distinct keys" in issue.message
    assert f"lower min_items to {count}" in (issue.hint or "")


@pytest.mark.parametrize("space", sorted(KEY_SPACES))
def test_at_the_distinct_keys_every_map_has_them_all(tmp_path: Path, space: str) -> None:
    keys, count = KEY_SPACES[space]
    schema = sector(tmp_path, keys, count)
    (check,) = api.validate(schema, SECTOR)
    assert not check.errors, check.errors
    api.generate(SECTOR, tmp_path / "out", schema_dir=schema, fmt="parquet")
    (file,) = (tmp_path / "out" / "item").glob("*.parquet")
    for row in pq.read_table(file).column("tags").to_pylist():
        assert len(row) == len({k for k, _ in row}) == count


@pytest.mark.parametrize("where", ["items", "values"])
def test_a_nested_map_is_counted_too(tmp_path: Path, where: str) -> None:
    """A map inside an array (or as a map's values) draws its keys from the same pools: `min_items`
    above Faker's two booleans is refused at the nested map's own `min_items` line."""
    inner = {"type": "map", "keys": {"type": "string", "faker": "boolean"}, "values": "int"}
    inner |= {"min_items": 3, "max_items": 3}
    column = (
        {"type": "array", "items": inner, "max_items": 2}
        if where == "items"
        else {"type": "map", "keys": "int", "values": inner, "max_items": 2}
    )
    table = {"type": "dimension", "num_rows": 5, "columns": {"item_id": "int", "tags": column}}
    schema = write_sector(tmp_path, {"item": table})
    (check,) = api.validate(schema, SECTOR)
    (issue,) = check.errors
    lines = (schema / SECTOR / "item.yml").read_text(encoding="utf-8").splitlines()
    assert lines[issue.line - 1].strip() == "min_items: 3"
    assert "only 2 possible distinct keys" in issue.message


def _german_spaces() -> dict[str, tuple[object, int]]:
    from faker.providers.color.de_DE import Provider as Farben
    from faker.providers.lorem.de_DE import Provider as Worte

    return {
        "plain_words": ({"type": "string"}, len({w.title() for w in Worte.word_list})),
        "faker_color_name": (
            {"type": "string", "faker": "color_name"},
            len(set(Farben.all_colors)),
        ),
    }


@pytest.mark.parametrize("space", ["plain_words", "faker_color_name"])
def test_a_de_DE_tables_keys_are_counted_in_its_locale(tmp_path: Path, space: str) -> None:
    """de_DE draws keys from its own lorem words and colours: validate counts those."""
    keys, count = _german_spaces()[space]
    for min_items, refused in ((count + 1, True), (count, False)):
        schema = sector(tmp_path / str(min_items), keys, min_items)
        path = schema / SECTOR / "item.yml"
        path.write_text("locale: de_DE\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
        (check,) = api.validate(schema, SECTOR)
        assert bool(check.errors) == refused, check.errors
        if refused:
            assert f"only {count} possible distinct keys" in check.errors[0].message
    api.generate(SECTOR, tmp_path / "out", schema_dir=schema, fmt="parquet")
    (file,) = (tmp_path / "out" / "item").glob("*.parquet")
    for row in pq.read_table(file).column("tags").to_pylist():
        assert len(row) == len({k for k, _ in row}) == count

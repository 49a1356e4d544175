"""Product names by department, read from `product_names.yml` (the readable list beside it).

A name is `<adjective> <material> <noun> <size>`, all four from one family of a department, so a
name fits both its own words and the row's department.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources

from streamforge.cache_dir import cache_dir, write_atomically

PARTS = ("adjectives", "materials", "nouns", "sizes")


@dataclass(frozen=True, slots=True)
class Family:
    """Words that fit each other: every adjective, material and size fits every noun."""

    adjectives: tuple[str, ...]
    materials: tuple[str, ...]
    nouns: tuple[str, ...]
    sizes: tuple[str, ...]

    def names(self) -> list[str]:
        """Every name of the family, e.g. "Insulated Glass Tumbler 500 ml"."""
        return [
            f"{adjective} {material} {noun} {size}"
            for adjective in self.adjectives
            for material in self.materials
            for noun in self.nouns
            for size in self.sizes
        ]


def label(text: object) -> str:
    """A department's name as compared: `Home & Garden`, `home-garden` -> HOME_GARDEN."""
    return re.sub(r"[^A-Z0-9]+", "_", str(text).upper().replace("&", " ")).strip("_")


@functools.cache
def _raw() -> dict[str, dict]:
    """The YAML file as read, kept as JSON in the cache folder under a digest of its bytes
    (issue 14: PyYAML's import and parse cost ~40 ms CPU of a warm `generate` of Retail)."""
    data = resources.files(__package__).joinpath("product_names.yml").read_bytes()
    kept = cache_dir() / "vocab" / f"product_names-{hashlib.sha256(data).hexdigest()[:32]}.json"
    try:
        raw: dict[str, dict] = json.loads(kept.read_bytes())
        return raw
    except (OSError, ValueError):  # not kept yet, or unreadable: parse the YAML
        pass
    import yaml  # only when a product name is made and not kept: see above

    raw = yaml.safe_load(data.decode("utf-8"))
    text = json.dumps(raw)
    if json.loads(text) == raw:  # JSON holds it exactly (string keys): keep it
        write_atomically(kept, text.encode())
    return raw


@functools.cache
def departments() -> dict[str, tuple[Family, ...]]:
    """Department name -> its families, in file order."""
    return {
        name: tuple(
            Family(*(tuple(str(w) for w in family[part]) for part in PARTS))
            for family in entry["families"].values()
        )
        for name, entry in _raw().items()
    }


@functools.cache
def _aliases() -> dict[str, str]:
    names = {label(name): name for name in _raw()}
    for name, entry in _raw().items():
        names.update({label(also): name for also in entry.get("also", ())})
    return names


def department_of(value: object) -> str | None:
    """The vocabulary's department for a row's department or category value; None when the
    vocabulary has none of that name (the row then draws from every family)."""
    return None if value is None else _aliases().get(label(value))


def names(department: str | None = None) -> list[str]:
    """Every product name of `department` (of every department when None), in a fixed order."""
    chosen = departments().values() if department is None else [departments()[department]]
    return [name for families in chosen for family in families for name in family.names()]

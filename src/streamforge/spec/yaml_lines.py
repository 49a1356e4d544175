"""Parse one YAML table file into plain Python values, remembering each key's line and each
scalar's text as written; bounded in size, nesting and alias expansion.

Values follow the YAML 1.2 core schema: only `true`/`false` are booleans, `010` is 10, `06:30`
and `2020-01-31` stay text (YAML 1.1, PyYAML's default, reads them as 390 and a date). Keys are
always the text written. Hostile input ends in a `YamlSyntaxError` with a line, never in a
traceback or unbounded memory: a billion-laughs file of 1 KB would otherwise expand to gigabytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.composer import Composer
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner


class _PyParser(Reader, Scanner, Parser):
    """The pure-Python parser, for a PyYAML built without libyaml."""

    def __init__(self, stream: str):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


try:  # libyaml scans ~5x faster and gives the same events
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = _PyParser  # type: ignore[assignment, misc]

Path_ = tuple[str | int, ...]

MAX_NODES = 50_000  # YAML values written in one file (a 1 MiB list of numbers holds 500,000)
MAX_ALIAS_VALUES = 10_000  # values that aliases (*name) repeat: a billion laughs stops here
MAX_DEPTH = 64  # nested mappings and lists; a table file needs fewer than 10
MAX_DIGITS = 1_000  # digits of one number; Python refuses more than 4,300 anyway

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


@dataclass(frozen=True, slots=True)
class Scalar:
    """One scalar value: its text as written (quotes removed), whether it was plain (unquoted)."""

    text: str
    plain: bool
    line: int
    value: object  # as YAML 1.2 core reads it


@dataclass(slots=True)
class LinedDocument:
    """A parsed YAML document plus the 1-based line on which each key path starts."""

    data: object
    lines: dict[Path_, int] = field(default_factory=dict)
    duplicates: list[tuple[Path_, int]] = field(default_factory=list)
    scalars: dict[Path_, Scalar] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


class YamlSyntaxError(Exception):
    """YAML that cannot be used (malformed, or over a limit), with its line and a fix."""

    def __init__(self, message: str, line: int, hint: str | None = None):
        super().__init__(message)
        self.line, self.hint = line, hint


class _Core12Resolver(yaml.resolver.BaseResolver):
    """The YAML 1.2 core schema's implicit types (no merge keys, timestamps or sexagesimals)."""


for _tag, _pattern, _first in (
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        _FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
):
    _Core12Resolver.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


class _BoundedComposer(Composer):
    """PyYAML's composer, stopping at MAX_NODES events and MAX_DEPTH levels while it reads."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        self.sf_events += 1
        self.sf_depth += 1
        try:
            if self.sf_events > MAX_NODES or self.sf_depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _too_big(mark.line + 1, self.sf_events > MAX_NODES)
            return super().compose_node(parent, index)
        finally:
            self.sf_depth -= 1


class _Loader(_BoundedComposer, _Parser, _Core12Resolver):  # type: ignore[misc, valid-type]
    def __init__(self, text: str):
        _Parser.__init__(self, text)
        Composer.__init__(self)
        _Core12Resolver.__init__(self)
        self.sf_events = 0
        self.sf_depth = 0


def load_lined(text: str) -> LinedDocument:
    """Load one YAML document; raise YamlSyntaxError with a line when it is malformed, uses
    an unsupported feature, or is over MAX_NODES values or MAX_DEPTH levels."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        doc = LinedDocument(data=None)
        if node is not None:
            doc.data = _Builder(doc).build(node, ())
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        if exc.context and problem.startswith("but "):  # "expected ..., but found ..."
            problem = f"{exc.context}, {problem}"
        raise _malformed(problem, mark.line + 1 if mark is not None else 1) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, control)
        code = _code_point(exc.character)
        raise YamlSyntaxError(
            f"character U+{code:04X} is not allowed in YAML ({exc.reason})",
            _line_at(text, exc.position),
            f'remove it; inside double quotes it can be written as "\\u{code:04x}"',
        ) from None
    except yaml.YAMLError as exc:  # libyaml reports some errors without a mark
        raise _malformed(str(exc).splitlines()[0] if str(exc) else "malformed YAML", 1) from None
    except RecursionError:
        raise _too_big(1, False) from None
    finally:
        loader.dispose()


class _Builder:
    """Nodes to Python values. The composer bounds the nodes written; this bounds how often
    aliases repeat them, so a 1 KB file cannot expand to gigabytes."""

    def __init__(self, doc: LinedDocument):
        self.doc, self.repeated = doc, 0
        self.built, self.open = set[int](), set[int]()

    def build(self, node: yaml.Node, path: Path_) -> object:
        line = node.start_mark.line + 1
        if id(node) in self.built:
            self.repeated += 1
        self.built.add(id(node))
        if self.repeated > MAX_ALIAS_VALUES or len(path) > MAX_DEPTH:
            # an alias node has no line of its own: name the top-level key that expands
            line = self.doc.lines.get(path[:1], line)
            if self.repeated > MAX_ALIAS_VALUES:
                raise YamlSyntaxError(
                    f"aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values",
                    line,
                    "a table file needs few aliases, if any: write the values out, or remove "
                    "the aliases that repeat other aliases",
                )
            raise _too_big(line, False)
        if id(node) in self.open:
            raise YamlSyntaxError(
                "this alias refers to a value that contains it (a recursive alias)",
                self.doc.lines.get(path, line),  # the key that holds the alias
                "write the value out instead of the alias",
            )
        self.doc.lines.setdefault(path, line)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path, line)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                _expect_tag(node, _MAP, line)
                return self._mapping(node, path)
            _expect_tag(node, _SEQ, line)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, object]:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                kind = "mapping" if isinstance(key_node, yaml.MappingNode) else "list"
                raise YamlSyntaxError(
                    f"a key must be a name, not a {kind}",
                    line,
                    "write `name: value`; a `?` or `[...]`/`{...}` before the colon makes a "
                    "complex key",
                )
            key = key_node.value  # keys are names: the text, never true/8/None
            key_path = (*path, key)
            if key in result:
                self.doc.duplicates.append((key_path, line))
            self.doc.lines[key_path] = line
            result[key] = self.build(value_node, key_path)
        return result

    def _scalar(self, node: yaml.ScalarNode, path: Path_, line: int) -> object:
        value = _construct(node, line)
        self.doc.scalars[path] = Scalar(
            node.value, not node.style, line, value
        )  # libyaml: "" is plain
        return value


def _construct(node: yaml.ScalarNode, line: int) -> object:
    text, tag = node.value, node.tag
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if tag in (_INT, _FLOAT) and sum(c.isdigit() for c in text) > MAX_DIGITS:
        raise YamlSyntaxError(
            f"a number of {len(text):,} characters is too long (at most {MAX_DIGITS:,} digits)",
            line,
            'quote it ("...") if it is text',
        )
    try:
        if tag == _INT:
            body = text.lstrip("+-")
            sign = -1 if text.startswith("-") else 1
            if body[:2] in ("0o", "0x"):
                return sign * int(body[2:], 8 if body[1] == "o" else 16)
            return int(text, 10)
        if tag == _FLOAT:
            lowered = text.lower()
            if lowered.endswith(".inf"):
                return float("-inf") if lowered.startswith("-") else float("inf")
            return float("nan") if lowered == ".nan" else float(text)
    except ValueError:
        raise YamlSyntaxError(f"'{text}' is not a valid {tag.rsplit(':', 1)[1]}", line) from None
    raise YamlSyntaxError(
        f"the YAML tag '{_short(tag)}' is not supported here",
        line,
        "remove the tag; quote the value if it is text",
    )


def _code_point(character: object) -> int:
    return character if isinstance(character, int) else ord(str(character)[:1] or "\0")


def _line_at(text: str, position: int) -> int:
    """The line of a parser position: a byte offset for libyaml, a character offset otherwise."""
    if _Parser is _PyParser:
        return text.count("\n", 0, max(position, 0)) + 1
    return text.encode("utf-8").count(b"\n", 0, max(position, 0)) + 1


def _expect_tag(node: yaml.Node, tag: str, line: int) -> None:
    if node.tag != tag:
        raise YamlSyntaxError(
            f"the YAML tag '{_short(node.tag)}' is not supported here", line, "remove the tag"
        )


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _too_big(line: int, too_many: bool) -> YamlSyntaxError:
    if too_many:
        return YamlSyntaxError(
            f"the file holds more than {MAX_NODES:,} values",
            line,
            "a table file needs a few hundred: split it, or use faker or format for long lists",
        )
    return YamlSyntaxError(
        f"values are nested more than {MAX_DEPTH} levels deep",
        line,
        "a table file needs fewer than 10 levels: check the brackets and indentation",
    )


def _malformed(problem: str, line: int) -> YamlSyntaxError:
    if "\\t" in problem or "\t" in problem or "tab character" in problem:
        hint = "YAML indents with spaces, never tabs: replace the tab with spaces"
    elif "another document" in problem:
        hint = "a table file holds one document: move what follows `---` to its own file"
    elif "undefined alias" in problem:
        hint = (
            "define the anchor (&name) before its alias (*name), or quote a text that starts with *"
        )
    else:
        hint = "check the indentation and quoting on this line and the one before"
    return YamlSyntaxError(f"malformed YAML: {problem}", line, hint)

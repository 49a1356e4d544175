"""Parse YAML into plain Python values while remembering the line of every key."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path_ = tuple[str | int, ...]


@dataclass(slots=True)
class LinedDocument:
    """A parsed YAML document plus the 1-based line on which each key path starts."""

    data: object
    lines: dict[Path_, int] = field(default_factory=dict)
    duplicates: list[tuple[Path_, int]] = field(default_factory=list)

    def line_of(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


class YamlSyntaxError(Exception):
    """Malformed YAML, with the line where the parser gave up."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def load_lined(text: str) -> LinedDocument:
    """Load one YAML document; raise YamlSyntaxError with a line number when it is malformed."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        doc = LinedDocument(data=None)
        doc.data = _build(loader, node, (), doc) if node is not None else None
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "malformed YAML"
        raise YamlSyntaxError(problem, line) from exc
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, doc: LinedDocument) -> object:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_path = (*path, str(key))
            if key in result:
                doc.duplicates.append((key_path, key_node.start_mark.line + 1))
            doc.lines[key_path] = key_node.start_mark.line + 1
            result[key] = _build(loader, value_node, key_path, doc)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            items.append(_build(loader, item, (*path, index), doc))
        return items
    return loader.construct_object(node, deep=True)

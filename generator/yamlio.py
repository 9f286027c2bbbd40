"""Line-aware YAML: each file is parsed once into data plus the line of every key."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that leaves dates as text, so cvsite can report impossible ones itself."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(message)


@dataclass
class Document:
    """A YAML mapping and the 1-based line of each key; nested keys are dotted (links.code, jobs.0.title)."""

    data: dict
    lines: dict[str, int] = field(default_factory=dict)
    first_line: int = 1
    duplicates: tuple[tuple[str, int], ...] = ()  # (key, line) of keys given twice

    def line(self, key: str) -> int:
        while key and key not in self.lines:
            key = key.rpartition(".")[0]
        return self.lines.get(key, self.first_line)


def _key_lines(node: yaml.Node, offset: int, prefix: str, out: dict[str, int], dups: list) -> None:
    if isinstance(node, yaml.SequenceNode):  # entries of a list section: jobs.0, jobs.0.title
        if any(isinstance(item, yaml.MappingNode) for item in node.value):  # not plain lists (authors)
            for i, item in enumerate(node.value):
                out.setdefault(f"{prefix}{i}", item.start_mark.line + offset + 1)
                _key_lines(item, offset, f"{prefix}{i}.", out, dups)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        name = f"{prefix}{key_node.value}"
        line = key_node.start_mark.line + offset + 1
        if name in out:  # YAML would silently keep the last value
            dups.append((name, line))
        out.setdefault(name, line)
        _key_lines(value_node, offset, name + ".", out, dups)


def parse_mapping(text: str, line_offset: int = 0) -> Document:
    """Parse YAML text that must be a mapping; line_offset places it inside a larger file."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Document({}, {}, line_offset + 1)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context
        if exc.problem and exc.context_mark and exc.context and ("flow" in exc.context or "quoted" in exc.context):
            # an unclosed [ { or quote is found lines later: point at the line that opened it
            mark, message = exc.context_mark, f"{exc.problem} ({exc.context} that begins on this line)"
        line = (mark.line if mark else 0) + line_offset + 1
        raise YamlProblem(line, f"invalid YAML: {message}") from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise YamlProblem(line_offset + 1, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise YamlProblem(node.start_mark.line + line_offset + 1, f"expected a mapping of fields, got {kind}")
    lines: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    _key_lines(node, line_offset, "", lines, duplicates)
    return Document(data, lines, node.start_mark.line + line_offset + 1, tuple(duplicates))


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split '---' front matter from a Markdown body.

    Returns (yaml_text, body, line_offset_of_yaml), or None when the file has no front matter.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1:]), 1
    return None

"""Line-aware YAML: each file is parsed once into data plus the line of every key."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that leaves dates as text, so cvsite can report impossible ones itself."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


# Bounds on one document: aliases count by what they expand to, so 700 bytes of nested aliases
# (a "billion laughs") cannot take minutes and gigabytes; deep nesting cannot exhaust the stack.
MAX_VALUES = 1_000_000
MAX_DEPTH = 64

# Text that would make the pages or feeds malformed: C0 controls but tab, newline and carriage
# return (XML 1.0 forbids them), DEL and C1 controls and noncharacters (HTML parse errors), and
# lone surrogates (not encodable). Text pasted from PDFs often carries them.
_BAD = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
BAD_CHARACTER = re.compile(f"[{_BAD}]")
# The same search, fast: `re` scans a class holding astral characters about ten times slower
# than one of the Basic Multilingual Plane alone, and clean ASCII needs no regex at all.
_BAD_BMP = re.compile(f"[{_BAD.split(chr(0xFFFF))[0]}\\uffff]")
_ASCII_OK = bytes(range(0x20, 0x7F)) + b"\t\n\r"


def find_bad_character(text: str) -> re.Match[str] | None:
    """BAD_CHARACTER.search(text), in a fraction of the time for the text records hold."""
    if text.isascii():
        return BAD_CHARACTER.search(text) if text.encode("ascii").translate(None, _ASCII_OK) else None
    if max(text) <= "\uffff":
        return _BAD_BMP.search(text)
    return BAD_CHARACTER.search(text)


class YamlProblem(Exception):
    def __init__(self, line: int, message: str, field: str = "file"):
        self.line = line
        self.message = message
        self.field = field  # the key the problem is about, when YAML's error points at one
        super().__init__(message)


# `key: value` (or a list item) whose plain, unquoted value holds ': ', which YAML reads as a
# second mapping: YAML's error only says "mapping values are not allowed"
_COLON_IN_VALUE = re.compile(r"^(?P<indent>[ \t]*)(?P<key>[^\s'\"#:\-][^:#]*?):[ \t]+(?P<value>[^\s'\"\[{|>&*!%@`].*: .*?)\s*$")
_COLON_IN_ITEM = re.compile(r"^(?P<indent>[ \t]*)-[ \t]+(?P<value>[^\s'\"\[{|>&*!%@`].*: .*?)\s*$")
_KEY = re.compile(r"^(?P<indent>[ \t]*)(?P<key>[^\s'\"#:\-][^:#]*?):(?:[ \t]|$)")


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _dotted_key(lines: list[str], line: int, indent: str, key: str) -> str:
    """links.pdf for a `pdf:` line indented under `links:`."""
    names = [key]
    for above in reversed(lines[:line]):
        match = _KEY.match(above)
        if match and len(match["indent"]) < len(indent):
            names.insert(0, match["key"].strip())
            indent = match["indent"]
    return ".".join(names)


def _unquoted_colon(text: str, line: int, line_offset: int) -> YamlProblem | None:
    """Say that the value needs quotes, and give the line as it should be written (or, for a
    line indented too far, say that instead); None when the error is neither."""
    lines = text.splitlines()
    current = lines[line] if 0 <= line < len(lines) else ""
    item = _COLON_IN_ITEM.match(current)
    if item:
        fixed, field = f"- {_quoted(item['value'])}", "file"
        above = next((m for m in map(_KEY.match, reversed(lines[:line])) if m and len(m["indent"]) <= len(item["indent"])), None)
        field = _dotted_key(lines, line, above["indent"], above["key"].strip()) if above else field
    elif match := _COLON_IN_VALUE.match(current):
        fixed = f"{match['key'].strip()}: {_quoted(match['value'])}"
        field = _dotted_key(lines, line, match["indent"], match["key"].strip())
    else:
        return _indented_too_far(lines, line, line_offset)
    return YamlProblem(
        line + line_offset + 1, f"invalid YAML: the value contains ': ', so it must be in quotes; write the line as: {fixed}", field
    )


def _indented_too_far(lines: list[str], line: int, line_offset: int) -> YamlProblem | None:
    """`code: URL` then `  arxiv: URL`: the second line is indented under a key that already has a value."""
    current = _KEY.match(lines[line]) if 0 <= line < len(lines) else None
    above = next((n for n in range(line - 1, -1, -1) if lines[n].strip() and not lines[n].lstrip().startswith("#")), None)
    match = _KEY.match(lines[above]) if above is not None else None
    if not (
        current and match and above is not None and len(match["indent"]) < len(current["indent"]) and lines[above][match.end() :].strip()
    ):
        return None
    # imported here, as fields.py itself reads documents through this module
    from .fields import LINK_KINDS

    key = match["key"].strip()
    hint = f" ('{key}' is a link kind: it goes under 'links:', indented by two spaces)" if key.lower() in LINK_KINDS else ""
    return YamlProblem(
        line + line_offset + 1,
        f"invalid YAML: '{current['key'].strip()}:' is not allowed here: this line is indented deeper than "
        f"line {above + line_offset + 1} ('{key}: …'), which already has a value; indent the two alike{hint}",
    )


def bad_character_message(char: str) -> str:
    return f"control character U+{ord(char):04X} is not allowed (text pasted from a PDF often carries them); delete it"


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


def _children(node: yaml.Node, name: str) -> list[tuple[yaml.Node, str]]:
    if isinstance(node, yaml.MappingNode):
        found = []
        for key, value in node.value:
            child = f"{name}.{key.value}" if name else str(key.value) if isinstance(key, yaml.ScalarNode) else name
            found += [(key, name), (value, child)]
        return found
    if isinstance(node, yaml.SequenceNode):
        return [(item, name) for item in node.value]
    return []


def check_bounds(root: yaml.Node, offset: int) -> None:
    """Raise YamlProblem, located, for a document whose aliases expand beyond MAX_VALUES values
    or refer to themselves, that nests deeper than MAX_DEPTH, or that holds a control character.

    Walks the node graph once (iteratively, each node once), counting what aliases expand to."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded values, expanded depth)
    active: set[int] = set()
    stack: list[tuple[yaml.Node, int, str, bool]] = [(root, 1, "", False)]
    while stack:
        node, depth, name, done = stack.pop()
        key = id(node)
        line = node.start_mark.line + offset + 1
        children = _children(node, name)
        if done:
            active.discard(key)
            size = 1 + sum(sizes[id(child)][0] for child, _ in children)
            height = 1 + max((sizes[id(child)][1] for child, _ in children), default=0)
            if size > MAX_VALUES:
                raise YamlProblem(line, f"YAML aliases here expand to more than {MAX_VALUES:,} values", name or "file")
            if height > MAX_DEPTH:
                raise YamlProblem(line, f"YAML aliases here nest more than {MAX_DEPTH} levels deep", name or "file")
            sizes[key] = (size, height)
            continue
        if key in sizes:
            continue
        if key in active:
            raise YamlProblem(line, "a YAML alias refers to a value that contains it", name or "file")
        if depth > MAX_DEPTH:
            raise YamlProblem(line, f"nested more than {MAX_DEPTH} levels deep", name.split(".")[0] or "file")
        if isinstance(node, yaml.ScalarNode) and (bad := find_bad_character(node.value)):
            raise YamlProblem(line, bad_character_message(bad.group()), name or "file")
        active.add(key)
        stack.append((node, depth, name, True))
        stack += [(child, depth + 1, child_name, False) for child, child_name in reversed(children)]


def _plainly_bounded(root: yaml.Node) -> bool:
    """True when a document without aliases (a tree: no node is reached twice) passes
    check_bounds; a quicker walk, which keeps no names (check_bounds finds them for the message)."""
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_VALUES:
            return False
        if isinstance(node, yaml.ScalarNode):
            if find_bad_character(node.value):
                return False
        elif isinstance(node, yaml.MappingNode):
            stack += [(child, depth + 1) for pair in node.value for child in pair]
        else:
            stack += [(child, depth + 1) for child in node.value]
    return True


def parse_mapping(text: str, line_offset: int = 0) -> Document:
    """Parse YAML text that must be a mapping; line_offset places it inside a larger file."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Document({}, {}, line_offset + 1)
        if "*" in text or not _plainly_bounded(node):  # "*" begins an alias: the full walk counts what it expands to
            check_bounds(node, line_offset)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context
        if exc.problem and exc.context_mark and exc.context and ("flow" in exc.context or "quoted" in exc.context):
            # an unclosed [ { or quote is found lines later: point at the line that opened it
            mark, message = exc.context_mark, f"{exc.problem} ({exc.context} that begins on this line)"
        if mark and exc.problem and exc.problem.startswith("mapping values are not allowed"):
            hint = _unquoted_colon(text, mark.line, line_offset)
            if hint is not None:
                raise hint from None
        line = (mark.line if mark else 0) + line_offset + 1
        raise YamlProblem(line, f"invalid YAML: {message}") from None
    except RecursionError:  # the parser itself recursed too deep, before check_bounds could look
        raise YamlProblem(line_offset + 1, f"invalid YAML: nested more than {MAX_DEPTH} levels deep") from None
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
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), 1
    return None

"""content/cv.yaml as text: a new file, or new lines inserted into the owner's file.

Inserting lines and changing nothing else keeps the owner's comments, quoting, order and
spacing. Where the new lines go comes from the positions PyYAML gives each node; a caller
parses the result back and checks it holds exactly the data it meant to write.
"""

from __future__ import annotations

import yaml

from ..yamlio import Loader


class _Dumper(yaml.SafeDumper):  # the Python emitter: the C one ignores increase_indent, and a CV is small
    """Lists indented under their key (`  - title: …`, as cvsite new writes them), the same
    value twice written twice, and dates unquoted: cvsite reads them as text anyway."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data):
        return True


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1 << 30)


def new_file(sections: dict[str, list[dict]]) -> str:
    """A whole cv.yaml: the sections in the given order, a blank line between them."""
    return "\n".join(dump({name: entries}) for name, entries in sections.items())


def _indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line if line.strip() else line for line in text.splitlines(keepends=True))


def _last_line(node: yaml.Node, lines: list[str]) -> int:
    """The 0-based index of the last line that belongs to node."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False) or not node.value:
        end = node.end_mark.line
        if node.end_mark.column == 0 and end > node.start_mark.line:  # a block scalar ends at the next line
            end -= 1
            while end > node.start_mark.line and not lines[end].strip():
                end -= 1
        return end
    last = node.value[-1]
    return _last_line(last[1] if isinstance(node, yaml.MappingNode) else last, lines)


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def edit(text: str, fills: dict[tuple[str, int], dict], appends: dict[str, list[dict]]) -> tuple[str, list[str]]:
    """text with fields added to existing entries ((section, index) -> {field: value}, a `links`
    value only its new labels) and entries appended to sections (new sections at the end).
    Also what could not be placed (written on one line, `links: {…}` or `awards: []`)."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    root = yaml.compose(text, Loader=Loader) if text.strip() else None
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise ValueError("content/cv.yaml is not a mapping of sections")
    after: dict[int, list[str]] = {}  # line index -> snippets inserted after it, in order
    left_out: list[str] = []
    tail: list[str] = []
    for (section, index), new in fills.items():
        item = _value(root, section).value[index]  # type: ignore[union-attr]
        if getattr(item, "flow_style", False):
            left_out += [f"{section}[{index + 1}].{name}" for name in new]
            continue
        column = item.value[0][0].start_mark.column
        top = {k: v for k, v in new.items() if k != "links"}
        links = new.get("links") or {}
        held = _value(item, "links")
        if links and held is None:
            top["links"] = links
        elif links and (getattr(held, "flow_style", False) or not isinstance(held, yaml.MappingNode)):
            left_out += [f"{section}[{index + 1}].links.{label}" for label in links]
        elif links:
            assert held is not None
            after.setdefault(_last_line(held, lines), []).append(_indent(dump(links), held.value[0][0].start_mark.column))
        if top:
            after.setdefault(_last_line(item, lines), []).append(_indent(dump(top), column))
    for section, entries in appends.items():
        value = _value(root, section) if root is not None else None
        if value is None:
            tail.append(dump({section: entries}))
        elif isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
            after.setdefault(_last_line(value, lines), []).append(_indent(dump(entries), value.start_mark.column))
        elif isinstance(value, yaml.ScalarNode) and value.value == "" and value.start_mark == value.end_mark:
            key_line = next(k for k, v in root.value if v is value).start_mark  # type: ignore[union-attr]
            after.setdefault(key_line.line, []).append(_indent(dump(entries), key_line.column + 2))
        else:
            left_out.append(f"{section} ({len(entries)} new {'entry' if len(entries) == 1 else 'entries'})")
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        out += after.get(i, [])
    result = "".join(out)
    if tail:  # new sections at the end, after a blank line as between the owner's sections
        result += ("\n" if result.strip() and not result.endswith("\n\n") else "") + "\n".join(tail)
    return result, left_out

"""Writing record files: new ones atomically, and filling fields into an owner's file in place.

An update inserts lines into the owner's YAML and changes nothing else, so their comments,
quoting, order and spacing survive.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .serialise import dump_field

NESTED = ("links", "extra")  # maps filled entry by entry


def write_atomic(root: Path, rel: str, text: str, new: bool) -> None:
    """Write root/rel all at once: a temporary file beside it, then renamed over it."""
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if new and target.exists():
        raise FileExistsError(17, "a file appeared there while importing", str(target))
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _front_span(lines: list[str], is_markdown: bool) -> tuple[int, int]:
    """[start, end) line indexes of the YAML part: between the '---' lines, or the whole file."""
    if not is_markdown:
        return 0, len(lines)
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return 1, i
    return 1, len(lines)


def _block_end(lines: list[str], key_line: int, end: int) -> tuple[int, str] | None:
    """After `key:` on key_line (a block mapping), the index after its last entry and its indent."""
    if not re.match(r"^[^#]*:\s*(#.*)?$", lines[key_line]):
        return None  # written inline (links: {a: b}): no place for a new line
    last, indent = key_line, ""
    for i in range(key_line + 1, end):
        text = lines[i]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        current = text[: len(text) - len(text.lstrip())]
        if not current:
            break
        if not indent:
            indent = current
        last = i
    return (last + 1, indent or "  ") if last > key_line else None


def fill(
    text: str, is_markdown: bool, doc_lines: dict[str, int], top: dict, nested: dict[str, dict], abstract: str = ""
) -> tuple[str, list[str]]:
    """text with top-level fields `top` and nested entries added; also what could not be added."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    _, end = _front_span(lines, is_markdown)
    inserts: list[tuple[int, int, str]] = []
    left_out: list[str] = []
    appended = "".join(dump_field(k, v) for k, v in top.items())
    for name, entries in nested.items():
        if not entries:
            continue
        if name not in doc_lines:
            appended += dump_field(name, entries)
            continue
        found = _block_end(lines, doc_lines[name] - 1, end)
        if found is None:
            left_out += [f"{name}.{k}" for k in entries]
            continue
        at, indent = found
        block = dump_field(name, entries).splitlines(keepends=True)[1:]
        inserts.append((at, 0, "".join(indent + line[2:] for line in block)))
    if appended:
        inserts.append((end, 1, appended))  # after a map that ends the front matter, not inside it
    for at, _, snippet in sorted(inserts, reverse=True):
        lines.insert(at, snippet)
    result = "".join(lines)
    if abstract and is_markdown:
        result = result.rstrip("\n") + "\n" + abstract.strip() + "\n" if _body_empty(result) else result
    return result, left_out


def _body_empty(text: str) -> bool:
    lines = text.splitlines()
    _, end = _front_span([line + "\n" for line in lines], True)
    return not "".join(lines[end + 1 :]).strip()

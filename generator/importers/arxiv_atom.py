"""arXiv API responses (Atom XML, export.arxiv.org/api/query) -> record fields.

Parsed with defusedxml: no external entities, no entity-expansion bombs.
"""

from __future__ import annotations

import re

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from . import Imported
from .common import (
    EntryIssue,
    Links,
    arxiv_id,
    clean_space,
    compact,
    decode,
    iso_date,
    urls_in,
)

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


def _text(node, tag: str) -> str:
    found = node.find(tag)
    return clean_space(found.text or "") if found is not None and found.text else ""


def entry_fields(node) -> dict:
    identifier = arxiv_id(_text(node, f"{ATOM}id"))
    links = Links()
    if identifier:
        links.add_arxiv(identifier)
    links.add_doi(_text(node, f"{ARXIV}doi"))
    for url in urls_in(_text(node, f"{ARXIV}comment")):
        links.add_url(url, default="")
    primary = node.find(f"{ARXIV}primary_category")
    published = _text(node, f"{ATOM}published")
    try:
        date = iso_date(published) if published else ""
    except ValueError:
        raise EntryIssue("date", f"cannot read published date {published!r}") from None
    return compact(
        {
            "title": _text(node, f"{ATOM}title"),
            "authors": [_text(a, f"{ATOM}name") for a in node.findall(f"{ATOM}author") if _text(a, f"{ATOM}name")],
            "date": date,
            "category": primary.get("term", "") if primary is not None else "",
            "venue": _text(node, f"{ARXIV}journal_ref"),
            "links": links.result(),
            "abstract": _text(node, f"{ATOM}summary"),
            "extra": compact({"citation_key": identifier, "entry_type": "misc"}),
        }
    )


def parse(data: bytes, source: str) -> list[Imported]:
    text = decode(data)
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except DefusedXmlException as exc:
        return [Imported(source, 1, "?", issues=[("file", f"refused XML: {type(exc).__name__} (entities are not allowed)")])]
    except ElementTree.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        return [Imported(source, line, "?", issues=[("file", f"invalid XML: {exc.msg if hasattr(exc, 'msg') else exc}")])]
    if root.tag != f"{ATOM}feed":
        return [Imported(source, 1, "?", issues=[("file", "expected an Atom <feed> from the arXiv API")])]
    lines = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<(?:\w+:)?entry[\s>]", text)]
    found = []
    for n, node in enumerate(root.findall(f"{ATOM}entry")):
        line = lines[n] if n < len(lines) else 1
        raw_id = _text(node, f"{ATOM}id")
        entry = Imported(source, line, arxiv_id(raw_id) or raw_id or f"entry {n + 1}")
        if "/api/errors" in raw_id:
            entry.issues.append(("entry", f"the arXiv API reported an error: {_text(node, f'{ATOM}summary')}"))
        else:
            entry.read(entry_fields, node)
        found.append(entry)
    return found

"""CSL-JSON (what Zotero, Mendeley and citeproc tools export) -> record fields."""

from __future__ import annotations

import json
import re

from . import Imported
from .common import (
    EntryIssue,
    Links,
    arxiv_id,
    clean_space,
    compact,
    decode,
    make_date,
    split_keywords,
)

# CSL item types -> the BibTeX entry type kept in `extra`, so BibTeX export can write it back
BIBTEX_TYPES = {
    "article-journal": "article",
    "paper-conference": "inproceedings",
    "chapter": "incollection",
    "book": "book",
    "thesis": "phdthesis",
    "report": "techreport",
    "article": "misc",
    "manuscript": "unpublished",
    "webpage": "misc",
    "dataset": "misc",
    "software": "misc",
}


def load_json(data: bytes):
    """Parsed JSON, or ValueError with a one-line reason and the line it stopped at."""
    text = decode(data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON on line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None


def _text(value) -> str:
    if isinstance(value, list):  # some exporters give one-element lists
        value = value[0] if value else ""
    return clean_space(str(value)) if isinstance(value, (str, int, float)) else ""


def person_name(person) -> str:
    """{family, given, particles, suffix} or {literal} -> 'Given particle Family Suffix'."""
    if not isinstance(person, dict):
        return _text(person)
    if person.get("literal"):
        return _text(person["literal"])
    parts = [person.get(k) for k in ("given", "dropping-particle", "non-dropping-particle", "family", "suffix")]
    return clean_space(" ".join(_text(p) for p in parts if p))


def authors(people) -> tuple[list[str], bool]:
    names, et_al = [], False
    for person in people if isinstance(people, list) else []:
        name = person_name(person)
        if name.lower() in ("others", "et al.", "et al"):
            et_al = True
        elif name:
            names.append(name)
    return names, et_al


def csl_date(value) -> str:
    """{'date-parts': [[2023, 9]]} or {'raw': '2023-09-19'} -> '2023-09' at the precision given."""
    if not isinstance(value, dict):
        return ""
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        numbers = parts[0][:3]
        try:
            year, month, day = ([int(str(n)) for n in numbers] + [0, 0])[:3]
            return make_date(year, month, day)
        except (TypeError, ValueError):
            raise EntryIssue("date", f"cannot read date-parts {parts[0]!r}") from None
    for key in ("raw", "literal"):
        if isinstance(value.get(key), str):
            from .common import iso_date

            try:
                return iso_date(value[key])
            except ValueError:
                raise EntryIssue("date", f"cannot read date {value[key]!r}") from None
    return ""


def item_fields(item: dict) -> dict:
    names, et_al = authors(item.get("author") or item.get("editor"))
    links = Links()
    number = _text(item.get("number"))
    if number.lower().startswith("arxiv:") or (_text(item.get("publisher")).lower() == "arxiv" and arxiv_id(number)):
        links.add_arxiv(number)
    links.add_doi(_text(item.get("DOI")))
    links.add_url(_text(item.get("URL")))
    csl_type = _text(item.get("type"))
    key = _text(item.get("citation-key")) or _text(item.get("id"))
    if not re.fullmatch(r"[\w:.+-]+", key):
        key = ""  # Zotero's ids are item URIs, not citation keys; BibTeX export makes one instead
    return compact(
        {
            "title": _text(item.get("title")),
            "authors": names,
            "date": csl_date(item.get("issued")),
            "et_al": et_al,
            "venue": _text(item.get("container-title")) or _text(item.get("event-title")),
            "links": links.result(),
            "tags": split_keywords(item.get("keyword", "")),
            "abstract": str(item.get("abstract") or "").strip(),
            "extra": compact({"citation_key": key, "entry_type": BIBTEX_TYPES.get(csl_type, "misc") if csl_type else ""}),
        }
    )


def parse(data: bytes, source: str) -> list[Imported]:
    try:
        items = load_json(data)
    except ValueError as exc:
        return [Imported(source, 1, "?", issues=[("file", str(exc))])]
    if isinstance(items, dict):
        items = items.get("items", [items])  # one item, or {"items": [...]}
    if not isinstance(items, list):
        return [Imported(source, 1, "?", issues=[("file", "expected a CSL-JSON list of items")])]
    found = []
    for position, item in enumerate(items, start=1):
        key = _text(item.get("id")) if isinstance(item, dict) else ""
        entry = Imported(source, position, key or f"item {position}")
        if not isinstance(item, dict):
            entry.issues.append(("item", "expected an object with CSL-JSON fields"))
        else:
            entry.read(item_fields, item, shape="a CSL-JSON")
        found.append(entry)
    return found

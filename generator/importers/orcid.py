"""ORCID public API v3 works (/works, /work/{put-code}, /works/{put-codes}) -> record fields.

A /works summary carries no authors; a full work does (contributors), or failing that its
attached BibTeX citation does, which is read with the BibTeX importer.
"""

from __future__ import annotations

from . import Imported, bibtex
from .common import EntryIssue, Links, clean_space, compact, make_date, parse_month
from .csl_json import load_json

BIBTEX_TYPES = {
    "journal-article": "article",
    "conference-paper": "inproceedings",
    "book-chapter": "incollection",
    "book": "book",
    "dissertation-thesis": "phdthesis",
    "report": "techreport",
    "preprint": "misc",
}


def _value(node, *path) -> str:
    for step in path:
        node = node.get(step) if isinstance(node, dict) else None
    return clean_space(str(node)) if isinstance(node, (str, int)) else ""


def _date(work: dict) -> str:
    date = work.get("publication-date") or {}
    year = _value(date, "year", "value")
    if not year:
        return ""
    try:
        month = parse_month(_value(date, "month", "value")) if _value(date, "month", "value") else 0
        day = int(_value(date, "day", "value")) if month and _value(date, "day", "value").isdigit() else 0
        return make_date(year, month, day)
    except ValueError:
        raise EntryIssue("date", f"cannot read publication-date {date!r}") from None


def work_fields(work: dict) -> dict:
    links = Links()
    for ext in (work.get("external-ids") or {}).get("external-id") or []:
        kind, value = _value(ext, "external-id-type").lower(), _value(ext, "external-id-value")
        if _value(ext, "external-id-relationship") not in ("", "self"):
            continue
        if kind == "doi":
            links.add_doi(value)
        elif kind == "arxiv":
            links.add_arxiv(value)
    links.add_url(_value(work, "url", "value"))
    authors = [
        _value(c, "credit-name", "value")
        for c in (work.get("contributors") or {}).get("contributor") or []
        if _value(c, "contributor-attributes", "contributor-role") in ("", "author", "AUTHOR")
    ]
    authors = [a for a in authors if a]
    citation = work.get("citation") or {}
    from_bibtex = {}
    if _value(citation, "citation-type").lower() == "bibtex" and _value(citation, "citation-value"):
        read = bibtex.parse(str(citation["citation-value"]).encode("utf-8"), "citation")
        from_bibtex = read[0].fields if read and not read[0].issues else {}
    put_code = _value(work, "put-code")
    fields = compact(
        {
            "title": _value(work, "title", "title", "value"),
            "authors": authors or from_bibtex.get("authors", []),
            "date": _date(work),
            "et_al": from_bibtex.get("et_al", False) if not authors else False,
            "venue": _value(work, "journal-title", "value"),
            "links": links.result(),
            "abstract": str(work.get("short-description") or "").strip(),
            "extra": compact(
                {
                    "citation_key": f"orcid{put_code}" if put_code else "",
                    "entry_type": BIBTEX_TYPES.get(_value(work, "type").lower(), "misc"),
                }
            ),
        }
    )
    if not fields.get("authors"):
        raise EntryIssue(
            "authors",
            "this ORCID work lists no authors (a /works summary never does): "
            "import the full works from /works/{put-codes}, or use `cvsite import orcid:ID`",
        )
    return fields


def _works(payload) -> list[dict]:
    if not isinstance(payload, dict):
        return []
    if "group" in payload:  # /works: each group is one work seen by several sources; take the preferred one
        chosen = []
        for group in payload.get("group") or []:
            summaries = [s for s in ((group or {}).get("work-summary") or []) if isinstance(s, dict)]
            if summaries:
                chosen.append(
                    max(summaries, key=lambda s: int(_value(s, "display-index") or 0) if _value(s, "display-index").isdigit() else 0)
                )
        return chosen
    if "bulk" in payload:
        return [item.get("work") or item for item in payload.get("bulk") or [] if isinstance(item, dict)]
    return [payload]


def parse(data: bytes, source: str) -> list[Imported]:
    try:
        payload = load_json(data)
    except ValueError as exc:
        return [Imported(source, 1, "?", issues=[("file", str(exc))])]
    found = []
    for position, work in enumerate(_works(payload), start=1):
        entry = Imported(source, position, f"put-code {_value(work, 'put-code')}" if _value(work, "put-code") else f"work {position}")
        if not isinstance(work, dict):
            entry.issues.append(("work", "expected an ORCID work object"))
        elif "error-code" in work or "response-code" in work:
            entry.issues.append(("work", f"ORCID reported an error: {_value(work, 'user-message') or _value(work, 'developer-message')}"))
        else:
            entry.read(work_fields, work, shape="an ORCID")
        found.append(entry)
    return found

"""OpenAlex works (api.openalex.org/works, one work or a page of `results`) -> record fields."""

from __future__ import annotations

from . import Imported
from .common import EntryIssue, Links, arxiv_id, clean_space, compact, iso_date
from .csl_json import load_json

BIBTEX_TYPES = {
    "article": "article",
    "book-chapter": "incollection",
    "book": "book",
    "preprint": "misc",
    "dissertation": "phdthesis",
    "report": "techreport",
    "proceedings-article": "inproceedings",
}


def _abstract(index) -> str:
    """OpenAlex ships abstracts as an inverted index {word: [positions]}; put the words back in order."""
    if not isinstance(index, dict):
        return ""
    placed = {}
    for word, positions in index.items():
        for position in positions if isinstance(positions, list) else []:
            if isinstance(position, int):
                placed[position] = str(word)
    return " ".join(placed[i] for i in sorted(placed))


def _is_arxiv(location: dict) -> bool:
    source = location.get("source") or {}
    return "arxiv" in str(source.get("display_name", "")).lower() or "arxiv.org" in str(location.get("landing_page_url", ""))


def work_fields(work: dict) -> dict:
    links = Links()
    locations = [loc for loc in [work.get("primary_location"), *(work.get("locations") or [])] if isinstance(loc, dict)]
    for location in locations:
        if _is_arxiv(location):
            links.add_arxiv(str(location.get("landing_page_url") or ""))
    links.add_doi(str(work.get("doi") or (work.get("ids") or {}).get("doi") or ""))
    for location in locations:
        pdf = str(location.get("pdf_url") or "")
        if pdf and not _is_arxiv(location):
            links.add("pdf", pdf)
    primary = work.get("primary_location") or {}
    source = primary.get("source") or {}
    venue = "" if _is_arxiv(primary) or source.get("type") == "repository" else clean_space(str(source.get("display_name") or ""))
    names = [
        clean_space(str((a.get("author") or {}).get("display_name") or a.get("raw_author_name") or ""))
        for a in work.get("authorships") or []
        if isinstance(a, dict)
    ]
    when = work.get("publication_date") or work.get("publication_year")
    try:
        date = iso_date(str(when)) if when else ""
    except ValueError:
        raise EntryIssue("date", f"cannot read publication_date {when!r}") from None
    citations = work.get("cited_by_count")
    key = str(work.get("id") or "").rsplit("/", 1)[-1]
    return compact(
        {
            "title": clean_space(str(work.get("title") or work.get("display_name") or "")),
            "authors": [n for n in names if n],
            "date": date,
            "venue": venue,
            "links": links.result(),
            "citations": citations if isinstance(citations, int) and not isinstance(citations, bool) and citations >= 0 else None,
            "tags": [
                clean_space(str(k.get("display_name"))) for k in work.get("keywords") or [] if isinstance(k, dict) and k.get("display_name")
            ],
            "abstract": _abstract(work.get("abstract_inverted_index")),
            "extra": compact({"citation_key": key, "entry_type": BIBTEX_TYPES.get(str(work.get("type")), "misc")}),
        }
    )


def parse(data: bytes, source: str) -> list[Imported]:
    try:
        payload = load_json(data)
    except ValueError as exc:
        return [Imported(source, 1, "?", issues=[("file", str(exc))])]
    works = payload.get("results") if isinstance(payload, dict) and "results" in payload else [payload]
    if not isinstance(works, list):
        return [Imported(source, 1, "?", issues=[("file", "expected an OpenAlex work or a list of `results`")])]
    found = []
    for position, work in enumerate(works, start=1):
        if not isinstance(work, dict):
            found.append(Imported(source, position, f"work {position}", issues=[("work", "expected an object")]))
            continue
        entry = Imported(source, position, str(work.get("id") or f"work {position}").rsplit("/", 1)[-1])
        entry.read(work_fields, work, shape="an OpenAlex")
        if arxiv_id(entry.fields.get("links", {}).get("arxiv", "")) and not entry.fields.get("venue"):
            entry.fields.pop("venue", None)
        found.append(entry)
    return found

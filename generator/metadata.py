"""What search engines, Google Scholar and link previews read from a page's head.

Google Scholar's inclusion guidelines ask for citation_* meta tags; schema.org JSON-LD
(ScholarlyArticle, Person) serves search engines. Both are built here as plain data and
written out by templates/partials/head_meta.html.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup

from . import bibliography, urls
from .model import PaperEntry, SiteModel


def arxiv_id(entry: PaperEntry) -> str:
    return bibliography.arxiv_id(entry.paper)


def doi(entry: PaperEntry) -> str:
    return bibliography.bare_doi(entry.paper)


def scholar_date(entry: PaperEntry) -> str:
    """Google Scholar reads YYYY/MM/DD, or the year alone when the day is not known."""
    date = entry.paper.date
    return f"{date.year:04d}/{date.month:02d}/{date.day:02d}" if date.day else f"{date.year:04d}"


_JOURNAL = re.compile(
    r"\b(journal|transactions|letters|magazine|review|proceedings of the ieee|nature|science|acta|annals)\b", re.IGNORECASE
)
_PREPRINT = re.compile(r"\b(arxiv|biorxiv|medrxiv|preprint|ssrn)\b", re.IGNORECASE)

# links that name the same work elsewhere (a code repository or slides are other works)
SAME_WORK = ("arxiv", "doi", "openreview", "paper", "publisher", "acl", "pubmed", "dblp", "semantic_scholar")


def venue_tag(venue: str, entry_type: str = "") -> str:
    """Scholar's tag for a venue: by the record's BibTeX entry type when it has one (imported
    records do), else journals by their usual words, preprint servers none, else a conference."""
    if entry_type in bibliography.BOOKTITLE_TYPES and venue:
        return "citation_conference_title"
    if entry_type == "article" and venue:
        return "citation_journal_title"
    if not venue or _PREPRINT.search(venue):
        return ""
    return "citation_journal_title" if _JOURNAL.search(venue) else "citation_conference_title"


def citation_tags(entry: PaperEntry, model: SiteModel, page_url: str) -> list[tuple[str, str]]:
    paper, base = entry.paper, urls.absolute_base(model.config.base_url)
    tags = [("citation_title", entry.title_text)]
    tags += [("citation_author", a.name) for a in entry.authors]
    tags.append(("citation_publication_date", scholar_date(entry)))
    given_type = bibliography.entry_type(paper) if paper.extra.get("entry_type") else ""
    if venue_tag(paper.venue, given_type):
        tags.append((venue_tag(paper.venue, given_type), paper.venue))
    if paper.link("pdf") and urls.absolute(base, paper.link("pdf")):
        tags.append(("citation_pdf_url", urls.absolute(base, paper.link("pdf"))))
    if arxiv_id(entry):
        tags.append(("citation_arxiv_id", arxiv_id(entry)))
    if doi(entry):
        tags.append(("citation_doi", doi(entry)))
    if base:
        tags.append(("citation_abstract_html_url", urls.absolute(base, page_url)))
    return tags


def _same_as(links) -> list[str]:
    return [target for _, target in links if urls.is_external(target) and target.startswith(("http://", "https://"))]


def article_jsonld(entry: PaperEntry, model: SiteModel) -> dict:
    paper, base = entry.paper, urls.absolute_base(model.config.base_url)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": entry.title_text,
        "name": entry.title_text,
        "author": [{"@type": "Person", "name": a.name} for a in entry.authors],
        "datePublished": paper.date.iso(),
        "about": paper.category.name,
    }
    if entry.abstract_text:
        data["abstract"] = entry.abstract_text
    if base:
        data["url"] = urls.absolute(base, entry.url)
    if paper.venue:
        data["isPartOf"] = {"@type": "PublicationIssue", "name": paper.venue}
    same = _same_as((kind, target) for kind, target in paper.links if kind.lower() in SAME_WORK)
    if same:
        data["sameAs"] = same
    if paper.tags:
        data["keywords"] = list(paper.tags)
    return data


def person_jsonld(model: SiteModel) -> dict:
    profile, base = model.profile, urls.absolute_base(model.config.base_url)
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Person", "name": profile.name}
    if profile.headline:
        data["jobTitle"] = profile.headline
    organizations = [profile.affiliation] if profile.affiliation else []
    organizations += [p.organization for p in model.cv.current if p.organization not in organizations]
    if organizations:
        data["affiliation"] = [{"@type": "Organization", "name": name} for name in organizations]
    schools = list(dict.fromkeys(e.institution for e in model.cv.record.education))
    if schools:
        data["alumniOf"] = [{"@type": "EducationalOrganization", "name": name} for name in schools]
    awards = [f"{a.name}, {a.by}" if a.by else a.name for a in model.cv.record.awards]
    if awards:
        data["award"] = awards
    if base:
        data["url"] = base
        if profile.photo and urls.absolute(base, profile.photo):
            data["image"] = urls.absolute(base, profile.photo)
    same = _same_as(profile.links)
    if same:
        data["sameAs"] = same
    return data


def jsonld_script(data: dict) -> Markup:
    """JSON for a <script> element: '<', '>' and '&' escaped so record text cannot close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # one line: json's C encoder (indenting is pure Python, 3x slower)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/ld+json">\n{text}\n</script>')

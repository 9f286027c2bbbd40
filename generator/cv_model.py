"""Stage 3 for the CV: the sections site.yaml asks for, each entry ready to show.

Every entry becomes the same few parts (title, where, when, details, note, links) so the /cv/
page, cv.pdf and the home page all show a CV the same way; Markdown and LaTeX are rendered here
once. The publications section is the site's papers (model.PaperEntry), not a cv.yaml section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from . import i18n
from .cv_records import CV, PRESENT, News, Position
from .markup import latex_text, render
from .records import PartialDate

HOME_NEWS = 5  # the newest news items the home page shows


@dataclass(frozen=True)
class CvEntry:
    title_html: Markup
    title: str  # the title's source text: may hold LaTeX, for cv.pdf
    where: str  # organization, institution, event, funder, venue
    place: str
    when: str
    details: tuple[tuple[str, Markup, str], ...]  # (label, HTML, source) lines such as Advisor, Thesis (labels in the site's language)
    note_html: Markup
    note: str  # Markdown source
    links: tuple[tuple[str, str], ...]
    record: Any  # the typed entry, for templates that want more


@dataclass(frozen=True)
class CvSection:
    key: str  # positions, education, publications, ...
    title: str  # in the site's language (the catalogue's cv_<key>)
    entries: tuple[CvEntry, ...]  # empty for publications: the papers are the site's entries


@dataclass(frozen=True)
class NewsItem:
    date: PartialDate
    html: Markup
    text: str
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CvModel:
    sections: tuple[CvSection, ...]  # site.yaml's order; sections without entries left out
    current: tuple[Position, ...]  # positions still going, as listed
    news: tuple[NewsItem, ...]  # newest first
    source: str  # content/cv.yaml, or ""
    record: CV  # every section as validated, whatever site.yaml shows (resume.json, JSON-LD)

    @property
    def latest_news(self) -> tuple[NewsItem, ...]:
        return self.news[:HOME_NEWS]


def month_year(date: PartialDate | None, t: Mapping[str, str] = i18n.ENGLISH) -> str:
    if date is None:
        return ""
    return i18n.date(t, PartialDate(date.year, date.month))


def period(start: PartialDate | None, end: PartialDate | str | None, t: Mapping[str, str] = i18n.ENGLISH) -> str:
    """'Aug 2022 – present', '2015 – 2019', '2019' when it began and ended in one year."""
    first = month_year(start, t)
    last = t["cv_present"] if end == PRESENT else month_year(end if isinstance(end, PartialDate) else None, t)
    if first and last and first != last:
        return i18n.fill(t["cv_period"], start=first, end=last)
    return first or last


def _inline(source: str, allow_html: bool, latex: bool = False) -> Markup:
    """Titles are text; those that may hold LaTeX and math (talks, theses) are rendered."""
    if latex:
        return render(source, False, inline=True)[0]
    return Markup.escape(latex_text(source) if "\\" in source else source)


def _entry(key: str, e: Any, allow_html: bool, t: Mapping[str, str]) -> CvEntry:
    latex = False
    details: list[tuple[str, Markup, str]] = []

    def detail(label: str, text: str, rendered: bool = False) -> None:
        if text:
            details.append((t[label], _inline(text, allow_html, rendered), text))

    if key == "education":
        title = i18n.fill(t["cv_degree_field"], degree=e.degree, field=e.field) if e.field else e.degree
        where, place, when = e.institution, e.location, period(e.start, e.end, t)
        detail("cv_thesis", e.thesis, rendered=True)
        detail("cv_advisor", e.advisor)
    elif key == "positions":
        title, where, place, when = e.title, e.organization, e.location, period(e.start, e.end, t)
    elif key == "awards":
        title, where, place, when = e.name, e.by, "", month_year(e.date, t)
    elif key == "grants":
        title, where, place, when, latex = e.title, e.funder, "", period(e.start, e.end, t), True
        detail("cv_role", e.role)
        detail("cv_amount", e.amount)
    elif key == "talks":
        title, where, place, when, latex = e.title, e.event, e.location, month_year(e.date, t), True
    elif key == "teaching":
        title, where, place, when = e.course, e.institution, "", e.term
        detail("cv_role", e.role)
    elif key == "service":
        title, where, place, when = e.role, e.venue, "", e.years
    elif key == "students":
        title, where, place, when = e.name, e.level, "", period(e.start, e.end, t)
        detail("cv_now", e.now)
    else:
        raise ValueError(f"no CV section {key!r}")
    return CvEntry(
        _inline(title, allow_html, latex),
        title,
        where,
        place,
        when,
        tuple(details),
        render(e.note, allow_html)[0] if e.note else Markup(""),
        e.note,
        e.links,
        e,
    )


def _news(items: tuple[News, ...], allow_html: bool) -> tuple[NewsItem, ...]:
    ordered = sorted(items, key=lambda n: n.date, reverse=True)  # stable: same-day items keep their order
    return tuple(NewsItem(n.date, *render(n.text, allow_html, inline=True), n.links) for n in ordered)


def build_cv(cv: CV, sections: tuple[str, ...], has_papers: bool, allow_html: bool, t: Mapping[str, str] = i18n.ENGLISH) -> CvModel:
    """The CV as shown; t is the site's interface text (section titles, labels, dates)."""
    shown = []
    news = _news(cv.news, allow_html)
    for key in sections:
        title = t[f"cv_{key}"]
        if key == "publications":
            if has_papers:
                shown.append(CvSection(key, title, ()))
        elif key == "news":
            if news:
                entries = tuple(CvEntry(n.html, n.text, "", "", month_year(n.date, t), (), Markup(""), "", n.links, n) for n in news)
                shown.append(CvSection(key, title, entries))
        elif getattr(cv, key):
            shown.append(CvSection(key, title, tuple(_entry(key, e, allow_html, t) for e in getattr(cv, key))))
    current = tuple(p for p in cv.positions if p.end in (None, PRESENT))
    return CvModel(tuple(shown), current, news, cv.source, cv)

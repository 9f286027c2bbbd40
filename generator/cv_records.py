"""Typed, immutable CV entries (content/cv.yaml) and the CV settings of site.yaml.

Every entry may carry `links` (label -> URL) and a Markdown `note`. Dates are PartialDates
(2019, 2019-09, 2019-09-01); the end of a period may be PRESENT.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .records import PartialDate

PRESENT = "present"  # the end of a period that has not ended

Links = tuple[tuple[str, str], ...]
End = PartialDate | str | None  # a date, PRESENT, or not given


@dataclass(frozen=True)
class Education:
    degree: str
    institution: str
    field: str = ""
    location: str = ""
    start: PartialDate | None = None
    end: End = None
    advisor: str = ""
    thesis: str = ""
    links: Links = ()
    note: str = ""


@dataclass(frozen=True)
class Position:
    title: str
    organization: str
    start: PartialDate
    location: str = ""
    end: End = None
    links: Links = ()
    note: str = ""


@dataclass(frozen=True)
class Award:
    name: str
    date: PartialDate
    by: str = ""
    links: Links = ()
    note: str = ""


@dataclass(frozen=True)
class Grant:
    title: str
    funder: str
    role: str = ""
    amount: str = ""
    start: PartialDate | None = None
    end: End = None
    links: Links = ()
    note: str = ""


@dataclass(frozen=True)
class Talk:
    title: str
    event: str
    date: PartialDate
    location: str = ""
    links: Links = ()
    note: str = ""


@dataclass(frozen=True)
class Teaching:
    course: str
    institution: str = ""
    term: str = ""
    role: str = ""
    links: Links = ()
    note: str = ""


@dataclass(frozen=True)
class Service:
    role: str
    venue: str = ""
    years: str = ""
    links: Links = ()
    note: str = ""


@dataclass(frozen=True)
class Student:
    name: str
    level: str = ""
    start: PartialDate | None = None
    end: End = None
    now: str = ""
    links: Links = ()
    note: str = ""


@dataclass(frozen=True)
class News:
    date: PartialDate
    text: str  # Markdown
    links: Links = ()


@dataclass(frozen=True)
class CV:
    """content/cv.yaml: every section a list of entries, in the author's order."""

    education: tuple[Education, ...] = ()
    positions: tuple[Position, ...] = ()
    awards: tuple[Award, ...] = ()
    grants: tuple[Grant, ...] = ()
    talks: tuple[Talk, ...] = ()
    teaching: tuple[Teaching, ...] = ()
    service: tuple[Service, ...] = ()
    students: tuple[Student, ...] = ()
    news: tuple[News, ...] = ()
    source: str = ""  # content/cv.yaml, or "" when the site has none


# The sections site.yaml's cv.sections may name; `publications` is the papers.
CV_SECTIONS = ("positions", "education", "publications", "awards", "grants", "talks", "teaching", "students", "service", "news")
DEFAULT_SECTIONS = CV_SECTIONS[:-1]  # news is on the home page; a CV lists it only when asked


@dataclass(frozen=True)
class PdfSettings:
    paper: str = "a4"  # a4 or us-letter, as Typst names them


@dataclass(frozen=True)
class CvSettings:
    sections: tuple[str, ...] = DEFAULT_SECTIONS
    pdf: PdfSettings = field(default_factory=PdfSettings)

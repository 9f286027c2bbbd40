"""Typed, immutable records: what validation produces and the model consumes."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, order=True)
class PartialDate:
    """A publication date that may lack its month or day (2023, 2023-09, 2023-09-19)."""

    year: int
    month: int = 0
    day: int = 0

    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def display(self) -> str:
        """In English ('Sep 19, 2023'); pages show dates in the site's language (i18n.date)."""
        from .i18n import ENGLISH, date

        return date(ENGLISH, self)


@dataclass(frozen=True)
class Category:
    code: str  # canonical arXiv code, e.g. cs.CV
    name: str  # e.g. Computer Vision and Pattern Recognition

    @property
    def short(self) -> str:
        """How the code is shown: cs.CV is shown as CV, other archives keep their prefix."""
        return self.code[3:] if self.code.startswith("cs.") else self.code


@dataclass(frozen=True)
class Metrics:
    h_index: int | str | None = None  # 'auto' until the model computes it from the papers
    citations: int | str | None = None
    novelty: float | None = None
    ai_score: float | None = None
    computed: str = ""  # what was auto, as the page says it: "h-index and citations"
    computed_from: int = 0  # papers with a citation count, when something was computed


@dataclass(frozen=True)
class Profile:
    name: str
    headline: str = ""
    affiliation: str = ""
    photo: str = ""
    email: str = ""
    links: tuple[tuple[str, str], ...] = ()
    metrics: Metrics = field(default_factory=Metrics)
    bio: str = ""  # Markdown source
    source: str = ""


@dataclass(frozen=True)
class Paper:
    slug: str
    title: str
    authors: tuple[str, ...]
    date: PartialDate
    category: Category
    source: str  # path of the record, relative to the site
    et_al: bool = False
    affiliation: str = ""
    venue: str = ""
    links: tuple[tuple[str, str], ...] = ()
    score: float | None = None
    citations: int | None = None
    tags: tuple[str, ...] = ()
    featured: bool = False
    draft: bool = False
    abstract: str = ""  # Markdown source
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def link(self, kind: str) -> str:
        return dict(self.links).get(kind, "")

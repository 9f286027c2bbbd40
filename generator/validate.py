"""Stage 2: turn parsed documents into typed records, reporting every problem at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Mapping

import yaml
from slugify import slugify

from . import schema as s
from .config import SiteConfig
from .errors import ContentError, Problem
from .load import RawRecord, RawSite
from .records import Category, Metrics, Paper, Profile

MAX_SLUG_BYTES = 200
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _language(value):
    result = s.nonempty_text(value)
    if not _LANGUAGE.match(result):
        raise s.FieldIssue(f"expected a language tag such as 'en' or 'pt-BR', got {result!r}")
    return result


def base_url(value):
    result = s.text(value)
    if not result:
        return ""
    if not re.match(r"^https?://[^/\s]+", result):
        raise s.FieldIssue(f"expected an absolute http(s) URL such as https://user.github.io/repo/, got {result!r}")
    return s.url(result).rstrip("/") + "/"


def _category_names(value):
    names = s.mapping(value)
    for code, name in names.items():
        if not isinstance(code, str) or not re.match(r"^[A-Za-z][\w.-]*$", code):
            raise s.FieldIssue(f"category codes are words such as QC or physics.optics, got {code!r}")
        try:
            s.nonempty_text(name)
        except s.FieldIssue as issue:
            raise s.FieldIssue(str(issue), subfield=code) from None
    return MappingProxyType(dict(names))


def _domain(value):
    result = s.text(value).lower().rstrip(".")
    if result and not re.match(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", result):
        raise s.FieldIssue(f"expected a domain name such as cv.example.org, got {value!r}")
    return result


CONFIG_FIELDS = {
    "title": s.Field(s.text),
    "base_url": s.Field(base_url),
    "language": s.Field(_language),
    "theme": s.Field(s.nonempty_text),
    "author": s.Field(s.text),
    "categories": s.Field(_category_names),
    "allow_html": s.Field(s.boolean),
    "cname": s.Field(_domain),
    "feed_limit": s.Field(s.number(1, integer=True)),
    "extra": s.Field(lambda v: MappingProxyType(s.mapping(v))),
}

METRIC_FIELDS = {
    "h_index": s.Field(s.number(0, integer=True)),
    "citations": s.Field(s.number(0, integer=True)),
    "novelty": s.Field(s.number(0, 100)),
    "ai_score": s.Field(s.number(0, 100)),
}

PROFILE_FIELDS = {
    "name": s.Field(s.nonempty_text, required=True),
    "headline": s.Field(s.text),
    "affiliation": s.Field(s.text),
    "photo": s.Field(s.url),
    "email": s.Field(s.text),
    "links": s.Field(s.url_map),
    "metrics": s.Field(s.mapping),  # checked field by field below
}

PAPER_FIELDS = {
    "title": s.Field(s.nonempty_text, required=True),
    "authors": s.Field(s.text_list(nonempty=True), required=True),
    "date": s.Field(s.partial_date, required=True),
    "category": s.Field(s.nonempty_text, required=True),
    "et_al": s.Field(s.boolean),
    "affiliation": s.Field(s.text),
    "venue": s.Field(s.text),
    "links": s.Field(s.url_map),
    "score": s.Field(s.number(0)),
    "citations": s.Field(s.number(0, integer=True)),
    "tags": s.Field(s.text_list()),
    "featured": s.Field(s.boolean),
    "draft": s.Field(s.boolean),
    "slug": s.Field(s.nonempty_text),
    "abstract": s.Field(s.text),
    "extra": s.Field(lambda v: MappingProxyType(s.mapping(v))),
}


@lru_cache(maxsize=1)
def arxiv_categories() -> Mapping[str, str]:
    text = resources.files("generator").joinpath("data/arxiv_categories.yaml").read_text("utf-8")
    return MappingProxyType(yaml.safe_load(text))


def category_table(config: SiteConfig) -> dict[str, Category]:
    """Every accepted spelling (CV, cs.CV, cv) -> its Category; site codes may add to arXiv's."""
    names = dict(arxiv_categories())
    for code, name in config.categories.items():
        full = code if "." in code or code in names else f"cs.{code}" if f"cs.{code}" in names else code
        names[full] = name
    table: dict[str, Category] = {}
    for code, name in names.items():
        category = Category(code, name)
        for spelling in {code, category.short}:
            table.setdefault(spelling.lower(), category)
    return table


def _resolve_category(value: str, table: dict[str, Category]) -> Category:
    found = table.get(value.lower())
    if found is None:
        shown = sorted({c.short for c in table.values()} | {c.code for c in table.values()})  # CV and cs.CV
        raise s.FieldIssue(f"unknown category {value!r}{s.suggestion(value, shown)}; add it under 'categories' in site.yaml if it is your own")
    return found


def validate_config(raw: RawRecord | None) -> tuple[SiteConfig, list[Problem]]:
    if raw is None:
        return SiteConfig(), []
    values, problems = s.check_fields(raw.doc, CONFIG_FIELDS, raw.path)
    return SiteConfig(**values), problems


def validate_profile(raw: RawRecord) -> tuple[Profile | None, list[Problem]]:
    values, problems = s.check_fields(raw.doc, PROFILE_FIELDS, raw.path)
    metrics = Metrics()
    if "metrics" in values:
        sub = type(raw.doc)(values["metrics"], {k[8:]: v for k, v in raw.doc.lines.items() if k.startswith("metrics.")}, raw.doc.line("metrics"))
        metric_values, metric_problems = s.check_fields(sub, METRIC_FIELDS, raw.path)
        problems += [Problem(p.path, p.line, f"metrics.{p.field}", p.message) for p in metric_problems]
        metrics = Metrics(**metric_values)
    values["metrics"] = metrics
    if problems:
        return None, problems
    return Profile(bio=raw.body.strip(), source=raw.path, **values), []


def validate_paper(raw: RawRecord, categories: dict[str, Category]) -> tuple[Paper | None, list[Problem]]:
    values, problems = s.check_fields(raw.doc, PAPER_FIELDS, raw.path)
    if "category" in values:
        try:
            values["category"] = _resolve_category(values["category"], categories)
        except s.FieldIssue as issue:
            problems.append(Problem(raw.path, raw.doc.line("category"), "category", str(issue)))
    if raw.path.endswith(".md") and "abstract" in values:
        problems.append(Problem(raw.path, raw.doc.line("abstract"), "abstract", "a Markdown record keeps its abstract in the body, below the front matter"))
    stem = PurePosixPath(raw.path).stem
    slug = values.pop("slug", None) or slugify(stem)
    if slug != slugify(slug) or not slug:
        line = raw.doc.line("slug") if "slug" in raw.doc.data else 1
        problems.append(Problem(raw.path, line, "slug", f"slugs use lowercase letters, digits and hyphens, e.g. {slugify(slug) or 'my-paper'!r}"))
    elif len(slug.encode()) > MAX_SLUG_BYTES:  # it becomes a folder name: file systems stop at 255 bytes
        line = raw.doc.line("slug") if "slug" in raw.doc.data else 1
        problems.append(Problem(raw.path, line, "slug", f"slug is {len(slug.encode())} bytes long, more than the {MAX_SLUG_BYTES} bytes "
                                                         "a folder name may safely have; set a shorter 'slug:'"))
    if problems:
        return None, problems
    if raw.path.endswith(".md"):
        values["abstract"] = raw.body.strip()
    return Paper(slug=slug, source=raw.path, **values), []


@dataclass(frozen=True)
class ValidSite:
    config: SiteConfig
    profile: Profile
    papers: tuple[Paper, ...]  # drafts removed unless asked for


def validate_site(raw: RawSite, drafts: bool = False, memo: dict | None = None) -> ValidSite:
    """Raises ContentError listing every problem of the whole site.

    memo (kept by cvsite serve between builds) skips records parsed to the same object as last time.
    """
    memo = memo if memo is not None else {}
    problems = list(raw.problems)
    config, found = validate_config(raw.config)
    problems += found
    profile = None
    if raw.profile is not None:
        profile, found = validate_profile(raw.profile)
        problems += found
    table = category_table(config)
    table_key = tuple(sorted(config.categories.items()))
    papers: list[Paper] = []
    for record in raw.papers:
        cached = memo.get(record.path)
        if cached and cached[0] is record and cached[1] == table_key:
            paper, found = cached[2]
        else:
            paper, found = validate_paper(record, table)
            memo[record.path] = (record, table_key, (paper, found))
        problems += found
        if paper is not None:
            papers.append(paper)
    for gone in set(memo) - {r.path for r in raw.papers}:
        del memo[gone]
    problems += _duplicate_slugs(papers, raw)
    if problems or profile is None:
        raise ContentError(problems)
    kept = tuple(p for p in papers if drafts or not p.draft)
    return ValidSite(config, profile, kept)


def _duplicate_slugs(papers: list[Paper], raw: RawSite) -> list[Problem]:
    lines = {r.path: r.doc.line("slug") if "slug" in r.doc.data else 1 for r in raw.papers}
    first: dict[str, Paper] = {}
    problems = []
    for paper in papers:
        if paper.slug in first:
            other = first[paper.slug].source
            problems.append(Problem(paper.source, lines[paper.source], "slug",
                                    f"duplicate slug {paper.slug!r}: {other} has the same one (/papers/{paper.slug}/)"))
        else:
            first[paper.slug] = paper
    return problems

"""Stage 2: turn parsed documents into typed records, reporting every problem at once."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from importlib import resources
from pathlib import PurePosixPath
from types import MappingProxyType

import yaml
from slugify import slugify

from . import fields
from . import schema as s
from .config import SiteConfig
from .cv_records import CV
from .errors import ContentError, Problem, split
from .load import RawRecord, RawSite
from .memo import cached, digest
from .records import Category, Paper, Profile
from .validate_cv import validate_cv

MAX_SLUG_BYTES = 200

# Every field is declared once, in fields.py; these names are the tables the validator applies.
CONFIG_FIELDS = fields.CONFIG
PROFILE_FIELDS = fields.PROFILE
METRIC_FIELDS = fields.METRICS
PAPER_FIELDS = fields.PAPER  # ordered: the README's order, and the order `cvsite import` writes
base_url = s.base_url  # the CLI checks --base-url like site.yaml's base_url


@lru_cache(maxsize=1)
def arxiv_categories() -> Mapping[str, str]:
    text = resources.files("generator").joinpath("data/arxiv_categories.yaml").read_text("utf-8")
    return MappingProxyType(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))  # libyaml's parser: the same data


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


CATEGORY_LIST = "https://arxiv.org/category_taxonomy"  # where arXiv's codes are listed (a copy: generator/data/)
_SMALL_WORDS = frozenset({"and", "of", "the", "in", "for", "on", "with"})


def _initials(name: str) -> str:
    return "".join(word[0] for word in re.findall(r"[A-Za-z]+", name) if word.lower() not in _SMALL_WORDS).lower()


def close_categories(value: str, table: dict[str, Category]) -> list[tuple[str, Category]]:
    """(spelling, category) of what value may mean, the closest first: by code in the value's
    own spelling (cs.LGG: cs.LG) or by name (ML: LG, Machine Learning; 'computer vision': CV)."""
    categories = sorted(set(table.values()), key=lambda c: (not c.code.startswith("cs."), c.code))
    word = value.strip().lower()
    found = [(c.short, c) for c in categories if word in (_initials(c.name), c.name.lower())]
    found += [(c.short, c) for c in categories if len(word) > 3 and c.name.lower().startswith(word)]
    codes = {c.code.lower(): (c.code, c) for c in categories} | {c.short.lower(): (c.short, c) for c in categories}
    found += [codes[m] for m in difflib.get_close_matches(word, list(codes), n=2, cutoff=0.7)]
    names = {c.name.lower(): (c.short, c) for c in reversed(categories)}  # one name, several archives: cs first
    found += [names[m] for m in difflib.get_close_matches(word, list(names), n=2, cutoff=0.7)]
    unique: dict[Category, str] = {}
    for spelling, category in found:
        unique.setdefault(category, spelling)
    return [(spelling, category) for category, spelling in unique.items()][:3]


def _resolve_category(value: str, table: dict[str, Category]) -> Category:
    found = table.get(value.lower())
    if found is None:
        close = " or ".join(f"'{shown}' ({c.name})" for shown, c in close_categories(value, table))
        hint = f" (did you mean {close}?)" if close else ""
        raise s.FieldIssue(
            f"unknown category {value!r}{hint}; the codes are arXiv's, listed at {CATEGORY_LIST}; "
            "add one of your own under 'categories' in site.yaml"
        )
    return found


def validate_config(raw: RawRecord | None) -> tuple[SiteConfig, list[Problem]]:
    if raw is None:
        return SiteConfig(), []
    values, problems = s.check_fields(raw.doc, CONFIG_FIELDS, raw.path)
    return SiteConfig(**values), problems


def validate_profile(raw: RawRecord) -> tuple[Profile | None, list[Problem]]:
    values, problems = s.check_fields(raw.doc, PROFILE_FIELDS, raw.path)
    if split(problems)[0]:
        return None, problems
    return Profile(bio=raw.body.strip(), source=raw.path, **values), problems


# What slugify makes, and so what it leaves as it is: a file named as a slug is its own slug
# (python-slugify costs about 13 µs a call)
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def validate_paper(raw: RawRecord, categories: dict[str, Category]) -> tuple[Paper | None, list[Problem]]:
    """The paper (None when there are errors) and its problems: errors and warnings."""
    values, problems = s.check_fields(raw.doc, PAPER_FIELDS, raw.path)
    if "category" in values:
        try:
            values["category"] = _resolve_category(values["category"], categories)
        except s.FieldIssue as issue:
            problems.append(Problem(raw.path, raw.doc.line("category"), "category", str(issue)))
    if raw.path.endswith(".md") and "abstract" in values:
        problems.append(
            Problem(
                raw.path, raw.doc.line("abstract"), "abstract", "a Markdown record keeps its abstract in the body, below the front matter"
            )
        )
    stem = PurePosixPath(raw.path).stem
    slug = values.pop("slug", None) or (stem if _SLUG.fullmatch(stem) else slugify(stem))
    if not _SLUG.fullmatch(slug):
        line = raw.doc.line("slug") if "slug" in raw.doc.data else 1
        problems.append(
            Problem(raw.path, line, "slug", f"slugs use lowercase letters, digits and hyphens, e.g. {slugify(slug) or 'my-paper'!r}")
        )
    elif len(slug.encode()) > MAX_SLUG_BYTES:  # it becomes a folder name: file systems stop at 255 bytes
        line = raw.doc.line("slug") if "slug" in raw.doc.data else 1
        problems.append(
            Problem(
                raw.path,
                line,
                "slug",
                f"slug is {len(slug.encode())} bytes long, more than the {MAX_SLUG_BYTES} bytes "
                "a folder name may safely have; set a shorter 'slug:'",
            )
        )
    if split(problems)[0]:
        return None, problems
    if raw.path.endswith(".md"):
        values["abstract"] = raw.body.strip()
    return Paper(slug=slug, source=raw.path, **values), problems


@dataclass(frozen=True)
class ValidSite:
    config: SiteConfig
    profile: Profile
    papers: tuple[Paper, ...]  # drafts removed unless asked for
    # paper source -> hash of what it was made from (its file, the category table): what caches key on
    paper_keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[Problem, ...] = ()  # likely mistakes that do not stop the build
    cv: CV = field(default_factory=CV)  # content/cv.yaml; empty when the site has none


def validate_site(raw: RawSite, drafts: bool = False) -> ValidSite:
    """Raises ContentError listing every problem of the whole site.

    A record validated before against the same category table is not validated again (memo.py).
    """
    problems = list(raw.problems)
    config, found = validate_config(raw.config)
    problems += found
    profile = None
    if raw.profile is not None:
        profile, found = validate_profile(raw.profile)
        problems += found
    table = category_table(config)
    table_key = digest(sorted(config.categories.items()))
    papers: list[Paper] = []
    keys: dict[str, str] = {}
    for record in raw.papers:
        key = keys[record.path] = f"{record.path}\0{record.digest}\0{table_key}"
        paper, found = cached("paper", key, partial(validate_paper, record, table))
        problems += found
        if paper is not None:
            papers.append(paper)
    problems += _duplicate_slugs(papers, raw)
    for record in raw.papers:  # validated: what the papers need of their parsed content, they hold
        record.release()
    cv, found = validate_cv(raw.cv)
    problems += found
    errors, warnings = split(problems)
    if errors or profile is None:
        raise ContentError(errors, warnings)
    kept = tuple(p for p in papers if drafts or not p.draft)
    return ValidSite(config, profile, kept, MappingProxyType(keys), tuple(sorted(warnings)), cv)


def _duplicate_slugs(papers: list[Paper], raw: RawSite) -> list[Problem]:
    first: dict[str, Paper] = {}
    problems = []
    records: dict[str, RawRecord] = {}  # made for the first duplicate only: a record found in the build
    for paper in papers:  # cache unpacks its parsed content only when read (load.RawRecord)
        if paper.slug in first:
            other = first[paper.slug].source
            records = records or {r.path: r for r in raw.papers}
            record = records[paper.source]
            problems.append(
                Problem(
                    paper.source,
                    record.doc.line("slug") if "slug" in record.doc.data else 1,
                    "slug",
                    f"duplicate slug {paper.slug!r}: {other} has the same one (/papers/{paper.slug}/)",
                )
            )
        else:
            first[paper.slug] = paper
    return problems

"""Stage 3: the immutable site model: sorted papers, groupings, counts and the page list.

Markdown and LaTeX are rendered here, once per record, so the render stage is plain templating.
Every Page declares the record files it depends on; that is what incremental rebuilds key on.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from types import MappingProxyType
from typing import NamedTuple

from markupsafe import Markup

from . import bibliography, i18n, joined, urls
from .config import SiteConfig
from .cv_model import CvModel, build_cv
from .fields import LINK_KINDS
from .markup import latex_text, latex_text_noted, render_noted
from .memo import active, cached, digest
from .metrics import resolve_metrics
from .records import Category, Paper, Profile
from .validate import ValidSite


@dataclass(frozen=True)
class Author:
    name: str
    is_site_author: bool


@dataclass(frozen=True)
class AuthorLine:
    """An author list as shown: None stands for authors left out ("…")."""

    names: tuple[Author | None, ...]
    total: int | None = None  # shown as "(12 authors)" when the line is shortened and the count is known
    et_al: bool = False  # the record's list is itself truncated and the line does not end in "…"


# A listing shows author lists of up to AUTHORS_WHOLE names whole; a longer one as its first
# AUTHORS_FIRST names, then the site author where they stand, then the count. A truncated record
# (et_al) that leaves the site author out still shows them: every paper of a CV is the owner's.
AUTHORS_WHOLE = 6
AUTHORS_FIRST = 3


def author_line(authors: tuple[Author, ...], et_al: bool, owner: str, short: bool) -> AuthorLine:
    mine = next((i for i, a in enumerate(authors) if a.is_site_author), None)
    if mine is None and et_al:  # the owner is somewhere in the authors left out
        first = authors[:AUTHORS_FIRST] if short else authors
        return AuthorLine((*first, None, Author(owner, True), None))
    if not short or len(authors) <= AUTHORS_WHOLE:
        return AuthorLine(authors, et_al=et_al)
    names: tuple[Author | None, ...] = authors[:AUTHORS_FIRST]
    if mine is not None and mine >= AUTHORS_FIRST:
        names += ((None,) if mine > AUTHORS_FIRST else ()) + (authors[mine],)
        names += (None,) if mine < len(authors) - 1 else ()
    else:
        names += (None,)
    return AuthorLine(names, None if et_al else len(authors))


@dataclass(frozen=True)
class PaperEntry:
    paper: Paper
    url: str
    title_html: Markup
    title_text: str
    authors: tuple[Author, ...]  # as in the record
    author_line: AuthorLine  # on the paper's page: every listed author
    short_author_line: AuthorLine  # in listings
    abstract_html: Markup
    abstract_text: str
    category_url: str
    year_url: str
    bibtex_url: str  # the paper's own .bib file
    link_items: tuple[tuple[str, str, str], ...]  # (kind, label, target) in LINK_KINDS order, then the rest
    citation_base: str  # the citation key it wants, before papers wanting the same one are told apart
    key: str = ""  # hash of everything this entry was made from: what the CV's cached citations key on
    notes: tuple[tuple[str, str, str], ...] = ()  # (field, source text, problem) of malformed LaTeX


# How listings scale (documented in README, "Listings at any size"): a listing of at most
# LISTING_FULL papers is one page showing every paper with its collapsed abstract, as a CV of a
# few dozen papers reads best. A longer category or year listing is split into pages of
# PAGE_SIZE papers without abstracts (each paper's page has it), and a longer home page shows the
# newest HOME_NEWEST papers and links to every page of every year: every paper stays two clicks
# from the home page and no listing page grows with the size of the site.
LISTING_FULL = 30
PAGE_SIZE = 30
HOME_NEWEST = 10
# A page of a split listing links the first and the last pages and PAGER_REACH pages on either
# side of itself ("…" for each run left out), so its size does not grow with the listing's
# (at 100,000 papers a category has hundreds of pages: linking each from each was quadratic)
PAGER_REACH = 2


class PagerLink(NamedTuple):
    number: int  # 1-based
    url: str


@dataclass(frozen=True)
class Group:
    """Papers under one category or one year, newest first."""

    key: str  # category short code or year
    label: str
    url: str
    entries: tuple[PaperEntry, ...]
    category: Category | None = None

    @property
    def pages(self) -> tuple[str, ...]:
        """The URLs of the pages this group's listing is split into (one when it is short)."""
        return listing_pages(self.url, len(self.entries))


@dataclass(frozen=True)
class Listing:
    """What one listing page shows: a whole group, one page of it, or the home page's papers."""

    group: Group | None  # None on the home page
    entries: tuple[PaperEntry, ...]
    number: int  # 1-based page number
    pages: tuple[str, ...]  # URLs of every page of this listing, in order
    abstracts: bool  # short listings carry each paper's collapsed abstract

    @property
    def previous(self) -> str | None:
        return self.pages[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.pages[self.number] if self.number < len(self.pages) else None

    @property
    def pager(self) -> tuple[PagerLink | None, ...]:
        """The numbered links to show between this listing's pages (None: "…", pages left out)."""
        count = len(self.pages)
        if count <= 2 * PAGER_REACH + 5:  # no more links than a longer listing shows: all of them
            return tuple(PagerLink(n, url) for n, url in enumerate(self.pages, 1))
        low, high = max(1, self.number - PAGER_REACH), min(count, self.number + PAGER_REACH)
        low = 1 if low <= 3 else low  # "…" never stands for a single page: that page is shown instead
        high = count if high >= count - 2 else high
        numbers = [*((1, None) if low > 1 else ()), *range(low, high + 1), *((None, count) if high < count else ())]
        return tuple(None if n is None else PagerLink(n, self.pages[n - 1]) for n in numbers)


@dataclass(frozen=True)
class Page:
    url: str
    template: str
    kind: str  # home, paper, categories, category, years, year, cv, search, not_found; search_data;
    # resume, cv_pdf; feed, sitemap, robots (with base_url); bibtex, csl_json, ris (the whole bibliography), paper_bibtex (one paper's .bib)
    key: str = ""  # the paper slug, category slug or year this page shows
    inputs: tuple[str, ...] = ()  # record files whose content this page shows


@dataclass(frozen=True)
class SiteModel:
    config: SiteConfig
    profile: Profile
    author: str
    bio_html: Markup
    entries: tuple[PaperEntry, ...]  # newest first
    featured: tuple[PaperEntry, ...]  # papers marked featured: true, newest first
    by_year: tuple[Group, ...]  # newest year first
    by_category: tuple[Group, ...]  # most papers first
    pages: tuple[Page, ...]
    by_url: Mapping[str, PaperEntry | Group]  # the paper, category and year groups by URL
    listings: Mapping[str, Listing]  # what the home, category and year pages show, by page URL
    citation_keys: Mapping[str, str]  # paper slug -> its citation key in every bibliography file
    exports: Mapping[str, bibliography.PaperExport]  # paper slug -> the paper in BibTeX, CSL-JSON and RIS, in the order of entries
    cv: CvModel  # the sections of /cv/, cv.pdf and resume.json
    pdf: bool = False  # there is a /cv.pdf to link: built here, or the site's own static/cv.pdf
    bio_notes: tuple[tuple[str, str], ...] = ()  # (source text, problem) of malformed LaTeX in the bio
    # what each paper's exports are made from, as 8 bytes of the hash of its export_key, in the
    # order of entries: the bibliography files copy the unchanged papers' bytes by it (joined.py)
    export_ids: bytes = b""

    @property
    def home(self) -> Listing:
        return self.listings[urls.HOME]

    @property
    def paper_count(self) -> int:
        return len(self.entries)


def _norm_name(name: str) -> str:
    return " ".join(name.casefold().split())


def _link_items(paper: Paper) -> tuple[tuple[str, str, str], ...]:
    """The record's links in a fixed order with readable labels (kinds cvsite does not know keep
    the record's order, after the known ones); a record's own bibtex link gives way to cvsite's."""
    rank = {kind: i for i, kind in enumerate(LINK_KINDS)}
    kept = [(kind, target) for kind, target in paper.links if kind.lower() != "bibtex"]
    kept.sort(key=lambda item: rank.get(item[0].lower(), len(rank)))  # a stable sort
    return tuple((kind, LINK_KINDS.get(kind.lower(), kind), target) for kind, target in kept)


def _entry(paper: Paper, author: str, allow_html: bool, key: str, abstract: str | None = None) -> PaperEntry:
    """The paper's entry; abstract: its abstract_key, when the caller has it already."""
    me = _norm_name(author)
    title_html, title_text, title_notes = render_noted(paper.title, False, inline=True, links=False)  # raw HTML in titles: never
    abstract_html, abstract_text, abstract_notes = cached(
        "abstract", abstract or abstract_key(paper, allow_html), partial(render_noted, paper.abstract, allow_html)
    )
    names, author_notes = zip(*(latex_text_noted(n) for n in paper.authors)) if paper.authors else ((), ())
    notes = (
        [("title", *n) for n in title_notes]
        + [("abstract", *n) for n in abstract_notes]
        + [("authors", name, issue) for name, issue in zip(paper.authors, author_notes) if issue]
    )
    authors = tuple(Author(n, _norm_name(n) == me) for n in names)
    return PaperEntry(
        paper=paper,
        url=urls.paper_url(paper.slug),
        title_html=title_html,
        title_text=title_text,
        authors=authors,
        author_line=author_line(authors, paper.et_al, latex_text(author), short=False),
        short_author_line=author_line(authors, paper.et_al, latex_text(author), short=True),
        abstract_html=abstract_html,
        abstract_text=abstract_text,
        category_url=urls.category_url(paper.category),
        year_url=urls.year_url(paper.date.year),
        bibtex_url=urls.paper_bibtex_url(paper.slug),
        link_items=_link_items(paper),
        citation_base=bibliography.wanted_key(paper),
        key=key,
        notes=tuple(notes),
    )


def abstract_key(paper: Paper, allow_html: bool) -> str:
    """What a paper's rendered abstract is kept under (text_key)."""
    return text_key(paper.source, paper.abstract, allow_html)


def text_key(source: str, text: str, allow_html: bool) -> str:
    """What a record's rendered Markdown text (an abstract, the bio) is kept under: the text (and
    allow_html), so that an edit of another field (a title) makes the record's results again
    without parsing it, or even loading the Markdown and math libraries; and the record's path,
    so that the store keeps it beside that record's other results, whose strings it shares
    (memo.shard_of)."""
    return f"{source}\0{digest(text)}\0{allow_html}"


def _abstract_notes(entry: PaperEntry) -> tuple[tuple[str, str], ...]:
    """The abstract's notes (text, problem) as render_noted gave them to _entry."""
    return tuple((text, problem) for field, text, problem in entry.notes if field == "abstract")


def listing_pages(url: str, count: int) -> tuple[str, ...]:
    if count <= LISTING_FULL:
        return (url,)
    return tuple(urls.listing_page_url(url, n) for n in range(1, -(-count // PAGE_SIZE) + 1))


def group_listings(group: Group) -> list[Listing]:
    pages = group.pages
    if len(pages) == 1:
        return [Listing(group, group.entries, 1, pages, True)]
    return [Listing(group, group.entries[i * PAGE_SIZE : (i + 1) * PAGE_SIZE], i + 1, pages, False) for i in range(len(pages))]


def home_listing(entries: tuple[PaperEntry, ...]) -> Listing:
    if len(entries) <= LISTING_FULL:
        return Listing(None, entries, 1, (urls.HOME,), True)
    return Listing(None, entries[:HOME_NEWEST], 1, (urls.HOME,), False)


def newest_first(papers) -> list[Paper]:
    """By date, newest first, then by title and slug: one sort on a plain tuple (comparing the
    PartialDate records themselves calls Python code about 120,000 times at 10,000 papers)."""
    return sorted(papers, key=lambda p: (-p.date.year, -p.date.month, -p.date.day, p.title.casefold(), p.slug))


def entry_key(site: ValidSite, paper: Paper) -> str:
    """The hash of everything an entry is made from: its record, the author highlighted, allow_html."""
    config = site.config
    record = site.paper_keys.get(paper.source) or digest(paper)
    return f"{record}\0{config.author or site.profile.name}\0{config.allow_html}"


def make_entry(site: ValidSite, paper: Paper) -> PaperEntry:
    config = site.config
    return _entry(paper, config.author or site.profile.name, config.allow_html, entry_key(site, paper))


def build_model(site: ValidSite, pdf: bool = False, own_pdf: bool = False, jobs: int | None = 1) -> SiteModel:
    """An entry made before from the same paper and settings is not made again (memo.py); the
    others are made by `jobs` processes (None: one per core).

    pdf says whether cv.pdf can be built (the pdf extra is installed), own_pdf that the site has
    a static/cv.pdf of its own, which is then published instead."""
    config = site.config
    profile = dataclasses.replace(site.profile, metrics=resolve_metrics(site.profile.metrics, site.papers))
    entries = _entries(site, newest_first(site.papers), config.author or profile.name, jobs)

    by_year = tuple(
        Group(str(year), str(year), urls.year_url(year), tuple(group)) for year, group in groupby(entries, key=lambda e: e.paper.date.year)
    )
    categories: dict[str, list[PaperEntry]] = {}
    for entry in entries:
        categories.setdefault(entry.paper.category.code, []).append(entry)
    by_category = tuple(
        sorted(
            (
                Group(
                    items[0].paper.category.short,
                    items[0].paper.category.name,
                    items[0].category_url,
                    tuple(items),
                    items[0].paper.category,
                )
                for items in categories.values()
            ),
            key=lambda g: (-len(g.entries), g.key),
        )
    )

    keys = bibliography.citation_keys((e.paper for e in entries), {e.paper.slug: e.citation_base for e in entries})

    export_keys = [export_key(e, keys[e.paper.slug], config.base_url) for e in entries]
    exports = _exports(entries, keys, config.base_url, export_keys, jobs)
    export_ids = b"".join(map(export_id, export_keys))
    del export_keys
    # a paper's key depends on the papers that want the same one: they are inputs of its pages
    same_key: dict[str, list[str]] = {}
    for entry in entries:
        same_key.setdefault(entry.citation_base, []).append(entry.paper.source)

    cite_inputs = {base: (profile.source, *sorted(sources)) for base, sources in same_key.items()}  # a paper's page and its .bib

    every = (profile.source, *[e.paper.source for e in entries])
    listings = {urls.HOME: home_listing(entries)}
    for group in (*by_category, *by_year):
        listings.update((url, listing) for url, listing in zip(group.pages, group_listings(group)))

    def shown(url: str) -> tuple[str, ...]:
        """A listing page shows the profile and its papers; counts and page links come from the
        site's shape, which every page's fingerprint includes (incremental.site_shape)."""
        return (profile.source, *(e.paper.source for e in listings[url].entries))

    cv = build_cv(site.cv, config.cv.sections, bool(entries), config.allow_html, i18n.messages(config.language, config.strings))
    cv_file = (cv.source,) if cv.source else ()
    featured = tuple(e for e in entries if e.paper.featured)

    pages = [
        # auto metrics are computed from every paper's citations
        Page(
            urls.HOME,
            "index.html",
            "home",
            inputs=(*every, *cv_file)
            if profile.metrics.computed
            else tuple(dict.fromkeys((*shown(urls.HOME), *(e.paper.source for e in featured), *cv_file))),
        ),
        # counts and the chart: the site's shape, which every page's key holds (incremental.site_shape)
        Page("/categories/", "categories.html", "categories", inputs=(profile.source,)),
        Page("/years/", "years.html", "years", inputs=(profile.source,)),
        Page(urls.NOT_FOUND, "404.html", "not_found", inputs=(profile.source,)),
    ]
    # the CV lists every paper and every cv.yaml section: the page, resume.json and cv.pdf
    pages.append(Page(urls.CV, "cv.html", "cv", inputs=(*every, *cv_file)))
    pages.append(Page(urls.RESUME, "", "resume", inputs=(*every, *cv_file)))
    if pdf and not own_pdf:
        pages.append(Page(urls.CV_PDF, "", "cv_pdf", inputs=(*every, *cv_file)))
    # search: a page of its own, and its data (search.py), which any paper may change (so the preview
    # remakes them after any edit; a build keys each file by what it shows, pipeline.SHOWN)
    pages.append(Page("/search/", "search.html", "search", inputs=(profile.source,)))
    pages += [Page(url, "", "search_data", inputs=every) for url in urls.search_data_urls(len(entries))]
    pages += [Page(e.url, "paper.html", "paper", e.paper.slug, cite_inputs[e.citation_base]) for e in entries]
    pages += [Page(e.bibtex_url, "", "paper_bibtex", e.paper.slug, cite_inputs[e.citation_base]) for e in entries]
    if entries:
        pages += [Page(url, "", kind, inputs=every) for kind, url in urls.BIBLIOGRAPHY.items()]
    pages += [Page(url, "category.html", "category", g.url.split("/")[2], shown(url)) for g in by_category for url in g.pages]
    pages += [Page(url, "year.html", "year", g.key, shown(url)) for g in by_year for url in g.pages]
    if urls.absolute_base(config.base_url):  # feeds and sitemaps are made of absolute URLs
        # a feed shows its newest feed_limit papers: those are its inputs
        newest = config.feed_limit
        pages.append(Page("/feed.xml", "feed.xml", "feed", "", (profile.source, *(e.paper.source for e in entries[:newest]))))
        pages += [
            Page(g.url + "feed.xml", "feed.xml", "feed", g.url, (profile.source, *(e.paper.source for e in g.entries[:newest])))
            for g in by_category
        ]
        pages += [Page("/sitemap.xml", "sitemap.xml", "sitemap", "", every), Page("/robots.txt", "robots.txt", "robots")]
    by_url = {e.url: e for e in entries} | {g.url: g for g in (*by_year, *by_category)}
    bio = text_key(profile.source, profile.bio, config.allow_html)
    bio_html, _, bio_notes = cached("bio", bio, partial(render_noted, profile.bio, config.allow_html))
    return SiteModel(
        config,
        profile,
        config.author or profile.name,
        bio_html,
        entries,
        featured,
        by_year,
        by_category,
        tuple(pages),
        MappingProxyType(by_url),
        MappingProxyType(listings),
        MappingProxyType(keys),
        MappingProxyType(exports),
        cv,
        pdf or own_pdf,
        bio_notes,
        export_ids,
    )


def _entries(site: ValidSite, papers: list[Paper], author: str, jobs: int | None) -> tuple[PaperEntry, ...]:
    """Each paper's entry (its Markdown and LaTeX rendered); those not in the memo are made by
    `jobs` processes at once (Markdown is the largest part of a cold build)."""
    from . import parallel

    memo = active()
    keys = [entry_key(site, paper) for paper in papers]

    def made(i: int) -> tuple[dict, str]:  # in a worker: all but the paper, which this process has already
        abstract = abstract_key(papers[i], site.config.allow_html)  # (hashed here, on every core, once)
        entry = _entry(papers[i], author, site.config.allow_html, keys[i], abstract)
        fields = {f.name: getattr(entry, f.name) for f in dataclasses.fields(PaperEntry) if f.name != "paper"}
        return fields, abstract

    same: dict[Author, Author] = {}  # each author held once: papers share authors (the site's owner is on all)

    def once(names: tuple) -> tuple:
        return tuple(None if a is None else same.setdefault(a, a) for a in names)

    def received(i: int, sent: tuple[dict, str]) -> PaperEntry:  # a worker's authors are its own copies, one per paper
        fields, abstract = sent
        fields["authors"] = once(fields["authors"])
        for line in ("author_line", "short_author_line"):
            fields[line] = dataclasses.replace(fields[line], names=once(fields[line].names))
        entry = PaperEntry(paper=papers[i], **fields)
        if memo is not None:  # what _entry kept in the worker's memo, kept here
            rendered = (entry.abstract_html, entry.abstract_text, _abstract_notes(entry))
            memo.put("abstract", abstract, rendered)
        return entry

    return tuple(parallel.cached_map("entry", keys, made, jobs, received=received))


def export_key(entry: PaperEntry, citation_key: str, base_url: str) -> str:
    """What a paper's exports are made from, and kept in the cache under: its entry's key, its
    citation key and the base URL."""
    return f"{entry.key}\0{citation_key}\0{base_url}"


def export_id(key: str) -> bytes:
    """An export_key as 8 bytes of its hash: what a bibliography file's layout keeps a paper by,
    packed, so that the cache's index holds one bytes object for every paper, not one string
    each (joined.py)."""
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=joined.ID_SIZE).digest()


def _exports(
    entries: tuple[PaperEntry, ...], keys: Mapping[str, str], base_url: str, slots: Sequence[str], jobs: int | None
) -> dict[str, bibliography.PaperExport]:
    """Each paper in the bibliography formats (slug -> export), kept under its export_key; those
    not in the memo are made by `jobs` processes at once (None: one per core)."""
    from . import parallel

    def make(i: int) -> bibliography.ExportParts:  # in a worker: all but the abstract, which this process has already
        paper = entries[i].paper
        return bibliography.PaperExport.parts_of(paper, keys[paper.slug], base_url)

    def received(i: int, parts: bibliography.ExportParts) -> bibliography.PaperExport:
        return bibliography.PaperExport(*parts, entries[i].paper.abstract)

    made = parallel.cached_map("export", slots, make, jobs, received=received)
    return {e.paper.slug: export for e, export in zip(entries, made)}

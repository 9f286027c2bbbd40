"""What a page is keyed by in the build cache: a page is rendered again only when the hash of
its inputs (templates, config, profile, the site's shape, and the content of its declared
record files) differs from the one its bytes were rendered from."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Page, PaperEntry, SiteModel
    from .pipeline import RenderedSite
    from .records import Paper


def tree_digest(folders: list[Path]) -> str:
    """The content of every file under the folders (templates): changes when any of them does."""
    h = hashlib.sha256()
    for folder in folders:
        for dirpath, dirnames, filenames in sorted(os.walk(folder)):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                with open(path, "rb") as file:
                    data = file.read()
                h.update(f"{os.path.relpath(path, folder)}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
                h.update(data)
            h.update(b"\1")
        h.update(f"\2{folder}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def site_shape(model: SiteModel) -> tuple:
    """What every page may show of the whole site (counts, category and year lists)."""
    return (
        model.paper_count,
        tuple((g.url, g.label, len(g.entries)) for g in model.by_category),
        tuple((g.url, len(g.entries)) for g in model.by_year),
        # papers per year and category: the charts on the home and years pages
        tuple(sorted(Counter((e.paper.date.year, e.paper.category.short) for e in model.entries).items())),
    )


# An input list longer than this is hashed once per build and its hash stands for it in each
# key: the pages showing every paper share one list of 10,001 files.
SHARED_INPUTS = 16


def page_key(page: Page, shared: str, digests: dict[str, str], hashed: dict[tuple[str, ...], str] | None = None) -> str:
    """The hash of what every page shares, of the page, and of the content of its declared inputs.

    One hash over the parts joined by NUL, which no path, URL or hex digest holds (a key is made
    for every page of every build, 20,000 at 10,000 papers). The number of inputs comes before
    them, so a long list's hash cannot pass for a short list. hashed keeps each long list's hash
    across calls."""
    inputs = page.inputs
    if len(inputs) > SHARED_INPUTS:
        known = hashed.get(inputs) if hashed is not None else None
        if known is None:
            known = _hash_joined([f"{src}\1{digests.get(src)}" for src in inputs])
            if hashed is not None:
                hashed[inputs] = known
        parts = [known]
    else:
        parts = [f"{src}\1{digests.get(src)}" for src in inputs]
    return _hash_joined([shared, page.url, page.template, page.kind, page.key, str(len(inputs)), *parts])


def _hash_joined(parts: list[str]) -> str:
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


# ---------------------------------------------------------------- the preview: one edit, its pages

# Pages that show a bounded number of papers: after an edit the preview renders them at once. The
# others show every paper (the CV and its PDF, search data, bibliography files, feeds, sitemap,
# category and year indexes): the preview renders them next, in the background (server.py).
BOUNDED_KINDS = frozenset({"paper", "paper_bibtex", "home", "category", "year", "not_found", "search"})


@dataclass(frozen=True)
class Places:
    """Where each record file is in a site kept by the preview: built once per whole build, and
    still right after edit_papers, which never moves a record."""

    showing: dict[str, list[Page]]  # record file -> the pages that declare it as an input
    record: dict[str, int]  # record file -> its place in raw.papers
    paper: dict[str, int]  # record file -> its place in site.papers
    entry: dict[str, int]  # record file -> its place in model.entries


def places(rendered: RenderedSite) -> Places:
    showing: dict[str, list[Page]] = {}
    for page in rendered.model.pages:
        for source in page.inputs:
            showing.setdefault(source, []).append(page)
    papers = rendered.raw.papers if rendered.raw is not None else ()
    kept = rendered.site.papers if rendered.site is not None else ()
    return Places(
        showing,
        {r.path: i for i, r in enumerate(papers)},
        {p.source: i for i, p in enumerate(kept)},
        {e.paper.source: i for i, e in enumerate(rendered.model.entries)},
    )


@dataclass(frozen=True)
class PaperEdit:
    """What editing paper records changed: the new state and the pages to render again."""

    rendered: RenderedSite  # the site as it is now (model, records, warnings)
    now: tuple[Page, ...]  # pages of few papers: render at once
    later: tuple[Page, ...]  # pages of every paper: render next

    @property
    def first(self) -> tuple[Page, ...]:
        """What the person who saved looks at: the papers' own pages and the home page (its
        first page shows the newest papers). The preview writes and announces them before the
        other pages of `now`."""
        return tuple(page for page in self.now if page.kind in ("paper", "paper_bibtex") or page.url == "/")

    @property
    def next(self) -> tuple[Page, ...]:
        """The rest of `now`: listings of a category or year holding the papers, and the like."""
        first = {page.url for page in self.first}
        return tuple(page for page in self.now if page.url not in first)


_tables: dict[str, dict] = {}  # the category table last used, by its key (making it reads the arXiv list)


def edit_papers(
    rendered: RenderedSite, root: Path, paths: set[Path], at: Places, drafts: bool, read: Callable[[Path], bytes] | None = None
) -> PaperEdit | None:
    """The site after the paper records at paths were saved, remade from the last good one by
    redoing only what those records feed: their parse, validation and entry, and the model's
    groups and listings holding them. None when the edit changes more than that (a new, deleted
    or renamed record, an error, a new slug, date year, category, citation key, draft or featured
    state, or a place in the order), and the caller builds the whole site as a build does.

    Its pages are the pages declaring the records as inputs: a page's bytes are a function of its
    declared inputs and of what every page shares (templates, config, profile, the site's shape),
    which an edit of this kind leaves as it was. That is what the build cache relies on too.
    Per edited record, the work over the whole site is copying a few tables. read reads a
    record file (load's own reader by default); given the same bytes, the edit is the same, which
    is how the preview's background renderer follows the edits (server.Renderer)."""
    from types import SimpleNamespace

    from .errors import split
    from .load import PAPERS_DIR, _parse, _read_bytes
    from .memo import cached
    from .notes import latex_warnings
    from .validate import category_table, validate_paper

    raw, site, model = rendered.raw, rendered.site, rendered.model
    if raw is None or site is None:
        return None
    papers_dir = root / PAPERS_DIR
    records, digests, paper_keys = list(raw.papers), dict(raw.digests), dict(site.paper_keys)
    papers = list(site.papers)
    replaced: dict[int, PaperEntry] = {}  # entry position -> the old entry, made again below
    changed: list[str] = []
    problems: list = []
    for path in sorted(paths):
        if path == papers_dir or (papers_dir in path.parents and path.is_dir()):
            continue  # a folder's own event: its files' events say what changed
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            return None
        if rel not in at.record or rel not in at.paper or os.path.islink(path):
            return None
        try:
            data = (read or _read_bytes)(path)
        except Exception:  # noqa: BLE001 - unreadable now: the whole build reports it
            return None
        sha = hashlib.sha256(data).hexdigest()
        if sha == digests[rel]:
            continue
        record = cached("parse", f"{rel}\0{sha}", lambda rel=rel, data=data, sha=sha: _parse(rel, data, sha))  # type: ignore[misc]
        if not hasattr(record, "doc"):
            return None  # a Problem: the whole build reports it
        table_key = paper_keys[rel].rsplit("\0", 1)[1]
        if table_key not in _tables:
            _tables.clear()
            _tables[table_key] = category_table(site.config)
        key = f"{rel}\0{sha}\0{table_key}"
        paper, found = cached("paper", key, lambda record=record, table=_tables[table_key]: validate_paper(record, table))  # type: ignore[misc]
        errors, found_warnings = split(found)
        old = papers[at.paper[rel]]
        if errors or paper is None or not _same_place(old, paper, model, drafts):
            return None
        records[at.record[rel]], digests[rel], paper_keys[rel] = record, sha, key
        papers[at.paper[rel]] = paper
        problems += found_warnings
        changed.append(rel)
        replaced[at.entry[rel]] = model.entries[at.entry[rel]]
    if not changed:
        return PaperEdit(rendered, (), ())
    gone = set(changed)
    warnings = tuple(sorted([w for w in site.warnings if w.path not in gone] + problems))
    new_site = dataclasses.replace(site, papers=tuple(papers), paper_keys=MappingProxyType(paper_keys), warnings=warnings)
    new_raw = dataclasses.replace(raw, papers=tuple(records), digests=digests)
    new_model = _patch_model(model, new_site, replaced, at)
    if new_model is None:
        return None
    # the warnings of the edited records, made as a whole build makes them (notes.latex_warnings)
    edited = SimpleNamespace(entries=[new_model.entries[i] for i in replaced], bio_notes=(), profile=model.profile)
    notes = latex_warnings(edited, SimpleNamespace(profile=None, papers=[records[at.record[rel]] for rel in changed]))  # type: ignore[arg-type]
    all_warnings = tuple(sorted({*(w for w in rendered.warnings if w.path not in gone), *problems, *notes}))
    pages = {page.url: page for rel in changed for page in at.showing.get(rel, ())}
    now = tuple(page for page in pages.values() if page.kind in BOUNDED_KINDS)
    later = tuple(page for page in pages.values() if page.kind not in BOUNDED_KINDS)
    return PaperEdit(
        dataclasses.replace(rendered, model=new_model, raw=new_raw, site=new_site, warnings=all_warnings, files={}, digests={}),
        now,
        later,
    )


def touch(rendered: RenderedSite) -> None:
    """Copy the tables edit_papers copies, once, after the preview forked its renderer: a write
    to a page of memory shared with another process copies the page, and copying a table writes
    to every object in it (its reference count). Done here, that costs the whole build a few
    milliseconds instead of adding tens to the first edit after it."""
    raw, site, model = rendered.raw, rendered.site, rendered.model
    if raw is None or site is None:
        return
    for table in (raw.papers, site.papers, site.warnings, rendered.warnings, model.entries):
        list(table)
    for mapping in (raw.digests, site.paper_keys, model.listings, model.exports, model.by_url):
        dict(mapping)


def _same_place(old: Paper, new: Paper, model: SiteModel, drafts: bool) -> bool:
    """Whether the edited paper keeps everything that places it in the site: its pages, groups,
    citation key, the profile's computed metrics and (checked by _patch_model) its rank."""
    from .bibliography import own_key, wanted_key

    return (
        new.slug == old.slug
        and new.date.year == old.date.year
        and new.category == old.category
        and new.featured == old.featured
        and (drafts or not new.draft)
        and own_key(new) == own_key(old)
        and wanted_key(new) == wanted_key(old)
        and (not model.profile.metrics.computed or new.citations == old.citations)
    )


def _patch_model(model: SiteModel, site, replaced: dict[int, PaperEntry], at: Places) -> SiteModel | None:
    """model with the entries at the given positions made again from site's papers; None when
    one of them would move in the newest-first order."""
    from . import charts, urls
    from .bibliography import PaperExport
    from .joined import ID_SIZE
    from .memo import cached
    from .model import Group, Listing, entry_key, export_id, export_key, make_entry, newest_first

    entries = list(model.entries)
    swap: dict[int, PaperEntry] = {}  # id of an old entry -> the new one
    for i, old in replaced.items():
        paper = site.papers[at.paper[old.paper.source]]
        neighbours = [e.paper for e in entries[max(i - 1, 0) : i + 2] if e is not old]
        if newest_first([*neighbours, paper]).index(paper) != (1 if i > 0 else 0):
            return None  # it moves: every listing after it changes
        new = cached("entry", entry_key(site, paper), lambda paper=paper: make_entry(site, paper))  # type: ignore[misc]
        entries[i] = new
        swap[id(old)] = new

    def patched(items: tuple[PaperEntry, ...]) -> tuple[PaperEntry, ...]:
        return tuple(swap.get(id(e), e) for e in items) if any(id(e) in swap for e in items) else items

    groups: dict[int, Group] = {}  # id of an old group -> the new one, for the groups holding an edited paper
    listings = dict(model.listings)
    for old in replaced.values():
        year, category = old.paper.date.year, old.paper.category.short
        for group in (*model.by_year, *model.by_category):
            if id(group) not in groups and (group.key == str(year) if group.category is None else group.key == category):
                groups[id(group)] = dataclasses.replace(group, entries=patched(group.entries))
    for group in (*model.by_year, *model.by_category):
        new_group = groups.get(id(group))
        if new_group is not None:
            for url in group.pages:
                listing = model.listings[url]
                listings[url] = Listing(new_group, patched(listing.entries), listing.number, listing.pages, listing.abstracts)
    home = model.listings[urls.HOME]
    listings[urls.HOME] = dataclasses.replace(home, entries=patched(home.entries))
    config = model.config
    exports = dict(model.exports)
    by_url: dict = dict(model.by_url)
    export_ids = bytearray(model.export_ids)
    for i, new in ((i, entries[i]) for i in replaced):
        slug = new.paper.slug
        citation = model.citation_keys[slug]
        paper = new.paper
        key = export_key(new, citation, config.base_url)
        export_ids[i * ID_SIZE : (i + 1) * ID_SIZE] = export_id(key)
        exports[slug] = cached("export", key, partial(PaperExport.of, paper, citation, config.base_url))
        by_url[new.url] = new
    for group in groups.values():
        by_url[group.url] = group
    new_model = dataclasses.replace(
        model,
        entries=tuple(entries),
        featured=patched(model.featured),
        by_year=tuple(groups.get(id(g), g) for g in model.by_year),
        by_category=tuple(groups.get(id(g), g) for g in model.by_category),
        by_url=MappingProxyType(by_url),
        listings=MappingProxyType(listings),
        exports=MappingProxyType(exports),
        export_ids=bytes(export_ids),
    )
    charts.carry(model, new_model)  # no paper changed its year or category (_same_place)
    return new_model

"""Orchestration: load -> validate -> model -> render -> write, each stage a plain function."""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from . import cv_pdf, filestamps
from . import memo as memo_store
from .builtin import builtin_dir
from .errors import ContentError, Problem
from .incremental import tree_digest
from .load import CONFIG_FILE, CV_FILE, PROFILE_FILE, paper_files
from .memo import Memo, digest
from .notes import latex_warnings
from .sources import static_files
from .write import MANIFEST, check_output_dir, interrupted, update_site, write_site

if TYPE_CHECKING:
    import jinja2

    from .load import RawSite
    from .model import Page, SiteModel
    from .validate import ValidSite

NOJEKYLL = ".nojekyll"
JOINED = "joined"  # the memo's stage of the bibliography files' layouts (joined.py), kept in its index
AsWritten = Callable[[str, str], "Path | None"]  # (output path, sha256) -> the file, if it is still as written


@dataclass(frozen=True)
class BuildOptions:
    site_root: Path
    output: Path | None = None  # default: <site_root>/output
    base_url: str | None = None  # overrides site.yaml
    drafts: bool = False
    strict: bool = False  # warnings stop the build as errors do (for CI)
    cache: bool = True  # keep a build cache in <site_root>/.cvsite-cache/ (--no-cache: off)
    jobs: int | None = None  # processes that render (None: one per core; 1: all in this one)

    @property
    def output_dir(self) -> Path:
        return self.output if self.output is not None else self.site_root / "output"


@dataclass(frozen=True)
class RenderedSite:
    model: SiteModel
    files: dict[str, bytes]  # output path -> content, of every file rendered by this build
    digests: dict[str, str]  # output path -> sha256, of every generated file, rendered or reused
    copies: dict[str, Path]  # output path -> asset to copy
    # pages left for the write stage to render and write (see build): path -> (page, page key)
    deferred: dict[str, tuple[Page, str]] = dataclasses.field(default_factory=dict)
    render: Callable[[Page], Iterable[bytes]] | None = None  # renders a deferred page (in pieces: render.page_pieces)
    # files being made elsewhere meanwhile (cv.pdf: Typst in a fresh process): path -> (page key, wait for the bytes)
    pending: dict[str, tuple[str, Callable[[], bytes]]] = dataclasses.field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()  # located likely mistakes; the build still succeeds
    notes: tuple[str, ...] = ()  # what the build could not do as well as it might (cv.pdf), said once
    # what the preview keeps to remake only what one edit changed (incremental.py): the stages'
    # inputs, the hash of what every page shares, and the Jinja environment (made on first use)
    raw: RawSite | None = None
    site: ValidSite | None = None
    shared: str = ""
    env: Callable[[], jinja2.Environment] | None = None

    @property
    def rendered(self) -> int:
        return len(self.files) + len(self.deferred) + len(self.pending)


@dataclass(frozen=True)
class BuildResult:
    output: Path
    papers: int
    pages: int
    files: int
    seconds: float
    rendered: int = 0  # pages rendered (the others were unchanged and reused)
    note: str | None = None  # why the build cache was not used, when it was there
    warnings: tuple[Problem, ...] = ()


def _template_problem(exc: Exception, root: Path) -> Problem:
    """Locate a template error at the template file and line (Jinja puts template frames in
    the traceback with their own file and line); the path is relative to the site when inside."""
    import traceback

    name, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not name:
        folders = tuple(
            str(d.resolve()) + os.sep for d in (root / "templates", root / "themes", builtin_dir("templates"), builtin_dir("themes"))
        )
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(folders)]
        if frames:
            name, line = frames[-1].filename, frames[-1].lineno
    shown = str(name or "templates")
    if name and Path(name).is_absolute() and Path(name).resolve().is_relative_to(root.resolve()):
        shown = Path(name).resolve().relative_to(root.resolve()).as_posix()
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return Problem(shown, line or 1, "template", message)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_site(
    options: BuildOptions,
    memo: Memo | None = None,
    reuse: Callable[[str, str], bool] | None = None,
    defer: bool = False,
    known: dict[str, str | None] | None = None,
    as_written: AsWritten | None = None,
) -> RenderedSite:
    """Everything but the write: raises ContentError with every problem found.

    Every stage's result is looked up in memo by the hash of its inputs (a fresh memo: nothing
    is reused). A page whose inputs were rendered before into bytes that reuse(path, sha256)
    says are already in place is not rendered again; without reuse every page is rendered.
    With defer, the pages to render are left for the write stage (see build), which renders
    each as it writes it, so that no page's bytes outlive its write; the caller then finishes
    the memo (Memo.finish) once they are written, for rendering them fills it too.
    known: record files' digests already taken (filestamps.py), so that load need not read them.
    as_written(path, sha256): an output file the last build wrote, if it is still as written.
    """
    # Imported here: a build whose inputs did not change needs none of this (start-up time).

    from . import search, urls
    from .incremental import site_shape
    from .load import load_site
    from .model import build_model
    from .render import render_page
    from .template_cache import UserBytecode
    from .templating import cached_macros, make_environment, static_dirs, template_dirs, theme_dir
    from .validate import validate_site

    memo = memo if memo is not None else Memo()
    memo.start()
    root = options.site_root
    with memo_store.using(memo):
        raw = load_site(root, known, jobs=options.jobs if defer else 1)  # the preview never forks
        if defer:
            _settled()
        try:
            site = validate_site(raw, drafts=options.drafts)
        except ContentError as exc:
            raise _strict(exc.problems, exc.warnings, options.strict) from None
        if defer:
            _settled()
        if options.base_url is not None:
            site = dataclasses.replace(site, config=dataclasses.replace(site.config, base_url=options.base_url))
        theme = theme_dir(root, site.config.theme)
        if theme is None:
            line = raw.config.doc.line("theme") if raw.config else 1
            raise ContentError(
                [
                    Problem(
                        CONFIG_FILE,
                        line,
                        "theme",
                        f"unknown theme {site.config.theme!r}: no themes/{site.config.theme}/ in the site or in cvsite",
                    )
                ]
            )
        own_pdf = "cv.pdf" in static_files(root / "static")  # the site's own PDF CV, if published, wins over the generated one
        model = build_model(site, pdf=cv_pdf.available(), own_pdf=own_pdf, jobs=options.jobs if defer else 1)
        if defer:
            _settled()
    templates = tree_digest(template_dirs(root, theme))
    # What every page may show beside its declared inputs: templates, config, profile, site shape.
    # Files are compared by their bytes (digests), never by repr() of the parsed config: a config
    # full of YAML aliases is as large as what they expand to.
    shared = digest(
        templates, raw.digests.get(CONFIG_FILE), options.base_url, raw.digests.get(site.profile.source), site_shape(model), model.pdf
    )  # model.pdf: every page's menu links cv.pdf once the pdf extra is installed
    environment: list[jinja2.Environment] = []

    def env() -> jinja2.Environment:
        """Made (templates compiled) only when a page has to be rendered; kept while serving."""
        if not environment:
            compiled = UserBytecode() if options.cache else None  # --no-cache: every template compiled afresh
            environment.append(memo.get("environment", templates, lambda: make_environment(root, theme, compiled)))
            environment[0].globals.update(cached_macros(memo, shared))
        return environment[0]

    files: dict[str, bytes] = {}
    digests: dict[str, str] = {}
    deferred: dict[str, tuple[Page, str]] = {}
    pending: dict[str, tuple[str, Callable[[], bytes]]] = {}
    try:
        with memo_store.using(memo):  # pages made of cached per-paper parts find them in memo
            if defer:  # a build: the search index's blocks made by every core
                search.prepare(model, options.jobs)
                _settled()
            keys = _page_keys(model, shared, raw.digests)
            for page in model.pages:
                rel = urls.output_path(page.url)
                key = keys[page.url]
                made = memo.peek("page", key)
                if made is not None and reuse is not None and reuse(rel, made):
                    digests[rel] = made
                elif page.kind == "cv_pdf":  # Typst compiles in a fresh process while the rest is made
                    loader = env().loader
                    assert loader is not None  # templating.make_environment always sets the layered loader
                    pending[rel] = (key, cv_pdf.start_pdf(model, loader.get_source(env(), "cv.typ")[0]))
                    continue
                elif defer:  # rendered as the write stage writes them
                    deferred[rel] = (page, key)
                    continue
                else:
                    data = files[rel] = render_page(page, model, env())
                    digests[rel] = _sha256(data)
                memo.put("page", key, digests[rel])
            if deferred:
                env()  # compiled before the workers fork, so each inherits it
    except Exception as exc:  # noqa: BLE001 - a TemplateError, or a TypeError from a template's own code
        raise ContentError([_template_problem(exc, root)]) from None
    if not defer:  # the caller writes files alone: wait for them here
        for rel, (key, wait) in pending.items():
            data = files[rel] = wait()
            digests[rel] = _sha256(data)
            memo.put("page", key, digests[rel])
        pending = {}
    extra = {NOJEKYLL: b""}  # GitHub Pages: serve the files as they are, no Jekyll
    if site.config.cname:
        extra["CNAME"] = f"{site.config.cname}\n".encode()
    for rel, data in extra.items():
        files[rel], digests[rel] = data, _sha256(data)
    copies: dict[str, Path] = {}
    for folder in [*static_dirs(theme), root / "static"]:  # later folders win: the default theme, the theme, the site
        copies |= static_files(folder)
    clashes = sorted(set(copies) & set(digests))
    if clashes:
        raise ContentError([Problem(f"static/{rel}", 1, "file", "has the same path as a page cvsite generates") for rel in clashes])
    errors = _missing_photo(site.profile.photo, raw, copies)
    if errors or (site.warnings and options.strict):
        raise _strict(errors, site.warnings, options.strict)
    if not defer:
        memo.finish()
    notes: tuple[str, ...] = ()
    if not own_pdf and not cv_pdf.available():
        notes = (cv_pdf.INSTALL_HINT,)
    elif not own_pdf and cv_pdf.needs_cjk_font(model):
        notes = (cv_pdf.CJK_HINT,)
    return RenderedSite(
        model,
        files,
        digests,
        copies,
        deferred,
        partial(_render_with, memo, model, env, as_written),
        pending,
        tuple(sorted({*site.warnings, *latex_warnings(model, raw)})),
        notes,
        raw,
        site,
        shared,
        env,
    )


def _settled() -> None:
    """What a build's stages have made so far lives until the build ends: freezing it spares every
    later collection from walking it again, in this process and in the workers it forks (whose
    collections would also copy each inherited page they touch). At 10,000 papers a cold build
    takes about 0.8 s less wall and 7% less CPU. Builds only: the preview manages its own (server.py)."""
    gc.freeze()


def _page_keys(model: SiteModel, shared: str, digests: dict[str, str]) -> dict[str, str]:
    """Each page's key (incremental.page_key), or for a page in SHOWN the hash of what it shows."""
    from .incremental import page_key

    hashed: dict[tuple[str, ...], str] = {}
    keys = {}
    for page in model.pages:
        shown = SHOWN.get(page.kind)
        if shown is not None:
            keys[page.url] = digest(shared, page.url, page.template, page.kind, page.key, "shows", shown(model, page))
        else:
            keys[page.url] = page_key(page, shared, digests, hashed)
    return keys


def _sitemap_shows(model: SiteModel, page: Page) -> list:
    from .feeds import sitemap_context

    return sitemap_context(model)["sitemap_urls"]


def _search_shows(model: SiteModel, page: Page) -> str:
    from .search import shows

    return shows(page.url, model)


# Pages of every paper whose bytes depend on little of each: their key is the hash of what they
# show, so an edit that leaves that alone (a title) does not render them again. A search file
# shows the words, two-letter starts or papers of its part of the index (search.py keeps each
# block of papers' part of it in the cache): a new title renders the few files its words are in.
SHOWN: dict[str, Callable[[SiteModel, Page], object]] = {"sitemap": _sitemap_shows, "search_data": _search_shows}


def _strict(errors, warnings, strict: bool) -> ContentError:
    """Under --strict a warning stops the build like an error (it is still shown as a warning)."""
    return ContentError([*errors, *warnings], ()) if strict else ContentError(errors, warnings)


def _missing_photo(photo: str, raw, copies: dict[str, Path]) -> list[Problem]:
    """A photo given as a site path must be a file of static/ (the site's or the theme's)."""
    from urllib.parse import unquote, urlsplit

    from . import urls

    if not photo or urls.is_external(photo):
        return []
    rel = unquote(urlsplit(photo).path).lstrip("/")
    if rel in copies:
        return []
    line = raw.profile.doc.line("photo") if raw.profile else 1
    return [
        Problem(
            PROFILE_FILE,
            line,
            "photo",
            f"no file static/{rel}: put the photo in the site's static/ folder "
            f"(it is published as /{rel}), or give a full https:// address",
        )
    ]


def _render_with(
    memo: Memo, model: SiteModel, env: Callable[[], jinja2.Environment], as_written: AsWritten | None, page: Page
) -> Iterable[bytes]:
    """One page's bytes (render.page_pieces: the files of every paper's text come in pieces, to
    be written as they come), its cached parts (the CV's citations) kept in memo. A bibliography
    file still on disk as the last build wrote it lends the papers it holds unchanged; the
    layout of the file written is kept in memo once it is written (joined.py)."""
    from . import urls
    from .joined import JoinedFile
    from .render import BIBLIOGRAPHY_FILES, page_pieces

    if page.kind not in BIBLIOGRAPHY_FILES:  # (every paper's page comes this way: nothing more for it)
        with memo_store.using(memo):
            return page_pieces(page, model, env())
    rel = urls.output_path(page.url)
    layout = memo.find(JOINED, rel)
    path = as_written(rel, layout.sha256) if layout is not None and as_written is not None else None
    previous = (path, layout) if path is not None else None
    pieces = page_pieces(page, model, env(), previous)
    if isinstance(pieces, JoinedFile):
        pieces.keep = partial(memo.put, JOINED, rel)
    return pieces


class PageFailed(Exception):
    """A page's template failed in a worker: its located problem, which crosses back (a
    ContentError would not: it pickles as its message only)."""


# Pages forked workers render: those of one paper and the pages of listings (none of them leaves
# anything in the build cache, which lives in the build process)
APART = frozenset({"paper", "category", "year"})


def _write_deferred(rendered: RenderedSite, jobs: int | None, previous: dict, root: Path, then: Callable[[], None] = lambda: None):
    """The write stage's hook for the deferred pages: forked workers render the pages of one
    paper and the pages of listings and write each into the folder (beside its place, when
    replacing in place), sending back only its state.
    Meanwhile the other pages are rendered here, where the cache keeps their parts, one at a time,
    each written before the next is made, the largest piece by piece (the pages of every paper
    are megabytes each: holding them all until the write was most of a build's memory). A page
    (or cv.pdf, made meanwhile by Typst) whose bytes were in place already (previous) is left as
    it was. `then` runs once these pages are written, while the workers may still be at work."""
    from . import parallel
    from .joined import JoinedFile
    from .write import TMP_SUFFIX, intact, write_file

    items = list(rendered.deferred.items())
    apart = [i for i, (_, (page, _)) in enumerate(items) if page.kind in APART]
    here = [i for i, (_, (page, _)) in enumerate(items) if page.kind not in APART]

    def render(page: Page) -> Iterable[bytes]:
        assert rendered.render is not None  # set by every build that defers pages
        return rendered.render(page)

    def write(folder: Path, beside: bool) -> dict:
        def one(i: int):
            rel, (page, _) = items[i]
            try:
                data = render(page)
            except Exception as exc:  # noqa: BLE001 - as below; located here, where the traceback is
                raise PageFailed(_template_problem(exc, root)) from None
            return rel, put(folder, rel, data, beside)  # an OSError (a full disk) stays one

        states = {}
        with parallel.forked_map(one, apart, jobs) as results:
            for i in here:
                rel, (page, _) = items[i]
                try:
                    data = render(page)
                except Exception as exc:  # noqa: BLE001 - a TemplateError, or a TypeError from a template's own code
                    raise ContentError([_template_problem(exc, root)]) from None
                states[rel] = put(folder, rel, data, beside)
                del data
            then()
            for rel, state in results():
                old = previous.get(rel)
                states[rel] = old if state == old else state  # left as it was: the very state previous holds (write.Later)
        for rel, (_, wait) in rendered.pending.items():  # made meanwhile in another process
            states[rel] = put(folder, rel, (wait(),), beside)
        return states

    def put(folder: Path, rel: str, data: Iterable[bytes], beside: bool):
        state = write_file(folder, rel, data, beside)
        if isinstance(data, JoinedFile):
            data.written(state[0])
        old = previous.get(rel)
        if beside and old is not None and old[0] == state[0] and intact(folder / rel, old):
            path = folder / rel
            path.with_name(f".{path.name}{TMP_SUFFIX}").unlink()
            return old
        return state

    return [rel for rel, _ in items] + list(rendered.pending), write


def _other_inputs_key(options: BuildOptions, out: Path, salt: str) -> str:
    """The hash of everything a build reads but the record files, whose digests complete it: options,
    templates, themes, static files. (Static files by name, size and time: they may be large,
    and are compared by content when written.)"""

    root = options.site_root
    static = []
    for dirpath, _, filenames in sorted(os.walk(root / "static")):
        for name in sorted(filenames):
            st = os.stat(os.path.join(dirpath, name))
            static.append((dirpath, name, st.st_size, st.st_mtime_ns))
    looks = tree_digest([root / "templates", root / "themes", builtin_dir("templates"), builtin_dir("themes")])
    return digest(
        salt, str(out), options.base_url, options.drafts, looks, static, cv_pdf.available()
    )  # installing the pdf extra builds cv.pdf next time


def _intact(out: Path, state: dict) -> bool:
    folder = f"{out}{os.sep}"
    for rel, (_, size, mtime) in state.items():
        try:
            st = os.stat(folder + rel)  # str concatenation: os.path.join costs more than the stat
        except OSError:
            return False
        if st.st_size != size or st.st_mtime_ns != mtime:
            return False
    return True


def build(options: BuildOptions, on_wait: Callable[[], None] | None = None) -> BuildResult:
    """Build into the output folder. With the cache, a file whose inputs did not change since the
    last build is neither rendered nor written again, provided it is still on disk as written;
    when no input changed at all, nothing but the inputs and the output's file times is read.
    on_wait is called if another build is writing into the same output folder (this one waits)."""
    try:
        return _build(options, on_wait)
    finally:  # a program that builds (a script, a test run) gets back what the build made
        gc.unfreeze()  # frozen by the stages (_settled)
        search = sys.modules.get(f"{__package__}.search")  # (a build with nothing to do never imports it)
        if search is not None:
            search.forget()


def _build(options: BuildOptions, on_wait: Callable[[], None] | None) -> BuildResult:
    started = time.perf_counter()
    out = check_output_dir(options.output_dir, options.site_root)
    cache_dir = options.site_root / memo_store.CACHE_DIR
    salt = memo_store.code_version()
    memo, notes = memo_store.load(cache_dir, salt) if options.cache else (Memo(), [])
    written = memo.entries.get(("output", str(out))) or {}  # path -> (sha256, size, mtime) as last written
    inputs, known, stamps, read = "", None, None, 0
    root = options.site_root
    records: list[str] = []
    taken, other_inputs = time.time_ns(), ""
    if options.cache:
        records = [CONFIG_FILE, PROFILE_FILE, CV_FILE, *paper_files(root)]
        other_inputs = _other_inputs_key(options, out, salt)  # taken before the build reads them, as the records' stamps are
        if memo.entries:  # with nothing cached, load reads every record anyway: their digests come from it
            known, stamps, read = filestamps.digests(str(root), records, memo.entries.get(("stat", str(root))))
            inputs = digest(other_inputs, sorted(known.items()))
    same = memo.entries.get(("site", inputs)) if inputs else None
    # a killed build (of other inputs, or without the cache) may have left its temporary files in
    # or beside the output: the write stage removes them (write.recover), under the lock
    if same is not None and (out / MANIFEST).is_file() and not interrupted(out) and _intact(out, written):
        papers, pages, warnings = same
        if warnings and options.strict:  # the same input, built before without --strict
            raise _strict((), warnings, True)
        if read:  # files had to be read: keep their stamps, so the next build need not
            memo.entries[("stat", str(root))] = stamps
            memo.changed = True
            memo_store.save(cache_dir, salt, memo)
        return BuildResult(out, papers, pages, len(written), time.perf_counter() - started, 0, "\n".join(notes) or None, warnings)

    folder = f"{out}{os.sep}"

    def on_disk(rel: str, sha: str) -> bool:
        state = written.get(rel)
        if state is None or state[0] != sha:
            return False
        try:
            st = os.stat(folder + rel)  # str concatenation: a Path costs more than the stat
        except OSError:
            return False
        return st.st_size == state[1] and st.st_mtime_ns == state[2]

    def as_written(rel: str, sha: str) -> Path | None:
        return Path(folder + rel) if on_disk(rel, sha) else None

    rendered = render_site(options, memo, on_disk if written else None, defer=True, known=known, as_written=as_written if written else None)
    if options.cache and known is None:  # the records' digests and stamps, as load took them
        assert rendered.raw is not None  # every build keeps its inputs
        known = {rel: rendered.raw.digests.get(rel) for rel in records}
        stamps = filestamps.stamps_of(str(root), known, taken)
        inputs = digest(other_inputs, sorted(known.items()))
    finished: list[bool] = []  # whether save_store ran

    def save_store() -> None:
        """Every result of the build's stages is made once the pages rendered here are (the
        workers' pages keep nothing in the cache): the store is saved while the workers render,
        rather than after them with a core idle. (Its results are keyed by their inputs, so a
        build failing after this leaves a store that is right, beside the index of the last.)"""
        memo.finish()
        finished.append(True)
        if options.cache:
            memo_store.save_store(cache_dir, salt, memo)

    later = _write_deferred(rendered, options.jobs, written, root, save_store)
    try:
        if written and (out / MANIFEST).is_file():
            state = update_site(out, rendered.files, rendered.digests, rendered.copies, written, later, on_wait)
        else:
            state = write_site(out, rendered.files, rendered.copies, later, on_wait)
    except Exception as exc:
        import jinja2

        if isinstance(exc, PageFailed):  # raised by a worker rendering a paper page
            raise ContentError(exc.args) from None
        if isinstance(exc, jinja2.TemplateError):  # raised by another page made during the write
            raise ContentError([_template_problem(exc, options.site_root)]) from None
        raise
    if not finished:  # no page was left to render during the write
        memo.finish()
    for rel, (_, key) in rendered.deferred.items():
        memo.entries[("page", key)] = state[rel][0]
    for rel, (key, _) in rendered.pending.items():
        memo.entries[("page", key)] = state[rel][0]
    for slot in [slot for slot in memo.entries if slot[0] == "site"]:
        del memo.entries[slot]
    pages = sum(1 for page in rendered.model.pages if page.template)  # bibliography files are files, not pages
    memo.entries[("site", inputs)] = (rendered.model.paper_count, pages, rendered.warnings)
    memo.entries[("output", str(out))] = state
    if stamps is not None:
        memo.entries[("stat", str(root))] = stamps
    memo.changed = True
    if options.cache:
        memo_store.save(cache_dir, salt, memo)
    return BuildResult(
        out,
        rendered.model.paper_count,
        pages,
        len(state),
        time.perf_counter() - started,
        rendered.rendered,
        "\n".join([*notes, *rendered.notes]) or None,
        rendered.warnings,
    )

"""Orchestration: load -> validate -> model -> render -> write, each stage a plain function."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import cv_pdf, urls
from .errors import ContentError, Problem
from .incremental import BuildCache, folder_stamp, page_fingerprint, site_shape
from .load import CONFIG_FILE, load_site
from .model import SiteModel, build_model
from .render import render_page
from .templating import make_environment, template_dirs, theme_dir
from .validate import validate_site
from .write import check_output_dir, write_site

NOJEKYLL = ".nojekyll"


@dataclass(frozen=True)
class BuildOptions:
    site_root: Path
    output: Path | None = None  # default: <site_root>/output
    base_url: str | None = None  # overrides site.yaml
    drafts: bool = False

    @property
    def output_dir(self) -> Path:
        return self.output if self.output is not None else self.site_root / "output"


@dataclass(frozen=True)
class RenderedSite:
    model: SiteModel
    files: dict[str, bytes]  # output path -> content
    copies: dict[str, Path]  # output path -> asset to copy
    notes: tuple[str, ...] = ()  # what the build could not do as well as it might, said once (cvsite build)


@dataclass(frozen=True)
class BuildResult:
    output: Path
    papers: int
    pages: int
    files: int
    seconds: float
    notes: tuple[str, ...] = ()


def _static_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def _template_problem(exc: jinja2.TemplateError) -> Problem:
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "templates"
    line = getattr(exc, "lineno", None) or 1
    return Problem(str(name), line, "template", str(exc.message or exc))


def _environment(root: Path, theme: Path, cache: BuildCache) -> tuple[jinja2.Environment, tuple]:
    """The Jinja environment, reused while no template changed (templates compile once)."""
    stamp = (theme, folder_stamp(template_dirs(root, theme)))
    if cache.environment is None or cache.environment[0] != stamp:
        cache.environment = (stamp, make_environment(root, theme))
    return cache.environment[1], stamp


def render_site(options: BuildOptions, cache: BuildCache | None = None) -> RenderedSite:
    """Everything but the write: raises ContentError with every problem found.

    With a cache kept from the previous build, unchanged files are not re-parsed and pages
    whose inputs did not change are not re-rendered.
    """
    cache = cache if cache is not None else BuildCache()
    root = options.site_root
    raw = load_site(root, cache.records)
    site = validate_site(raw, drafts=options.drafts, memo=cache.validated)
    if options.base_url is not None:
        site = dataclasses.replace(site, config=dataclasses.replace(site.config, base_url=options.base_url))
    theme = theme_dir(root, site.config.theme)
    if theme is None:
        line = raw.config.doc.line("theme") if raw.config else 1
        raise ContentError([Problem(CONFIG_FILE, line, "theme", f"unknown theme {site.config.theme!r}: no themes/{site.config.theme}/ in the site or in cvsite")])
    own_pdf = (root / "static" / "cv.pdf").is_file()  # the site's own PDF CV wins over the generated one
    model = build_model(site, cache.entries, pdf=cv_pdf.available(), own_pdf=own_pdf)
    env, template_stamp = _environment(root, theme, cache)
    shared = (template_stamp, repr(site.config), site_shape(model))
    if env.globals.get("fragments_for") != shared[:2]:  # cached listing items assume the same config
        env.fragments.clear()
        env.fragment_modules.clear()
        env.globals["fragments_for"] = shared[:2]
    pages: dict[str, tuple[tuple, bytes]] = {}
    try:
        for page in model.pages:
            fingerprint = page_fingerprint(page, shared, raw.stamps)
            previous = cache.pages.get(page.url)
            if previous and previous[0] == fingerprint:
                pages[page.url] = previous
            else:
                pages[page.url] = (fingerprint, render_page(page, model, env))
    except jinja2.TemplateError as exc:
        raise ContentError([_template_problem(exc)]) from None
    cache.rendered = sum(1 for url, entry in pages.items() if cache.pages.get(url) is not entry)
    cache.pages = pages
    files = {urls.output_path(url): data for url, (_, data) in pages.items()}
    files[NOJEKYLL] = b""  # GitHub Pages: serve the files as they are, no Jekyll
    if site.config.cname:
        files["CNAME"] = f"{site.config.cname}\n".encode()
    copies = _static_files(theme / "static") | _static_files(root / "static")
    clashes = sorted(set(copies) & set(files))
    if clashes:
        raise ContentError([Problem(f"static/{rel}", 1, "file", "has the same path as a page cvsite generates") for rel in clashes])
    notes: tuple[str, ...] = ()
    if not own_pdf and not cv_pdf.available():
        notes = (cv_pdf.INSTALL_HINT,)
    elif not own_pdf and cv_pdf.needs_cjk_font(model):
        notes = (cv_pdf.CJK_HINT,)
    return RenderedSite(model, files, copies, notes)


def build(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    out = check_output_dir(options.output_dir, options.site_root)
    rendered = render_site(options)
    written = write_site(out, rendered.files, rendered.copies)
    return BuildResult(out, rendered.model.paper_count, len(rendered.model.pages), written,
                       time.perf_counter() - started, rendered.notes)

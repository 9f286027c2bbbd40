"""Orchestration: load -> validate -> model -> render -> write, each stage a plain function."""

from __future__ import annotations

import dataclasses
import os
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jinja2

from . import urls
from .errors import ContentError, Problem
from .incremental import BuildCache, folder_stamp, page_fingerprint, site_shape
from .load import CONFIG_FILE, load_site
from .model import SiteModel, build_model
from .notes import latex_warnings
from .render import render_page
from .sources import static_files
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
    warnings: tuple[Problem, ...] = ()  # located, shown as typed: the build still succeeds


@dataclass(frozen=True)
class BuildResult:
    output: Path
    papers: int
    pages: int
    files: int
    seconds: float
    warnings: tuple[Problem, ...] = ()


def _template_problem(exc: Exception, root: Path, dirs: list[Path]) -> Problem:
    """Locate a template error at the template file and line (Jinja puts template frames in
    the traceback with their own file and line); the path is relative to the site when inside."""
    name, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not name:
        folders = tuple(str(d) + os.sep for d in dirs)
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(folders)]
        if frames:
            name, line = frames[-1].filename, frames[-1].lineno
    shown = str(name or "templates")
    if name and Path(name).is_absolute() and Path(name).resolve().is_relative_to(root.resolve()):
        shown = Path(name).resolve().relative_to(root.resolve()).as_posix()
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return Problem(shown, line or 1, "template", message)


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
    model = build_model(site, cache.entries)
    env, template_stamp = _environment(root, theme, cache)
    # Files are compared by their bytes (a digest), never by the parsed data: repr() of a config
    # full of YAML aliases is as large as what they expand to.
    settings = (template_stamp, raw.config.digest if raw.config else "", options.base_url, options.drafts)
    fragments_for = (*settings, raw.profile.digest if raw.profile else "")
    if env.globals.get("fragments_for") != fragments_for:  # cached listing items may show config and profile
        env.fragments.clear()
        env.fragment_modules.clear()
        env.globals["fragments_for"] = fragments_for
    shared = (settings, site_shape(model))
    pages: dict[str, tuple[tuple, bytes]] = {}
    try:
        for page in model.pages:
            fingerprint = page_fingerprint(page, shared, raw.stamps)
            previous = cache.pages.get(page.url)
            if previous and previous[0] == fingerprint:
                pages[page.url] = previous
            else:
                pages[page.url] = (fingerprint, render_page(page, model, env))
    except Exception as exc:  # noqa: BLE001 - a TemplateError, or a TypeError from a template's own code
        raise ContentError([_template_problem(exc, root, template_dirs(root, theme))]) from None
    cache.rendered = sum(1 for url, entry in pages.items() if cache.pages.get(url) is not entry)
    cache.pages = pages
    files = {urls.output_path(url): data for url, (_, data) in pages.items()}
    files[NOJEKYLL] = b""  # GitHub Pages: serve the files as they are, no Jekyll
    if site.config.cname:
        files["CNAME"] = f"{site.config.cname}\n".encode()
    copies = static_files(theme / "static") | static_files(root / "static")
    clashes = sorted(set(copies) & set(files))
    if clashes:
        raise ContentError([Problem(f"static/{rel}", 1, "file", "has the same path as a page cvsite generates") for rel in clashes])
    return RenderedSite(model, files, copies, tuple(latex_warnings(model, raw)))


def build(options: BuildOptions, on_wait: Callable[[], None] | None = None) -> BuildResult:
    """on_wait is called if another build is writing into the same output folder (this one waits)."""
    started = time.perf_counter()
    out = check_output_dir(options.output_dir, options.site_root)
    rendered = render_site(options)
    written = write_site(out, rendered.files, rendered.copies, on_wait)
    return BuildResult(out, rendered.model.paper_count, len(rendered.model.pages), written,
                       time.perf_counter() - started, rendered.warnings)

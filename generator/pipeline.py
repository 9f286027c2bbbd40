"""Orchestration: load -> validate -> model -> render -> write, each stage a plain function."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import urls
from .errors import ContentError, Problem
from .load import CONFIG_FILE, load_site
from .model import SiteModel, build_model
from .render import render_page
from .templating import make_environment, theme_dir
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


@dataclass(frozen=True)
class BuildResult:
    output: Path
    papers: int
    pages: int
    files: int
    seconds: float


def _static_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def _template_problem(exc: jinja2.TemplateError) -> Problem:
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "templates"
    line = getattr(exc, "lineno", None) or 1
    return Problem(str(name), line, "template", str(exc.message or exc))


def render_site(options: BuildOptions) -> RenderedSite:
    """Everything but the write: raises ContentError with every problem found."""
    root = options.site_root
    raw = load_site(root)
    site = validate_site(raw, drafts=options.drafts)
    if options.base_url is not None:
        site = dataclasses.replace(site, config=dataclasses.replace(site.config, base_url=options.base_url))
    theme = theme_dir(root, site.config.theme)
    if theme is None:
        line = raw.config.doc.line("theme") if raw.config else 1
        raise ContentError([Problem(CONFIG_FILE, line, "theme", f"unknown theme {site.config.theme!r}: no themes/{site.config.theme}/ in the site or in cvsite")])
    model = build_model(site)
    env = make_environment(root, theme)
    try:
        files = {urls.output_path(page.url): render_page(page, model, env) for page in model.pages}
    except jinja2.TemplateError as exc:
        raise ContentError([_template_problem(exc)]) from None
    files[NOJEKYLL] = b""
    copies = _static_files(theme / "static") | _static_files(root / "static")
    clashes = sorted(set(copies) & set(files))
    if clashes:
        raise ContentError([Problem(f"static/{rel}", 1, "file", "has the same path as a page cvsite generates") for rel in clashes])
    return RenderedSite(model, files, copies)


def build(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    out = check_output_dir(options.output_dir, options.site_root)
    rendered = render_site(options)
    written = write_site(out, rendered.files, rendered.copies)
    return BuildResult(out, rendered.model.paper_count, len(rendered.model.pages), written,
                       time.perf_counter() - started)

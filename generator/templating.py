"""The one Jinja environment of a build: site templates > theme templates > built-in templates."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, pass_context

from . import urls
from .config import builtin_dir


def theme_dir(site_root: Path, theme: str) -> Path | None:
    for candidate in (site_root / "themes" / theme, builtin_dir("themes") / theme):
        if candidate.is_dir():
            return candidate
    return None


def _unique(dirs: list[Path]) -> list[str]:
    seen: list[str] = []
    for d in dirs:
        if d.is_dir() and str(d.resolve()) not in seen:
            seen.append(str(d.resolve()))
    return seen


@pass_context
def _url(context, target: str) -> str:
    """Link to a site path from the page being rendered."""
    if context.get("absolute_links"):
        return target if urls.is_external(target) else context["base_path"] + target.lstrip("/")
    return urls.relative(context["page_url"], target)


@pass_context
def _cached_item(context, entry, level: int, abstract: bool = True):
    """partials/papers.html's paper_item, rendered once per paper and link depth.

    Listings show every paper again (profile, category and year pages), and a rebuild after one
    edit would otherwise re-render them all. Relative links depend only on the page's depth, so
    the fragment is shared by every page at that depth.
    """
    env = context.environment
    absolute = bool(context.get("absolute_links"))
    depth = 0 if absolute else context["page_url"].count("/") - 1
    key = (entry.url, level, depth, absolute, abstract)
    hit = env.fragments.get(key)
    if hit is not None and hit[0] is entry:
        return hit[1]
    module_key = (depth, absolute)
    module = env.fragment_modules.get(module_key)
    if module is None:
        page_url = "/" + "x/" * depth
        variables = {k: context[k] for k in ("config", "profile", "site", "base_path")}
        variables.update(page_url=page_url, absolute_links=absolute)
        module = env.get_template("partials/papers.html").make_module(variables)
        env.fragment_modules[module_key] = module
    html = Markup(module.paper_item(entry, level, abstract))
    env.fragments[key] = (entry, html)
    return html


def _thousands(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _number(value) -> str:
    """Scores and percentages: no trailing .0 on whole numbers."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def template_dirs(site_root: Path, theme: Path) -> list[Path]:
    """Template folders in lookup order: the site's, the theme's, the built-in ones."""
    return [Path(d) for d in _unique([site_root / "templates", theme / "templates", builtin_dir("templates")])]


def make_environment(site_root: Path, theme: Path) -> Environment:
    """Autoescaped for HTML and XML: record text is data, never markup."""
    builtin = builtin_dir("templates")
    search = [str(d) for d in template_dirs(site_root, theme)]
    loader = ChoiceLoader([
        FileSystemLoader(search),
        PrefixLoader({
            "builtin": FileSystemLoader(str(builtin)),
            "theme": FileSystemLoader(_unique([theme / "templates", builtin])),
        }),
    ])
    env = Environment(
        loader=loader,
        autoescape=True,  # every template, whatever its extension (.html, .xml, .bib)
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["url"] = _url
    env.globals["cached_item"] = _cached_item
    env.fragments = {}  # (paper url, level, depth, absolute, abstract) -> (entry, html); see _cached_item
    env.fragment_modules = {}
    env.filters["thousands"] = _thousands
    env.filters["number"] = _number
    return env

"""The one Jinja environment of a build: site templates > theme templates > built-in templates."""

from __future__ import annotations

from pathlib import Path

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
    env.filters["thousands"] = _thousands
    env.filters["number"] = _number
    return env

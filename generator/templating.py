"""The one Jinja environment of a build: site templates > theme templates > built-in templates."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache, ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, pass_context
from markupsafe import Markup

from . import i18n, paper_blocks, urls
from .config import builtin_dir
from .fields import LINK_KINDS


def theme_dir(site_root: Path, theme: str) -> Path | None:
    for candidate in (site_root / "themes" / theme, builtin_dir("themes") / theme):
        if candidate.is_dir():
            return candidate
    return None


def static_dirs(theme: Path) -> list[Path]:
    """A theme's static folders, lowest first: the built-in default theme's, then the theme's own.

    Every theme is layered over the default one, as its templates are over the built-in ones:
    base.html links the default's site.js and favicon.svg, so a theme ships only the files it
    changes (the classic theme adds one stylesheet), and its files win over the default's.
    """
    return [Path(d) / "static" for d in _unique([builtin_dir("themes") / "default", theme])]


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


def _link_depth(context) -> tuple[int, bool]:
    """(folders between the site root and the page, whether its links are absolute): what a
    rendering's relative links depend on (absolute ones: depth 0)."""
    absolute = bool(context.get("absolute_links"))
    return (0 if absolute else context["page_url"].count("/") - 1), absolute


class CachedMacro:
    """A macro of a partial rendered for a paper (partials/papers.html's paper_item: a listing's
    item; partials/cv.html's citation: the CV's), once per module of the partial (a link depth).

    With a memo, each rendering is kept in the build cache (memo.py) under the hash of its entry,
    its link depth, its arguments and everything shared (`shared`: templates, config, profile, the
    site's shape): the CV shows every paper, and a rebuild after one edit would otherwise render
    them all (the CV keeps them a block of papers at a time: many). Relative links depend only on the page's depth, so a rendering serves every page at
    that depth. Listing items are not kept: a listing page shows at most a page of papers, and an
    edit renders the few pages showing the paper again, while keeping every paper's items cost
    more in the cache (read by every build, and in memory) than it saved.
    """

    def __init__(self, memo, shared: str, template: str = "partials/papers.html", macro: str = "paper_item"):
        self.memo = memo
        self.shared = shared
        self.template = template
        self.macro = macro
        self.modules: dict[tuple[int, bool], Any] = {}  # jinja2 template modules: macros as attributes

    @pass_context
    def __call__(self, context, entry, *args):
        depth, absolute = _link_depth(context)

        def render() -> str:
            return self._render(context, entry, depth, absolute, args)

        if self.memo is None or not entry.key:
            return Markup(render())
        key = f"{self.shared}\0{entry.key}\0{depth}\0{absolute}\0{self.template}\0{self.macro}{args!r}"
        return Markup(self.memo.get("item", key, render))

    def many(self, context, entries, *args) -> str:
        """The renderings of several papers, joined, as a loop calling this macro on each gives
        them: kept in the build cache a block of papers at a time (paper_blocks.py), as the CV
        shows every paper and a look-up for each of 10,000 cost more than the rest of the page."""
        depth, absolute = _link_depth(context)

        def render(block) -> str:
            return "".join([self._render(context, entry, depth, absolute, args) for entry in block])

        if self.memo is None:
            return render(entries)
        parts = []
        for block, key in paper_blocks.blocks(entries):
            if not key:
                parts.append(render(block))
                continue
            key = f"{key}\0{self.shared}\0{depth}\0{absolute}\0{self.template}\0{self.macro}{args!r}"
            parts.append(self.memo.get("items", key, lambda block=block: render(block)))
        return "".join(parts)

    def _render(self, context, entry, depth: int, absolute: bool, args: tuple) -> str:
        module = self.modules.get((depth, absolute))
        if module is None:
            variables = {k: context[k] for k in ("config", "profile", "site", "base_path", "t")}
            variables.update(page_url="/" + "x/" * depth, absolute_links=absolute)
            module = self.modules[(depth, absolute)] = context.environment.get_template(self.template).make_module(variables)
        return str(getattr(module, self.macro)(entry, *args))


def cached_macros(memo, shared: str) -> dict[str, CachedMacro]:
    """The template globals that render a paper: the CV's citations through the build cache."""
    return {
        "cached_item": CachedMacro(None, shared),  # cached_item(entry, level, abstract): a listing's paper, not kept
        "cached_citation": CachedMacro(memo, shared, "partials/cv.html", "citation"),  # cached_citation(entry, mark): the CV's
    }


def _messages(context):
    """The page's interface text (render.page_context's `t`); English where a page has none."""
    return context.get("t") or i18n.ENGLISH


@pass_context
def _tr(context, key: str, **values) -> Markup:
    """A catalogue string with its placeholders filled in; values are escaped unless they are
    markup themselves (a link a template made), so a string can wrap links: "{home} or {year}"."""
    escaped = {name: Markup.escape(value) for name, value in values.items()}
    return Markup(i18n.fill(_escaped(_messages(context)[key]), **escaped))


@lru_cache(maxsize=4096)
def _escaped(message: str) -> str:
    """A catalogue string escaped for HTML (once per string, not on each of its many uses)."""
    return str(Markup.escape(message))


@pass_context
def _count_text(context, key: str, n: int) -> str:
    return i18n.count(_messages(context), key, n)


@pass_context
def _date(context, value) -> str:
    return i18n.date(_messages(context), value)


def _thousands(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _number(value) -> str:
    """Scores and percentages: no trailing .0 on whole numbers."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def template_dirs(site_root: Path, theme: Path) -> list[Path]:
    """Template folders in lookup order: the site's, the theme's, the built-in ones."""
    return [Path(d) for d in _unique([site_root / "templates", theme / "templates", builtin_dir("templates")])]


def make_environment(site_root: Path, theme: Path, bytecode: BytecodeCache | None = None) -> Environment:
    """Autoescaped for HTML and XML: record text is data, never markup."""
    builtin = builtin_dir("templates")
    search = [str(d) for d in template_dirs(site_root, theme)]
    loader = ChoiceLoader(
        [
            FileSystemLoader(search),
            PrefixLoader(
                {
                    "builtin": FileSystemLoader(str(builtin)),
                    "theme": FileSystemLoader(_unique([theme / "templates", builtin])),
                }
            ),
        ]
    )
    env = Environment(
        loader=loader,
        autoescape=True,  # every template, whatever its extension (.html, .xml, .bib)
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode,
        # the environment is remade when any template changes (pipeline.py keys it by their
        # digest), so it need not stat each template file on every render
        auto_reload=False,
    )
    env.globals["url"] = _url
    env.globals.update(cached_macros(None, ""))  # replaced by each build (see pipeline.py)
    env.globals["search_shards"] = urls.search_shard_count  # the search page tells site.js how its index is split
    env.globals["search_chunk"] = urls.SEARCH_CHUNK
    env.globals["link_labels"] = LINK_KINDS  # a paper link's button label by kind (fields.py), for kinds the catalogue lacks
    env.globals["tr"] = _tr  # interface text (i18n.py): tr('year_heading', year=2024)
    env.globals["count_text"] = _count_text  # count_text('count_paper', 3): "3 papers"
    env.filters["date"] = _date  # a record's date in the site's language
    env.filters["thousands"] = _thousands
    env.filters["number"] = _number
    return env

"""Stage 4: pure functions from (page, model) to the bytes of one output file."""

from __future__ import annotations

from jinja2 import Environment

from . import urls
from .model import Page, SiteModel


def page_context(page: Page, model: SiteModel) -> dict:
    config = model.config
    context = {
        "site": model,
        "config": config,
        "profile": model.profile,
        "page": page,
        "page_url": page.url,
        "base_path": urls.base_path(config.base_url),
        # GitHub Pages serves 404.html at any depth, so its links must not be relative.
        "absolute_links": page.kind == "not_found",
        "canonical_url": urls.absolute(config.base_url, page.url),
    }
    if page.kind == "paper":
        context["entry"] = model.by_url[page.url]
    elif page.kind in ("category", "year"):
        context["group"] = model.by_url[page.url]
    return context


def render_page(page: Page, model: SiteModel, env: Environment) -> bytes:
    html = env.get_template(page.template).render(page_context(page, model))
    return html.encode("utf-8")

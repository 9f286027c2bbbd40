"""Stage 4: pure functions from (page, model) to the bytes of one output file."""

from __future__ import annotations

from jinja2 import Environment

from . import charts, cv_pdf, feeds, i18n, metadata, resume, search, urls
from .model import Page, SiteModel

OPEN_GRAPH_TYPES = {"home": "profile", "paper": "article"}


def page_context(page: Page, model: SiteModel) -> dict:
    config = model.config
    context = {
        "site": model,
        "config": config,
        "profile": model.profile,
        "page": page,
        "t": i18n.messages(config.language, config.strings),
        "page_url": page.url,
        "base_path": urls.base_path(config.base_url),
        # GitHub Pages serves 404.html at any depth, so its links must not be relative.
        "absolute_links": page.kind == "not_found",
        "canonical_url": urls.absolute(config.base_url, page.url),
        "absolute_url": lambda target: urls.absolute(config.base_url, target),
        "og_type": OPEN_GRAPH_TYPES.get(page.kind, "website"),
        "feeds": feeds.head_feeds(page, model),
        "citation_tags": [],
        "jsonld": None,
    }
    if page.kind == "paper":
        entry = context["entry"] = model.by_url[page.url]
        context["citation_tags"] = metadata.citation_tags(entry, model, page.url)
        context["jsonld"] = metadata.jsonld_script(metadata.article_jsonld(entry, model))
    elif page.kind in ("category", "year"):
        context["listing"] = model.listings[page.url]
        context["group"] = context["listing"].group
    elif page.kind == "years":
        context["chart"] = charts.papers_per_year(model)
    elif page.kind == "home":
        context["chart"] = charts.papers_per_year(model)
        context["listing"] = model.home
        context["jsonld"] = metadata.jsonld_script(metadata.person_jsonld(model))
    elif page.kind == "cv":
        context["cv"] = model.cv
    elif page.kind == "feed":
        context.update(feeds.feed_context(page, model))
    elif page.kind == "sitemap":
        context.update(feeds.sitemap_context(model))
    return context


def render_page(page: Page, model: SiteModel, env: Environment) -> bytes:
    if page.kind == "resume":
        return resume.resume_json(model)
    if page.kind == "cv_pdf":  # Typst, from the layered templates/cv.typ
        return cv_pdf.render_pdf(model, env.loader.get_source(env, "cv.typ")[0])
    if page.kind == "search_data":
        return search.search_file(page.url, model)
    html = env.get_template(page.template).render(page_context(page, model))
    return html.encode("utf-8")

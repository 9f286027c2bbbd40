"""Stage 4: pure functions from (page, model) to the bytes of one output file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment, pass_context
from markupsafe import Markup

from . import bibliography, charts, cv_pdf, feeds, i18n, metadata, resume, search, urls
from .joined import Layout
from .model import Page, PaperEntry, SiteModel

OPEN_GRAPH_TYPES = {"home": "profile", "paper": "article"}
# (link title, media type) of each bibliography file the home page's head advertises
BIBLIOGRAPHY_LINKS = {
    "bibtex": ("BibTeX", "application/x-bibtex"),
    "csl_json": ("CSL-JSON", "application/vnd.citationstyles.csl+json"),
    "ris": ("RIS", "application/x-research-info-systems"),
}


def page_context(page: Page, model: SiteModel) -> dict:
    config = model.config
    t = i18n.messages(config.language, config.strings)
    context = {
        "site": model,
        "config": config,
        "profile": model.profile,
        "page": page,
        "t": t,
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
        "bibliography_links": [],
    }
    if page.kind == "paper":
        entry = context["entry"] = model.by_url[page.url]
        assert isinstance(entry, PaperEntry)  # a paper page's URL is its entry's
        context["citation_tags"] = metadata.citation_tags(entry, model, page.url)
        context["jsonld"] = metadata.jsonld_script(metadata.article_jsonld(entry, model))
        context["citation_key"] = model.citation_keys[entry.paper.slug]
        context["bibtex"] = model.exports[entry.paper.slug].bibtex
    elif page.kind in ("category", "year"):
        listing = context["listing"] = model.listings[page.url]
        context["group"] = listing.group
    elif page.kind == "years":
        context["chart"] = charts.papers_per_year(model)
    elif page.kind == "home":
        context["chart"] = charts.papers_per_year(model)
        context["listing"] = model.home
        context["jsonld"] = metadata.jsonld_script(metadata.person_jsonld(model))
        if model.entries:
            context["bibliography_links"] = [
                (i18n.text(t, "bibliography_link", name=model.profile.name, format=title), media, urls.BIBLIOGRAPHY[kind])
                for kind, (title, media) in BIBLIOGRAPHY_LINKS.items()
            ]
    elif page.kind == "cv":
        context["cv"] = model.cv
        context["cached_citations"] = cached_citations
    elif page.kind == "feed":
        context.update(feeds.feed_context(page, model))
    elif page.kind == "sitemap":
        context.update(feeds.sitemap_context(model))
    return context


@pass_context
def cached_citations(context, entries, mark: bool) -> Markup:
    """The CV's citations of these papers, joined: what a template loop calling cached_citation
    on each gives, without Jinja's per-call work for each of 10,000 papers, and kept in the build
    cache a block of papers at a time (CachedMacro.many)."""
    return Markup(context["cached_citation"].many(context, entries, mark))


BIBLIOGRAPHY_FILES = frozenset({"bibtex", "csl_json", "ris"})


def page_pieces(page: Page, model: SiteModel, env: Environment, previous: tuple[Path, Layout] | None = None) -> Iterable[bytes]:
    """render_page's bytes, in pieces for the files of every paper's text (the bibliography files,
    resume.json: megabytes each at 10,000 papers), so that a build can write them as they come.
    previous: a bibliography file as last written and its layout, from which the papers it
    holds unchanged are copied (joined.py)."""
    if page.kind == "resume":
        return resume.resume_pieces(model)
    if page.kind in BIBLIOGRAPHY_FILES:  # in the order of model.entries
        return bibliography.joined_file(page.kind, list(model.exports.values()), model.export_ids or None, previous)
    return (render_page(page, model, env),)


def render_page(page: Page, model: SiteModel, env: Environment) -> bytes:
    if page.kind in ("resume", *BIBLIOGRAPHY_FILES):
        return b"".join(page_pieces(page, model, env))
    if page.kind == "cv_pdf":  # Typst, from the layered templates/cv.typ
        assert env.loader is not None  # templating.make_environment always sets the layered loader
        return cv_pdf.render_pdf(model, env.loader.get_source(env, "cv.typ")[0])
    if page.kind == "search_data":
        return search.search_file(page.url, model)
    if page.kind == "paper_bibtex":
        return model.exports[page.key].bibtex.encode("utf-8")
    html = env.get_template(page.template).render(page_context(page, model))
    return html.encode("utf-8")

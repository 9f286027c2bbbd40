"""Contexts for the machine-readable outputs: Atom feeds, the sitemap and robots.txt.

They need absolute URLs, so a site without base_url gets none of them. Every date comes from
the records, never from the clock, so two builds stay byte-identical.
"""

from __future__ import annotations

from . import urls
from .model import Group, Page, PaperEntry, SiteModel
from .records import PartialDate


def atom_date(date: PartialDate) -> str:
    """RFC 3339, as Atom requires; a partial date stands for its first day."""
    return f"{date.first_day().isoformat()}T00:00:00Z"


def feed_context(page: Page, model: SiteModel) -> dict:
    base = model.config.base_url
    group: Group | None = model.by_url[page.key] if page.key else None
    entries: tuple[PaperEntry, ...] = (group.entries if group else model.entries)[: model.config.feed_limit]
    title = model.config.title or model.profile.name
    return {
        "feed_title": f"{title}: {group.label}" if group else title,
        "feed_id": urls.absolute(base, page.url),
        "feed_self": urls.absolute(base, page.url),
        "feed_alternate": urls.absolute(base, group.url if group else urls.HOME),
        "feed_updated": atom_date(entries[0].paper.date) if entries else "1970-01-01T00:00:00Z",
        "feed_entries": entries,
        "atom_date": atom_date,
    }


def sitemap_context(model: SiteModel) -> dict:
    """Every HTML page but 404, last modified at the newest date of the papers it shows."""
    dates = {e.paper.source: e.paper.date for e in model.entries}
    found = []
    for page in model.pages:
        if page.kind in ("not_found", "search") or not page.template.endswith(".html"):  # pages, not files
            continue
        shown = [dates[src] for src in page.inputs if src in dates]
        lastmod = max(shown).first_day().isoformat() if shown else None
        found.append((urls.absolute(model.config.base_url, page.url), lastmod))
    return {"sitemap_urls": sorted(found)}


def head_feeds(page: Page, model: SiteModel) -> list[tuple[str, str]]:
    """(title, site path) of the feeds a page advertises in its head."""
    if not urls.absolute_base(model.config.base_url):
        return []
    title = model.config.title or model.profile.name
    feeds = [(f"{title}: all papers", "/feed.xml")]
    if page.kind == "category":
        group = model.listings[page.url].group
        feeds.append((f"{title}: {group.label}", group.url + "feed.xml"))
    return feeds

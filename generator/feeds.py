"""Contexts for the machine-readable outputs: Atom feeds, the sitemap and robots.txt.

They need absolute URLs, so a site without base_url gets none of them. Every date comes from
the records, never from the clock, so two builds stay byte-identical.
"""

from __future__ import annotations

from . import i18n, urls
from .model import Group, Page, PaperEntry, SiteModel
from .records import PartialDate


def atom_date(date: PartialDate) -> str:
    """RFC 3339, as Atom requires; a partial date stands for its first day."""
    return f"{date.first_day().isoformat()}T00:00:00Z"


def feed_context(page: Page, model: SiteModel) -> dict:
    base = model.config.base_url
    found = model.by_url[page.key] if page.key else None
    assert found is None or isinstance(found, Group)  # a feed's key is its category's or year's URL
    group = found
    entries: tuple[PaperEntry, ...] = (group.entries if group else model.entries)[: model.config.feed_limit]
    title = model.config.title or model.profile.name
    t = i18n.messages(model.config.language, model.config.strings)
    return {
        "feed_title": i18n.text(t, "feed_group", site=title, label=group.label) if group else title,
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
        # the category and year indexes count every paper (their inputs are the profile alone: the
        # counts are the site's shape, which every page's key holds)
        shown = list(dates.values()) if page.kind in ("categories", "years") else [dates[src] for src in page.inputs if src in dates]
        lastmod = max(shown).first_day().isoformat() if shown else None
        found.append((urls.absolute(model.config.base_url, page.url), lastmod))
    return {"sitemap_urls": sorted(found)}


def head_feeds(page: Page, model: SiteModel) -> list[tuple[str, str]]:
    """(title, site path) of the feeds a page advertises in its head."""
    if not urls.absolute_base(model.config.base_url):
        return []
    title = model.config.title or model.profile.name
    t = i18n.messages(model.config.language, model.config.strings)
    feeds = [(i18n.text(t, "feed_all", site=title), "/feed.xml")]
    if page.kind == "category":
        group = model.listings[page.url].group
        assert group is not None  # only the home listing has none
        feeds.append((i18n.text(t, "feed_group", site=title, label=group.label), group.url + "feed.xml"))
    return feeds

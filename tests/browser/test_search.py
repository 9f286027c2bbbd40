"""Search and filters in a real browser: nothing downloaded before the visitor searches, words
from any field find papers, filters narrow them, the state lives in the URL, the keyboard and
screen readers are served, and without JavaScript the page points to the full listings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from e2e.sites import THEMES

from .test_accessibility import open_page

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


def records() -> dict[str, dict]:
    found = {}
    for path in (REPO / "content/papers").glob("*.md"):
        found[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    return found


@pytest.fixture(scope="module", params=THEMES)
def site_url(request, published):
    """The example site in each built-in theme, built for a project site at /repo/."""
    return published("example", request.param)[1]


def results(page) -> list[str]:
    page.wait_for_function("/found/.test(document.querySelector('.search-status').textContent)")
    return [href.rstrip("/").rsplit("/", 1)[-1] for href in page.eval_on_selector_all(".search-results a", "as => as.map(a => a.href)")]


def test_no_search_data_is_downloaded_before_the_visitor_searches(browser, site_url):
    for path in ("", "search/"):
        context, page, _ = open_page(browser, site_url + path)
        try:
            requested: list[str] = []
            page.on("request", lambda r, seen=requested: seen.append(r.url))
            page.wait_for_load_state("networkidle")
            assert not [u for u in requested if "/search/" in u and u.endswith(".json")]
            assert page.evaluate("performance.getEntriesByType('resource').filter(e => e.name.endsWith('.json')).length") == 0
        finally:
            context.close()


def test_words_from_title_author_and_abstract_find_papers_and_the_url_keeps_the_search(browser, site_url):
    recs = records()
    context, page, seen = open_page(browser, site_url + "search/")
    try:
        page.get_by_label("Words from a title, author, venue or abstract").fill("bi-level optim")
        assert "biopt-bi-level-optimization-for-few-shot" in results(page)
        assert "q=bi-level+optim" in page.url
        page.get_by_label("Words from a title, author, venue or abstract").fill("Baichuan")
        found = results(page)
        assert set(found) == {
            slug
            for slug, r in recs.items()
            if "baichuan" in (r["title"] + " ".join(r["authors"]) + r.get("abstract", "")).lower()
            or "baichuan" in (REPO / f"content/papers/{slug}.md").read_text(encoding="utf-8").split("---\n", 2)[2].lower()
        }
        # a shared URL opens on the same results
        shared = page.url
        other, again, _ = open_page(browser, shared)
        try:
            assert results(again) == found
            assert again.get_by_label("Words from a title, author, venue or abstract").input_value() == "Baichuan"
        finally:
            other.close()
        assert seen["errors"] == [] and seen["failed"] == []
    finally:
        context.close()


def test_filters_narrow_to_category_year_and_code_newest_first(browser, site_url):
    recs = records()
    context, page, _ = open_page(browser, site_url + "search/")
    try:
        page.get_by_label("Category").select_option("CV")
        cv = results(page)
        assert set(cv) == {s for s, r in recs.items() if r["category"] == "CV"}
        dates = [str(recs[s]["date"]) for s in cv]
        assert dates == sorted(dates, reverse=True)
        page.get_by_label("Has code").check()
        assert set(results(page)) == {s for s, r in recs.items() if r["category"] == "CV" and (r.get("links") or {}).get("code")}
        page.get_by_label("Category").select_option("")
        page.get_by_label("Year").select_option("2025")
        page.wait_for_function("location.search.includes('year=2025')")
        assert set(results(page)) == {
            s for s, r in recs.items() if str(r["date"]).startswith("2025") and (r.get("links") or {}).get("code")
        }
        assert "code=1" in page.url and "category" not in page.url
    finally:
        context.close()


def test_search_by_keyboard_announces_the_count(browser, site_url):
    context, page, _ = open_page(browser, site_url + "search/")
    try:
        page.locator("#search-q").focus()
        page.keyboard.type("video")
        results(page)
        status = page.get_by_role("status")
        assert status.inner_text().endswith("papers found")
        page.keyboard.press("Tab")  # on to the filters, in reading order
        assert page.evaluate("document.activeElement.name") == "category"
    finally:
        context.close()


def test_without_javascript_the_search_page_points_to_the_listings(browser, site_url):
    context, page, _ = open_page(browser, site_url + "search/?q=video", java_script_enabled=False)
    try:
        assert not page.locator(".search-form").is_visible()
        note = page.locator(".search-nojs")
        assert note.is_visible()
        hrefs = note.locator("a").evaluate_all("as => as.map(a => a.href)")
        assert hrefs == [site_url + "years/", site_url + "categories/"]
    finally:
        context.close()

"""Search and filters in a real browser: nothing downloaded before the visitor searches, words
from any field find papers, filters narrow them, the state lives in the URL, the keyboard and
screen readers are served, and without JavaScript the page points to the full listings."""

from __future__ import annotations

import re
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
    page.wait_for_function(
        "!document.querySelector('.search-results').hasAttribute('aria-busy') && "
        "/found/.test(document.querySelector('.search-status').textContent)"
    )
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
        page.wait_for_function("location.search === '?q=bi-level+optim'")  # once typing pauses
        page.get_by_label("Words from a title, author, venue or abstract").fill("Baichuan")
        found = results(page)
        page.wait_for_function("location.search === '?q=Baichuan'")
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
        page.wait_for_function("location.search.includes('year=2025')")  # the URL follows once the visitor pauses
        assert set(results(page)) == {
            s for s, r in recs.items() if str(r["date"]).startswith("2025") and (r.get("links") or {}).get("code")
        }
        page.wait_for_function("location.search === '?year=2025&code=1'")
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


@pytest.mark.parametrize("query", ["straßen", "Straßenverkehr"])
def test_a_word_is_found_as_the_visitor_types_it_whatever_its_case(browser, published, query):
    """The index lowercases words as the browser lowercases queries: a word with "ß" is found
    when typed with "ß" (a build that case-folded it to "ss" found nothing)."""
    context, page, seen = open_page(browser, published("rich")[1] + "search/")
    try:
        page.locator("#search-q").focus()
        page.keyboard.type(query)
        assert results(page) == ["stat"]
        assert seen["errors"] == []
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


@pytest.fixture(scope="module")
def big_url(tmp_path_factory, serve_dir):
    """A 400-paper site: its index is split into 8 prefix shards, 8 word shards and 2 files of result lines."""
    from generator.pipeline import BuildOptions, build
    from tests.e2e.big_site import write_big_site

    root = write_big_site(tmp_path_factory.mktemp("big-search") / "site", 400)
    out = root.parent / "output"
    build(BuildOptions(root, out, cache=False))
    return root, serve_dir(out)


def test_a_large_site_fetches_one_small_shard_per_word_and_finds_every_match(browser, big_url):
    from generator import urls

    root, url = big_url
    shards = urls.search_shard_count(400)
    assert shards == 8
    context, page, seen = open_page(browser, url + "search/")
    try:
        requested: list[str] = []
        page.on("request", lambda r: "/search/" in r.url and r.url.endswith(".json") and requested.append(r.url.rsplit("/", 1)[1]))
        page.wait_for_load_state("networkidle")
        assert requested == []  # nothing before the visitor turns to the search field
        page.locator("#search-q").focus()  # then the newest papers' result lines, where most first results are
        page.wait_for_function("performance.getEntriesByType('resource').some(e => e.name.endsWith('/papers-0.json'))")
        page.keyboard.press("k")  # one letter: no word to look up yet
        page.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
        assert requested == ["papers-0.json"]
        page.keyboard.type("enji sat")
        results(page)
        index = sorted({name for name in requested if name.startswith(("words-", "prefixes-"))})
        # "ke" and "sa": the prefix sets' shard of those two letters; "ken" and "sat" on: the word
        # shard of the first three; no facets without a filter
        assert index == sorted(
            {f"prefixes-{(ord(w[0]) * 131 + ord(w[1])) % shards}.json" for w in ("ke", "sa")}
            | {f"words-{((ord(w[0]) * 131 + ord(w[1])) * 131 + ord(w[2])) % shards}.json" for w in ("ken", "sat")}
        )
        assert "facets.json" not in requested
        expected = [
            f"p{i:05d}"
            for i in range(400)
            if "Kenji Sato" in (root / f"content/papers/p{i:05d}.md").read_text("utf-8").split("authors: [", 1)[1].split("]", 1)[0]
        ]
        status = page.get_by_role("status")
        page.wait_for_function(f"document.querySelector('.search-status').textContent === '{len(expected)} papers found'")
        while page.locator(".search-more").is_visible():  # every match, newest first, page by page
            count = page.locator(".search-results li").count()
            page.locator(".search-more").click()
            page.wait_for_function(f"document.querySelectorAll('.search-results li').length > {count}")
        hrefs = page.eval_on_selector_all(".search-results a", "as => as.map(a => a.href)")
        assert [h.rstrip("/").rsplit("/", 1)[1] for h in hrefs] == expected
        assert status.inner_text() == f"{len(expected)} papers found"
        chunks = {name for name in requested if name.startswith("papers-")}
        assert chunks == {f"papers-{i // urls.SEARCH_CHUNK}.json" for i in range(400) if f"p{i:05d}" in expected}
        assert seen["errors"] == [] and seen["failed"] == []
    finally:
        context.close()


def searchable_words(path: Path) -> set[str]:
    """A paper's words as a visitor reads them in its record: title, authors, venue and abstract
    (math left out: the big site's formulas use no word the queries below start)."""
    front, abstract = path.read_text("utf-8").split("---\n", 2)[1:]
    record = yaml.safe_load(front)
    text = " ".join([record["title"], " ".join(record["authors"]), record["venue"], abstract])
    return {w for w in re.findall(r"\w+", re.sub(r"\$[^$]*\$", " ", text).lower()) if len(w) > 1}


@pytest.mark.parametrize("query", ["gr", "vi an", "ke sa", "mü", "rob", "neural netw", "efficient sparse vid", "grace ki", "zq"])
def test_two_letter_and_longer_queries_find_what_a_scan_of_every_record_finds(browser, big_url, query):
    """Every query word is the start of some word of the paper, newest first: the count and the
    first page of results match a scan of the records, whether a word is looked up in the prefix
    sets (two letters) or in the word lists (three or more)."""
    root, url = big_url
    papers = [root / f"content/papers/p{i:05d}.md" for i in range(400)]  # p00000 is the newest
    terms = query.split()
    expected = [p.stem for p in papers if all(any(w.startswith(t) for w in searchable_words(p)) for t in terms)]
    context, page, seen = open_page(browser, url + "search/")
    try:
        page.locator("#search-q").focus()
        page.keyboard.type(query)
        found = results(page)
        count = int(page.get_by_role("status").inner_text().split()[0].replace(",", ""))
        assert count == len(expected)
        assert found == expected[:20]
        assert page.locator(".search-more").is_visible() == (len(expected) > 20)
        assert seen["errors"] == [] and seen["failed"] == []
    finally:
        context.close()

"""Both built-in themes in a real browser: axe-core finds nothing on any kind of page, in light
and dark, wide and narrow, served under /repo/ like a GitHub Pages project site, with no request
leaving the site."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from e2e.rich_site import RICH_PAPER
from e2e.sites import THEMES

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "",
    "papers/biopt-bi-level-optimization-for-few-shot/",
    "papers/baichuan-2-open-large-scale-language-models/",
    "categories/",
    "categories/cv/",
    "years/",
    "years/2025/",
    "404.html",
    "search/",
    "search/?q=video&code=1",
    "cv/",
]
# Every page kind of each test site (tests/e2e/sites.py): the example site above; the rich site
# fills in every optional field (photo, profile links, bio, venue, tags, math, tables, code); the
# full CV of `cvsite new` fills every CV section and the home page's news; the long site has the
# home page of a long list and paginated listing pages, and the paged site a page whose links
# to other pages leave some out.
AUDITED = {
    "example": PAGES,
    "rich": ["", RICH_PAPER, "categories/cv/"],
    "full-cv": ["", "cv/", "papers/an-example-paper/", "categories/", "categories/cv/", "years/", "years/2025/", "search/", "404.html"],
    "long": ["", "years/2025/page/2/"],
    "paged": ["years/2025/page/5/"],
}


@pytest.fixture(scope="module", params=THEMES)
def site_url(request, published):
    """The example site in each theme, built for a project site at /repo/ as the Pages workflow builds it."""
    return published("example", request.param)[1]


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("axe-core must be installed in CI (npm ci --ignore-scripts)")
        pytest.skip("node_modules/axe-core is missing (npm ci --ignore-scripts)")
    return AXE.read_text(encoding="utf-8")


def watch(page) -> dict:
    """What went wrong while a page loaded: script errors, failed requests, hosts asked."""
    seen: dict = {"errors": [], "failed": [], "hosts": set()}
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    # a request dropped because the tab moved on (a late favicon) is not the site's fault; a missing
    # file is still caught, as a 4xx response
    page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED" and seen["failed"].append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/404.html") and seen["failed"].append(f"{r.status} {r.url}"))
    page.on("request", lambda r: seen["hosts"].add(r.url.split("/")[2]))
    return seen


def open_page(browser, url, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    seen = watch(page)
    page.goto(url, wait_until="load")
    return context, page, seen


def audit(page, axe_source: str) -> list[str]:
    """axe-core's violations on the page as a reader sees it, one line each."""
    if "?q=" in page.url:  # search results are audited once they are on the page
        page.wait_for_function("/found/.test(document.querySelector('.search-status').textContent)")
    # abstracts and tables open, so their text is audited (contrast, overflow) as a reader sees it
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.evaluate(axe_source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:120]})" for v in result["violations"]]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_no_accessibility_violations(browser, published, axe_source, theme, scheme, width):
    """Every page kind of every test site in one tab: no axe violation, no script error, no failed
    request, no request to another host, nothing scrolling sideways. All problems are reported together."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    seen = watch(page)
    problems = []
    try:
        for site, paths in AUDITED.items():
            base = published(site, theme)[1]
            for path in paths:
                for found in seen.values():
                    found.clear()
                page.goto(base + path, wait_until="load")
                where = f"{site} site /{path}"
                themed = page.locator("link[rel=stylesheet][href$='/classic.css']").count() == 1
                if themed != (theme == "classic"):
                    problems.append(f"{where}: the page is not in the {theme} theme")
                problems += [f"{where}: {v}" for v in audit(page, axe_source)]
                if seen["errors"] or seen["failed"]:
                    problems.append(f"{where}: errors {seen['errors']}, failed requests {seen['failed']}")
                if seen["hosts"] != {base.split("/")[2]}:
                    problems.append(f"{where}: requested other hosts: {seen['hosts']}")
                overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
                if overflow > 0:
                    problems.append(f"{where}: scrolls sideways by {overflow}px")
    finally:
        context.close()
    assert problems == [], f"{theme} theme, {scheme}, {width}px:\n" + "\n".join(problems)


def test_dark_scheme_changes_colours(browser, site_url):
    colours = {}
    for scheme in ("light", "dark"):
        context, page, _ = open_page(browser, site_url, color_scheme=scheme)
        colours[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        context.close()
    assert colours["light"] != colours["dark"]


def test_the_declared_icon_exists(browser, site_url):
    """Without a declared icon the browser asks the host root for /favicon.ico: a 404 on a project site."""
    for path in ("", "papers/baichuan-2-open-large-scale-language-models/", "404.html"):
        context, page, _ = open_page(browser, site_url + path)
        try:
            icon = page.evaluate("document.querySelector('link[rel~=icon]')?.href")
            assert icon and icon.startswith(site_url), (path, icon)
            response = page.request.get(icon)
            assert response.status == 200 and response.headers["content-type"].startswith("image/"), icon
        finally:
            context.close()


def test_keyboard_reaches_the_skip_link_first(browser, site_url):
    context, page, _ = open_page(browser, site_url, viewport={"width": 390, "height": 900})
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        assert focused == "skip-link"
        box = page.locator(".skip-link").bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
        page.keyboard.press("Enter")
        page.wait_for_url("**#main", timeout=5000)  # the fragment navigation lands after the key event returns
    finally:
        context.close()


def test_abstract_opens_without_javascript(browser, site_url):
    context, page, _ = open_page(browser, site_url, java_script_enabled=False)
    try:
        details = page.locator("details.abstract").first
        body = details.locator(".abstract-body")
        assert not body.is_visible()
        details.locator("summary").click()
        assert body.is_visible()
        assert len(body.inner_text()) > 100
    finally:
        context.close()


def test_links_work_under_the_project_sub_path(browser, site_url):
    context, page, seen = open_page(browser, site_url)
    try:
        with page.expect_navigation():
            page.locator(".paper-title a").first.click()
        assert "/repo/papers/" in page.url
        with page.expect_navigation():
            page.locator("a.category-full").first.click()
        assert "/repo/categories/" in page.url and page.locator("h1").inner_text()
        assert seen["failed"] == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_site_author_is_marked_unlike_a_link(browser, site_url, scheme):
    context, page, _ = open_page(browser, site_url, color_scheme=scheme)
    try:
        style = page.evaluate("""() => {
            const me = getComputedStyle(document.querySelector('.paper .me'));
            return {colour: me.color, text: getComputedStyle(document.body).color,
                    link: getComputedStyle(document.querySelector('.paper a.category')).color,
                    decoration: me.textDecorationLine, background: me.backgroundColor, cursor: me.cursor};
        }""")
        assert style["colour"] == style["text"] != style["link"], style
        assert style["decoration"] == "none" and style["cursor"] == "auto", style
        assert style["background"] not in ("rgba(0, 0, 0, 0)", "transparent"), style  # a marker highlight
    finally:
        context.close()

"""The default theme in a real browser: axe-core finds nothing, in light and dark, wide and narrow,
served under /repo/ like a GitHub Pages project site, with no request leaving the site."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from e2e.rich_site import RICH_PAPER, write_rich_site

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
# the rich site fills in every optional field: photo, profile links, bio, venue, tags, math, tables, code
RICH_PAGES = ["", RICH_PAPER, "categories/cv/"]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory, serve_dir):
    """The example site built for a project site at /repo/, as the Pages workflow builds it."""
    from generator.pipeline import BuildOptions, build

    out = tmp_path_factory.mktemp("pages") / "output"
    build(BuildOptions(REPO, out, base_url="https://user.github.io/repo/", cache=False))
    return serve_dir(out, "/repo/")


@pytest.fixture(scope="module")
def rich_url(tmp_path_factory, serve_dir):
    from generator.pipeline import BuildOptions, build

    root = tmp_path_factory.mktemp("rich")
    out = root / "output"
    build(BuildOptions(write_rich_site(root / "site"), out, base_url="https://user.github.io/repo/"))
    return serve_dir(out, "/repo/")


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("axe-core must be installed in CI (npm ci --ignore-scripts)")
        pytest.skip("node_modules/axe-core is missing (npm ci --ignore-scripts)")
    return AXE.read_text(encoding="utf-8")


def open_page(browser, url, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    seen = {"errors": [], "failed": [], "hosts": set()}
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/404.html") and seen["failed"].append(f"{r.status} {r.url}"))
    page.on("request", lambda r: seen["hosts"].add(r.url.split("/")[2]))
    page.goto(url, wait_until="load")
    return context, page, seen


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_no_accessibility_violations(browser, site_url, rich_url, axe_source, scheme, width):
    for url in [site_url + path for path in PAGES] + [rich_url + path for path in RICH_PAGES]:
        path = url.split("/repo/", 1)[1] + (" (rich site)" if url.startswith(rich_url) else "")
        context, page, seen = open_page(browser, url, viewport={"width": width, "height": 900}, color_scheme=scheme)
        try:
            if "?q=" in url:  # search results are audited once they are on the page
                page.wait_for_function("/found/.test(document.querySelector('.search-status').textContent)")
            # abstracts open, so their text is audited (contrast, overflow) as a reader sees it
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            page.evaluate(axe_source)
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:120]})" for v in result["violations"]]
            assert violations == [], f"{path} ({scheme}, {width}px): {violations}"
            assert seen["errors"] == [] and seen["failed"] == [], (path, seen)
            assert seen["hosts"] == {url.split("/")[2]}, f"{path} requested other hosts: {seen['hosts']}"
            overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        finally:
            context.close()


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
        assert page.url.endswith("#main")
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

"""A Chinese site in a real browser: what the script says (search status, the Copy BibTeX button)
is Chinese too, since it comes from the page; and the Chinese pages pass axe at both widths."""

from __future__ import annotations

import os

import pytest
from e2e.test_interface_text import chinese_copy

from .test_accessibility import AXE, open_page

pytestmark = pytest.mark.browser

SLUG = "baichuan-2-open-large-scale-language-models"


@pytest.fixture(scope="module")
def axe():
    if not AXE.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("axe-core must be installed in CI (npm ci --ignore-scripts)")
        pytest.skip("node_modules/axe-core is missing (npm ci --ignore-scripts)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def zh_url(tmp_path_factory, serve_dir):
    from generator.pipeline import BuildOptions, build

    root = chinese_copy(tmp_path_factory.mktemp("zh"))
    out = root.parent / "output"
    build(BuildOptions(root, out, base_url="https://user.github.io/repo/", cache=False))
    return serve_dir(out, "/repo/")


def test_search_speaks_the_site_s_language(browser, zh_url):
    context, page, seen = open_page(browser, zh_url + "search/")
    try:
        page.get_by_label("标题、作者、发表处或摘要中的词语").fill("baichuan")
        page.wait_for_function("/找到/.test(document.querySelector('.search-status').textContent)")
        assert page.locator(".search-status").inner_text() == "找到 2 篇论文"
        meta = page.locator(".search-meta").all_inner_texts()
        assert meta and all("年" in m and "月" in m for m in meta)  # dates as the catalogue writes them
        assert seen["errors"] == []
    finally:
        context.close()


def test_search_says_when_it_cannot_answer_in_the_site_s_language(browser, zh_url):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.route("**/search/*.json", lambda route: route.abort())
        page.goto(zh_url + "search/?q=video")
        page.wait_for_function("/暂时不可用/.test(document.querySelector('.search-status').textContent)")
        assert page.locator(".search-status").inner_text() == "搜索暂时不可用；请按年份或类别浏览论文。"
    finally:
        context.close()


def test_the_copy_button_speaks_the_site_s_language(browser, zh_url):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=zh_url.split("/repo/")[0])
    page = context.new_page()
    try:
        page.goto(f"{zh_url}papers/{SLUG}/")
        page.get_by_role("button", name="复制 BibTeX").click()
        page.wait_for_function("document.querySelector('.cite-status').textContent !== ''")
        assert page.get_by_role("status").inner_text() == "已复制"
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_chinese_pages_have_no_accessibility_violations(browser, zh_url, axe, width):
    for path in ("", f"papers/{SLUG}/", "cv/", "search/?q=video", "years/"):
        context, page, seen = open_page(browser, zh_url + path, viewport={"width": width, "height": 900})
        try:
            if "?q=" in path:
                page.wait_for_function("/找到/.test(document.querySelector('.search-status').textContent)")
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            page.evaluate(axe)
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:120]})" for v in result["violations"]]
            assert violations == [], f"{path} ({width}px): {violations}"
            assert seen["errors"] == [] and seen["failed"] == [], (path, seen)
            overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        finally:
            context.close()

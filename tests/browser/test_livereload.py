"""Live reload in a real browser: an edit shows up, an error overlays the page, a fix clears it,
all without the user touching the page."""

from __future__ import annotations

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.browser

PAPER = "content/papers/prototype-rectification-for-few-shot-learning.md"
PAGE = "papers/prototype-rectification-for-few-shot-learning/"


NO_SHARING = "Object.defineProperty(Navigator.prototype, 'locks', {get: () => undefined})"


@pytest.fixture(params=["shared-stream", "stream-per-tab"])
def page(browser, request):
    """A fresh page; a second time without Web Locks, as over plain HTTP from another machine."""
    context = browser.new_context()
    if request.param == "stream-per-tab":
        context.add_init_script(NO_SHARING)
    page = context.new_page()
    yield page
    context.close()


def test_page_reloads_with_the_new_title_after_an_edit(serve, example_copy, page, edit):
    server = serve()
    page.goto(server.url + PAGE)
    assert page.locator("h1").inner_text() == "Prototype Rectification for Few-Shot Learning"
    page.evaluate("window.__notReloaded = true")

    edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    page.wait_for_function("document.querySelector('h1').innerText.includes('Revisited')", timeout=20000)
    assert page.evaluate("window.__notReloaded === undefined")  # a real reload, not a DOM patch


def test_error_overlay_appears_and_clears(serve, example_copy, page, edit):
    server = serve()
    page.goto(server.url + PAGE)
    overlay = page.locator("#cvsite-errors")
    assert overlay.count() == 0

    edit(example_copy / PAPER, "category: CV", "category: CVV")
    overlay.wait_for(state="visible", timeout=20000)
    assert f"{PAPER}:" in overlay.inner_text() and "category: unknown category 'CVV'" in overlay.inner_text()
    assert page.locator("h1").inner_text() == "Prototype Rectification for Few-Shot Learning"  # last good page

    edit(example_copy / PAPER, "category: CVV", "category: CV")
    overlay.wait_for(state="detached", timeout=20000)
    assert page.locator("h1").is_visible()


def test_many_tabs_load_and_all_reload(serve, example_copy, browser, edit):
    """Browsers allow about six connections per server: tabs must not each hold an event stream."""
    server = serve()
    context = browser.new_context()
    try:
        tabs = []
        for _ in range(9):
            tab = context.new_page()
            tab.goto(server.url + PAGE, timeout=10000)
            tab.evaluate("window.__notReloaded = true")
            tabs.append(tab)
        edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
        for tab in tabs:
            tab.wait_for_function("document.querySelector('h1').innerText.includes('Revisited')", timeout=20000)
            assert tab.evaluate("window.__notReloaded === undefined")
        assert tabs[-1].goto(server.url, timeout=10000).ok  # and the browser can still load pages
    finally:
        context.close()


OTHER_PAGE = "papers/korgym-a-dynamic-game-platform-for-llm-reasoning/"


def _seen(tab, epoch: int) -> None:
    """Wait until the tab has taken in the site's version `epoch` (reloaded or not)."""
    tab.wait_for_function(f"window.__cvsiteVersion && parseInt(window.__cvsiteVersion.split('-').pop(), 10) >= {epoch}", timeout=20000)


def test_only_the_tabs_whose_page_changed_reload(serve, example_copy, browser, edit):
    server = serve()
    context = browser.new_context()
    try:
        edited, other = context.new_page(), context.new_page()
        edited.goto(server.url + PAGE)
        other.goto(server.url + OTHER_PAGE)
        for tab in (edited, other):
            tab.evaluate("window.__notReloaded = true")
        edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
        edited.wait_for_function("document.querySelector('h1').innerText.includes('Revisited')", timeout=20000)
        assert edited.evaluate("window.__notReloaded === undefined")
        server.wait_for(lambda: server.status()["pending"] == 0)  # the pages of every paper are written too
        _seen(other, int(server.status()["version"].split("-")[-1]))
        assert other.evaluate("window.__notReloaded === true")  # its page did not change: it stayed as it was

        # a stylesheet every page uses: both reload
        style = example_copy / "static/assets/style.css"
        style.parent.mkdir(parents=True)
        style.write_text((REPO / "themes/default/static/assets/style.css").read_text(encoding="utf-8") + "\nh1 { color: rgb(1, 2, 3); }\n")
        for tab in (edited, other):
            tab.wait_for_function("getComputedStyle(document.querySelector('h1')).color === 'rgb(1, 2, 3)'", timeout=20000)
    finally:
        context.close()

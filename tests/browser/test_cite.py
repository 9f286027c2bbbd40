"""The Cite block of a paper page in a real browser: with JavaScript a button copies the BibTeX to
the clipboard; without it the block still shows the BibTeX and downloads the .bib file."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e.sites import THEMES

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SLUG = "baichuan-2-open-large-scale-language-models"


@pytest.fixture(scope="module", params=THEMES)
def built(request, published):
    """The example site in each built-in theme, built for a project site at /repo/."""
    return published("example", request.param)


def test_the_copy_button_puts_the_bibtex_on_the_clipboard(browser, built):
    out, url = built
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.split("/repo/")[0])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}papers/{SLUG}/")
    button = page.get_by_role("button", name="Copy BibTeX")
    button.click()  # works with the BibTeX folded away: the text is copied, not what is visible
    expected = (out / f"papers/{SLUG}/{SLUG}.bib").read_text("utf-8")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert page.get_by_role("status").inner_text() == "Copied"
    assert errors == []
    context.close()


def test_without_javascript_the_bibtex_opens_and_downloads(browser, built):
    out, url = built
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{url}papers/{SLUG}/")
    assert page.get_by_role("button", name="Copy BibTeX").count() == 0
    bibtex = page.locator(".cite pre")
    assert not bibtex.is_visible()
    page.locator(".cite summary").click()
    assert bibtex.is_visible() and bibtex.inner_text().startswith("@misc{yang2023baichuan,")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download .bib").click()
    download = caught.value
    assert download.suggested_filename == f"{SLUG}.bib"
    assert Path(download.path()).read_text("utf-8") == (out / f"papers/{SLUG}/{SLUG}.bib").read_text("utf-8")
    context.close()


def test_the_paper_page_without_javascript_passes_axe(browser, built):
    """The page as a reader without JavaScript gets it: no copy button, the BibTeX opened.

    Chromium runs no timers with JavaScript off, and axe needs them: the page's own scripts are
    refused by a Content-Security-Policy instead, while Playwright's evaluation still runs axe.
    """
    axe = REPO / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.is_file():
        pytest.fail("axe-core must be installed (npm ci --ignore-scripts)")
    _, url = built
    context = browser.new_context()

    def without_page_scripts(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": "script-src 'none'"})

    context.route("**/*", without_page_scripts)
    page = context.new_page()
    page.goto(f"{url}papers/{SLUG}/")
    page.locator(".cite summary").click()
    assert page.get_by_role("button").count() == 0  # the script that makes it did not run
    page.evaluate(axe.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"]] == []
    context.close()

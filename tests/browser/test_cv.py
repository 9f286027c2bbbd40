"""The printable CV: printed to PDF by Chromium on A4 and Letter, no entry is split across pages,
every record link is written out, and the page lists every paper once under its year."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from e2e.sites import THEMES

from .test_accessibility import open_page

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=THEMES)
def site_url(request, published):
    """The example site in each built-in theme, built for a project site at /repo/."""
    return published("example", request.param)[1]


def squeeze(text: str) -> str:
    """Text as compared across HTML and PDF: ligatures undone, no whitespace (PDF lines wrap anywhere)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("paper_format", ["A4", "Letter"])
def test_printing_the_cv_keeps_every_entry_on_one_page_and_shows_its_links(browser, site_url, paper_format):
    pypdf = pytest.importorskip("pypdf")
    context, page, _ = open_page(browser, site_url + "cv/")
    try:
        page.emulate_media(media="print")
        entries = page.locator(".cv-entry").evaluate_all("es => es.map(e => e.innerText)")
        links = page.locator(".cv-links a").evaluate_all("as => as.map(a => a.href)")
        pdf = page.pdf(format=paper_format, margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})
    finally:
        context.close()
    pages = [squeeze(p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2 and len(entries) >= 27  # every one of the 27 papers (after the selected ones, when a site has any)
    without_addresses = [re.sub(r"<[^<>]*>", "", text) for text in pages]  # the printed " <URL>" after links
    for entry in entries:
        assert any(squeeze(entry) in text for text in without_addresses), f"split or missing on {paper_format}: {entry[:80]}"
    assert links and all(squeeze(link) in "".join(pages) for link in links)  # addresses printed
    assert "SkiptocontentPapersCategories" not in pages[0]  # no site navigation on paper


def test_the_cv_lists_every_paper_once_under_its_year_with_the_owner_marked(browser, site_url):
    context, page, _ = open_page(browser, site_url + "cv/")
    try:
        years = page.locator(".cv-year").all_inner_texts()
        assert years == sorted(years, reverse=True)
        listed = page.locator("#cv-publications ~ ol .cv-title, section[aria-labelledby=cv-publications] .cv-title").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))"
        )
        papers = sorted(p.stem for p in (REPO / "content/papers").glob("*.md"))
        assert sorted(h.rstrip("/").rsplit("/", 1)[-1] for h in listed) == papers
        assert page.locator("section[aria-labelledby=cv-publications] .cv-entry .me").count() == len(papers)
        assert page.get_by_role("button", name="Print or save as PDF").is_visible()
    finally:
        context.close()


# relative luminance (WCAG) of each element's text colour, and of the page's background
LUMINANCE = """selectors => {
    const lum = colour => {
        const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map(v => v / 255)
            .map(c => c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    return {background: lum(getComputedStyle(document.body).backgroundColor),
            text: Object.fromEntries(selectors.map(s => [s, lum(getComputedStyle(document.querySelector(s)).color)]))};
}"""


@pytest.mark.parametrize("dark", ["system", "chosen"])
def test_a_cv_printed_from_a_dark_screen_is_dark_on_white(browser, site_url, dark):
    """Paper is white: the dark scheme, the system's or the visitor's pick, is for screens only."""
    context, page, _ = open_page(browser, site_url + "cv/", color_scheme="dark" if dark == "system" else "light")
    try:
        if dark == "chosen":
            page.evaluate("document.documentElement.dataset.theme = 'dark'")  # what the switch does
        assert page.evaluate(LUMINANCE, ["body"])["background"] < 0.05  # dark on screen
        page.emulate_media(media="print")
        seen = page.evaluate(LUMINANCE, ["body", "h1", "h2", ".cv-year", ".cv-authors", ".cv-title", ".cv-links a"])
    finally:
        context.close()
    assert seen["background"] > 0.95, seen
    assert all(value < 0.1 for value in seen["text"].values()), seen  # at least 7:1 on white

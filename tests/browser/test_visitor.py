"""What a visitor sees and does: the colour-scheme switch (remembered, never flashing, absent
without JavaScript), the wide-screen layout, explained numbers, math set in the text's font."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e.sites import THEMES

from .test_accessibility import open_page

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]

# records the scheme <html> carries at the moment the stylesheet link arrives: a later change would flash
WATCH_STYLESHEET = """
window.__themeAtStylesheet = 'not seen';
new MutationObserver((records, observer) => {
  for (const r of records) for (const n of r.addedNodes)
    if (n.nodeName === 'LINK' && n.rel === 'stylesheet') {
      window.__themeAtStylesheet = document.documentElement.dataset.theme || 'system';
      observer.disconnect();
    }
}).observe(document, {childList: true, subtree: true});
"""


@pytest.fixture(scope="module", params=THEMES)
def site_url(request, published):
    """The example site in each built-in theme, built for a project site at /repo/."""
    return published("example", request.param)[1]


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_the_theme_switch_overrides_the_system_and_is_remembered_without_a_flash(browser, site_url):
    context = browser.new_context(color_scheme="light")
    try:
        page = context.new_page()
        page.goto(site_url)
        light = background(page)
        switch = page.get_by_role("group", name="Colour scheme")
        assert switch.is_visible()
        assert switch.get_by_role("button", name="System").get_attribute("aria-pressed") == "true"
        switch.get_by_role("button", name="Dark").click()
        dark = background(page)
        assert dark != light
        assert switch.get_by_role("button", name="Dark").get_attribute("aria-pressed") == "true"
        # another page of the site, loaded fresh: dark from the first paint
        page.add_init_script(WATCH_STYLESHEET)
        page.goto(site_url + "years/")
        assert page.evaluate("window.__themeAtStylesheet") == "dark"
        assert background(page) == dark
        # back to the system's scheme, also remembered
        page.get_by_role("button", name="System").click()
        assert background(page) == light
        page.reload()
        assert page.evaluate("window.__themeAtStylesheet") == "system" and background(page) == light
    finally:
        context.close()


def test_the_switch_works_from_the_keyboard(browser, site_url):
    context, page, _ = open_page(browser, site_url, color_scheme="dark")
    try:
        dark = background(page)
        page.get_by_role("button", name="Light").focus()
        page.keyboard.press("Enter")
        assert background(page) != dark
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_without_javascript_the_page_follows_the_system_and_shows_no_switch(browser, site_url, scheme):
    with_js, page, _ = open_page(browser, site_url, color_scheme=scheme)
    expected = background(page)
    with_js.close()
    context, page, seen = open_page(browser, site_url, color_scheme=scheme, java_script_enabled=False)
    try:
        assert background(page) == expected
        assert not page.locator(".theme-switch").is_visible()
        assert seen["errors"] == []
    finally:
        context.close()


def test_a_blocked_storage_leaves_the_system_scheme_and_no_errors(browser, site_url):
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        page.add_init_script("Object.defineProperty(window, 'localStorage', {get() { throw new Error('blocked'); }})")
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(site_url)
        page.get_by_role("button", name="Light").click()  # still switches for this page
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        assert errors == []
    finally:
        context.close()


def test_the_header_links_fit_one_line_on_a_phone(browser, site_url):
    context, page, _ = open_page(browser, site_url, viewport={"width": 390, "height": 900})
    try:
        tops = page.locator(".site-nav li").evaluate_all("items => items.map(li => Math.round(li.getBoundingClientRect().top))")
    finally:
        context.close()
    assert len(tops) >= 6 and len(set(tops)) == 1, tops


def test_wide_screens_put_the_profile_beside_the_papers_and_phones_stack_bio_before_metrics(browser, site_url):
    context, page, _ = open_page(browser, site_url, viewport={"width": 1280, "height": 900})
    try:
        side = page.locator(".home-side").bounding_box()
        main = page.locator(".home-main").bounding_box()
        assert side["x"] + side["width"] <= main["x"] and abs(side["y"] - main["y"]) < 40
        assert main["width"] > 600
    finally:
        context.close()
    context, page, _ = open_page(browser, site_url, viewport={"width": 390, "height": 900})
    try:
        boxes = [page.locator(sel).bounding_box() for sel in (".profile", ".metrics", ".home-main")]
        assert all(b["x"] < 30 and b["width"] > 330 for b in boxes)
        assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
        order = page.evaluate("[...document.querySelectorAll('.bio, .metrics')].map(e => e.className)")
        assert order.index("metrics") == len(order) - 1  # a bio, when there is one, comes first
    finally:
        context.close()


def test_the_numbers_are_explained_by_a_disclosure_that_opens_by_keyboard_and_tap(browser, site_url):
    for options in ({}, {"has_touch": True, "is_mobile": True, "viewport": {"width": 390, "height": 900}}):
        context, page, _ = open_page(browser, site_url, **options)
        try:
            note = page.locator("details.explain dd").first
            assert not note.is_visible()
            summary = page.locator("details.explain summary")
            if options:
                summary.tap()
            else:
                summary.focus()
                page.keyboard.press("Enter")
            assert note.is_visible()
            terms = page.locator("details.explain dt").all_inner_texts()
            assert {"h-index", "Papers", "Citations", "Novelty", "AI Score", "Score"} <= set(terms)
        finally:
            context.close()


def test_math_in_titles_uses_the_title_font_and_spaces_operator_names(browser, tmp_path, serve_dir):
    from generator.pipeline import BuildOptions, build

    site = tmp_path / "site"
    (site / "content/papers").mkdir(parents=True)
    (site / "site.yaml").write_text("title: Math\n")
    (site / "content/profile.md").write_text("---\nname: Ada Lovelace\n---\n")
    titles = [  # real arXiv titles
        r"Sorting with Predictions in $O(n \log n)$ Comparisons",
        r"Stochastic Gradient Descent on $\mathbb{R}^d$ and $\sum_{i=1}^n f_i$",
        r"$\ell_1$ Regularised Regression with $\epsilon$-Privacy",
    ]
    for i, title in enumerate(titles):
        (site / f"content/papers/p{i}.md").write_text(
            f"---\ntitle: '{title}'\nauthors: [Ada Lovelace]\ndate: 2024-0{i + 1}\ncategory: LG\n---\nx\n"
        )
    out = tmp_path / "out"
    build(BuildOptions(site, out))
    context, page, _ = open_page(browser, serve_dir(out))
    try:
        fonts = page.evaluate("""[...document.querySelectorAll('.paper-title math')].map(m => [
            getComputedStyle(m).fontFamily, getComputedStyle(m.closest('.paper-title')).fontFamily,
            getComputedStyle(m).fontWeight, getComputedStyle(m.closest('.paper-title')).fontWeight])""")
        assert len(fonts) >= 4
        assert all(f[0] == f[1] and f[2] == f[3] for f in fonts), fonts
        # "n log n": a visible gap on both sides of the upright operator name
        gaps = page.evaluate("""(() => {
            const log = [...document.querySelectorAll('mi')].find(e => e.textContent === 'log');
            const before = log.previousElementSibling.previousElementSibling, after = log.nextElementSibling.nextElementSibling;
            const [b, l, a] = [before, log, after].map(e => e.getBoundingClientRect());
            return [l.left - b.right, a.left - l.right, getComputedStyle(log).fontStyle];
        })()""")
        assert gaps[0] >= 1.5 and gaps[1] >= 1.5 and gaps[2] == "normal", gaps
    finally:
        context.close()

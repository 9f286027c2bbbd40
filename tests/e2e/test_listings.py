"""Listings at any size: a short CV lists every paper with its abstract on the home page; a long
one splits into pages that stay small, and every paper stays two clicks from the home page."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import html5lib
import pytest

from generator.model import LISTING_FULL, PAGE_SIZE
from generator.pipeline import BuildOptions, build

from .big_site import write_big_site
from .helpers import html_pages, links, page_url, resolve

MAX_ELEMENTS = 1400


def dom(file: Path):
    return html5lib.parse(file.read_bytes(), treebuilder="lxml", namespaceHTMLElements=False)


def element_count(file: Path) -> int:
    return sum(1 for e in dom(file).iter() if isinstance(e.tag, str))


def listing_pages(out: Path) -> list[Path]:
    return [out / "index.html", *sorted((out / "categories").rglob("index.html")), *sorted((out / "years").rglob("index.html"))]


def paper_titles(file: Path) -> list[str]:
    return ["".join(a.itertext()).strip() for a in dom(file).iter("a") if a.getparent().get("class") == "paper-title"]


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("big")
    out = root / "output"
    build(BuildOptions(write_big_site(root / "site", 1000), out))
    return out


def test_no_listing_page_of_a_thousand_paper_site_exceeds_the_element_budget(big_site):
    pages = listing_pages(big_site)
    assert len(pages) > 30  # categories and years split into pages
    sizes = {p.relative_to(big_site).as_posix(): element_count(p) for p in pages}
    assert max(sizes.values()) <= MAX_ELEMENTS, sorted(sizes.items(), key=lambda kv: -kv[1])[:5]


def test_every_paper_is_at_most_two_clicks_from_the_home_page(big_site):
    depth = {big_site / "index.html": 0}
    todo = deque([big_site / "index.html"])
    while todo:
        file = todo.popleft()
        if depth[file] == 2:
            continue
        base = page_url(big_site, file)
        for link in links(dom(file)):
            target = resolve(big_site, base, link)
            if target is not None and target.suffix == ".html" and target not in depth:
                depth[target] = depth[file] + 1
                todo.append(target)
    papers = set((big_site / "papers").glob("*/index.html"))
    assert len(papers) == 1000
    assert papers <= set(depth), f"{len(papers - set(depth))} papers are more than two clicks away"


@pytest.mark.parametrize("kind", ["categories/cv", "years/2025"])
def test_long_listings_split_into_pages_that_list_each_paper_once_newest_first(big_site, kind):
    first = big_site / kind / "index.html"
    pages = [first, *sorted((big_site / kind / "page").glob("*/index.html"), key=lambda p: int(p.parent.name))]
    assert len(pages) > 2
    shown = [paper_titles(p) for p in pages]
    assert all(len(titles) == PAGE_SIZE for titles in shown[:-1]) and 0 < len(shown[-1]) <= PAGE_SIZE
    every = [t for titles in shown for t in titles]
    assert len(every) == len(set(every))
    numbers = [int(t.rsplit(" ", 1)[1]) for t in every]  # the generator numbers papers newest first
    assert numbers == sorted(numbers)
    # abstracts are on the paper pages, not in long listings
    assert not [d for d in dom(pages[1]).iter("details") if d.get("class") == "abstract"]
    # each page links to the first and last pages and to two on either side, above and below the
    # list, "…" standing for the others: a page of a long listing does not grow with the listing
    for number, page in enumerate(pages, 1):
        base = page_url(big_site, page)
        numbered = [a for a in dom(page).iter("a") if a.get("aria-label", "").startswith("Page ")]
        targets = {int(a.text): resolve(big_site, base, a.get("href")) for a in numbered}
        wanted = {1, len(pages), *range(max(1, number - 2), min(len(pages), number + 2) + 1)}
        assert wanted <= set(targets) and all(targets[n] == pages[n - 1] for n in targets)
        assert len(numbered) <= 2 * 9


def test_a_page_of_a_long_listing_is_as_small_as_one_of_a_shorter_listing(tmp_path):
    """A page's links to other pages: the first, the last and those near it, "…" for the rest."""
    sizes = {}
    for papers in (14 * PAGE_SIZE, 50 * PAGE_SIZE):  # one year of 14 pages, one of 50
        out = tmp_path / f"out{papers}"
        build(BuildOptions(write_big_site(tmp_path / f"site{papers}", papers, years=1), out, cache=False))
        (year,) = [p for p in (out / "years").iterdir() if p.is_dir()]
        middle = year / "page" / "7" / "index.html"
        numbers = [a.text for a in dom(middle).iter("a") if a.get("aria-label", "").startswith("Page ")]
        gaps = [li.text for li in dom(middle).iter("li") if li.get("class") == "gap"]
        last = len(list((year / "page").iterdir())) + 1
        assert numbers == ["1", "5", "6", "7", "8", "9", str(last)] * 2
        assert gaps == ["…"] * 4  # on both sides, above and below the list
        sizes[papers] = element_count(middle)
    assert sizes[14 * PAGE_SIZE] == sizes[50 * PAGE_SIZE]


def test_the_home_page_of_a_long_cv_shows_the_newest_papers_and_every_year(big_site):
    tree = dom(big_site / "index.html")
    titles = paper_titles(big_site / "index.html")
    assert 0 < len(titles) <= PAGE_SIZE and titles[0].endswith(" 0")
    years = [a.text for a in tree.iter("a") if a.get("class") == "year-link"]
    assert years == [str(y) for y in range(2025, 2019, -1)]


def test_a_short_cv_keeps_every_paper_on_the_home_page_with_abstracts(example_site):
    home = example_site / "index.html"
    papers = list((example_site / "papers").glob("*/index.html"))
    assert len(papers) <= LISTING_FULL
    assert len(set(paper_titles(home))) == len(papers)  # the selected ones appear twice
    tree = dom(home)
    assert len([d for d in tree.iter("details") if d.get("class") == "abstract"]) == len(papers)
    years = [int(h.get("id").split("-")[1]) for h in tree.iter("h3") if (h.get("id") or "").startswith("year-")]
    assert years == sorted(years, reverse=True) and len(years) > 1
    assert not [p for d in ("categories", "years") for p in (example_site / d).glob("*/page")]


def test_example_listing_pages_fit_the_budget(example_site):
    assert max(element_count(p) for p in listing_pages(example_site)) <= MAX_ELEMENTS
    assert {p.name for p in html_pages(example_site)} >= {"index.html", "404.html"}


def test_the_longest_full_listing_fits_the_budget_and_one_more_paper_splits_it(tmp_path):
    """At LISTING_FULL papers (math in every abstract) the home page still lists all of them with
    abstracts within the budget; one paper more and it switches to the newest papers and years."""
    for papers in (LISTING_FULL, LISTING_FULL + 1):
        out = tmp_path / f"out{papers}"
        build(BuildOptions(write_big_site(tmp_path / f"site{papers}", papers, years=1), out))
        home = out / "index.html"
        assert element_count(home) <= MAX_ELEMENTS
        full = papers <= LISTING_FULL
        assert (len(paper_titles(home)) == papers) == full
        assert bool([d for d in dom(home).iter("details") if d.get("class") == "abstract"]) == full
        assert (out / "years/2025/page/2/index.html").is_file() == (not full)


def test_selected_publications_come_first_on_the_home_page(example_copy, tmp_path):
    featured = ["baichuan-2-open-large-scale-language-models", "biopt-bi-level-optimization-for-few-shot"]
    for slug in featured:
        record = example_copy / "content/papers" / f"{slug}.md"
        record.write_text(record.read_text(encoding="utf-8").replace("\ndate:", "\nfeatured: true\ndate:", 1), encoding="utf-8")
    build(BuildOptions(example_copy, tmp_path / "out"))
    tree = dom(tmp_path / "out/index.html")
    sections = [s for s in tree.iter("section") if "papers" in (s.get("class") or "")]
    assert sections[0].get("aria-labelledby") == "selected-heading"
    selected = [a.get("href").strip("/").split("/")[-1] for a in sections[0].iter("a") if a.getparent().get("class") == "paper-title"]
    assert sorted(selected) == featured


def test_a_site_that_features_nothing_has_no_selected_section(example_site):
    """The example researcher's page marks no paper as selected, so neither does the example site."""
    tree = dom(example_site / "index.html")
    assert not [s for s in tree.iter("section") if s.get("aria-labelledby") == "selected-heading"]
    assert not [h for h in tree.iter("h2") if "".join(h.itertext()).strip() == "Selected publications"]


def test_every_listing_entry_shows_the_site_author_highlighted_outside_links(example_site, big_site):
    for out in (example_site, big_site):
        for file in listing_pages(out):
            for article in dom(file).iter("article"):
                marked = [m for m in article.iter("strong") if m.get("class") == "me"]
                assert len(marked) == 1, (file, "".join(article.itertext())[:200])
                assert all(a.tag != "a" for a in marked[0].iterancestors())


def test_long_author_lists_are_shortened_with_a_count_and_venues_shown(big_site):
    tree = dom(big_site / "years/2025/index.html")
    lines = ["".join(p.itertext()) for p in tree.iter("p") if p.get("class") == "authors"]
    assert any("…" in line and line.endswith(" authors)") for line in lines)
    assert all(line.count(",") <= 6 for line in lines)
    venues = [p.text for p in tree.iter("p") if p.get("class") == "venue"]
    assert len(venues) == len(lines) and venues[0].startswith("CVPR ")

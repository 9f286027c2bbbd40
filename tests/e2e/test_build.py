"""The example site end to end: page set, counts, listings, links, HTML, escaping."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from generator.pipeline import BuildOptions, build

from .helpers import html_pages, links, page_url, parse_strict, resolve

REPO = Path(__file__).resolve().parents[2]


def records() -> dict[str, dict]:
    found = {}
    for path in sorted((REPO / "content/papers").glob("*.md")):
        front = path.read_text(encoding="utf-8").split("---\n")[1]
        found[path.stem] = yaml.safe_load(front)
    return found


def year_of(record) -> int:
    return int(str(record["date"])[:4])


def test_the_example_site_has_every_page(example_site):
    recs = records()
    assert len(recs) == 27
    for slug in recs:
        assert (example_site / "papers" / slug / "index.html").is_file()
    categories = Counter(r["category"] for r in recs.values())
    assert categories == {"CV": 17, "CL": 5, "LG": 4, "DC": 1}
    for code in categories:
        assert (example_site / "categories" / code.lower() / "index.html").is_file()
    years = {year_of(r) for r in recs.values()}
    assert min(years) == 2019 and max(years) == 2026
    for year in years:
        assert (example_site / "years" / str(year) / "index.html").is_file()
    for page in ("index.html", "categories/index.html", "years/index.html", "404.html", ".nojekyll"):
        assert (example_site / page).is_file()
    assert len(list((example_site / "papers").iterdir())) == 27
    assert len(list((example_site / "categories").iterdir())) == len(categories) + 1


def text(tree, css_class: str) -> list[str]:
    return [" ".join("".join(e.itertext()).split()) for e in tree.iter() if css_class in e.attrib.get("class", "").split()]


def test_profile_page_shows_metrics_and_every_paper_newest_first(example_site):
    tree = parse_strict(example_site / "index.html")
    profile = yaml.safe_load((REPO / "content/profile.md").read_text(encoding="utf-8").split("---\n")[1])
    metrics = dict(zip((e.text for e in tree.iter("dt")), (e.text for e in tree.iter("dd"))))
    assert metrics == {
        "h-index": str(profile["metrics"]["h_index"]),
        "Papers": "27",
        "Citations": f"{profile['metrics']['citations']:,}",
        "Novelty": f"{profile['metrics']['novelty']}%",
        "AI Score": str(profile["metrics"]["ai_score"]),
    }
    titles = text(tree, "paper-title")
    recs = records()
    assert len(titles) == 27
    by_date = sorted(recs.values(), key=lambda r: str(r["date"]), reverse=True)
    assert titles[0] == by_date[0]["title"] and titles[-1] in {r["title"] for r in by_date if str(r["date"]) == str(by_date[-1]["date"])}
    headings = [h.split()[0] for h in text(tree, "year-heading")]
    assert headings == [str(y) for y in sorted({year_of(r) for r in recs.values()}, reverse=True)]


def test_every_listing_shows_what_a_reader_needs(example_site):
    recs = {r["title"]: r for r in records().values()}
    for listing in ("index.html", "categories/cv/index.html", "years/2025/index.html"):
        tree = parse_strict(example_site / listing)
        articles = [e for e in tree.iter("article") if "paper" in e.attrib.get("class", "")]
        assert articles
        for article in articles:
            title = " ".join("".join(next(e for e in article.iter() if "paper-title" in e.attrib.get("class", "")).itertext()).split())
            record = recs[title]
            hrefs = [a.attrib.get("href", "") for a in article.iter("a")]
            assert any(h.endswith(f"categories/{record['category'].lower()}/") for h in hrefs)
            assert any(h.endswith("/") and "papers/" in h for h in hrefs)
            assert article.find(".//time") is not None
            code = (record.get("links") or {}).get("code")
            assert (code in hrefs) == bool(code)
            authors = " ".join("".join(e.itertext()) for e in article.iter() if "authors" in e.attrib.get("class", "").split())
            assert record["authors"][0] in authors
            assert ("et al." in authors) == bool(record.get("et_al"))
            if record.get("affiliation"):
                assert record["affiliation"] in authors
            score = " ".join(text(article, "score"))
            assert (f"{record['score']:.1f}" in score) if record.get("score") is not None else score == ""
            details = article.find(".//details")
            assert details is not None and details.find("summary") is not None
            assert "open" not in details.attrib  # collapsed by default, works without JavaScript


def test_listing_pages_show_counts(example_site):
    recs = records()
    cv = " ".join(text(parse_strict(example_site / "categories/cv/index.html"), "lead"))
    assert f"{sum(r['category'] == 'CV' for r in recs.values())} papers" in cv
    index = " ".join(text(parse_strict(example_site / "categories/index.html"), "index-list"))
    assert "17 papers" in index and "1 paper" in index
    y2025 = sum(year_of(r) == 2025 for r in recs.values())
    assert f"{y2025} papers" in " ".join(text(parse_strict(example_site / "years/2025/index.html"), "lead"))


def test_site_author_is_highlighted(example_site):
    tree = parse_strict(example_site / "papers/prototype-rectification-for-few-shot-learning/index.html")
    assert text(tree, "me") == ["Liang Song"]


def test_latex_and_math_render_in_the_example(example_site):
    metagpt = (example_site / "papers/metagpt-merging-large-language-models-using-model/index.html").read_text()
    assert "\\textbf" not in metagpt
    assert "Model Exclusive Task Arithmetic" in " ".join(metagpt.split())
    biopt = (example_site / "papers/biopt-bi-level-optimization-for-few-shot/index.html").read_text()
    assert biopt.count("<math") == 2 and "$5^i$" not in biopt


@pytest.mark.parametrize("prefix", ["/", "/repo/"])
def test_every_internal_link_resolves(example_site, prefix):
    checked = 0
    for file in html_pages(example_site):
        if file.name == "404.html":
            continue  # served at any depth; checked below with its base_url
        base = page_url(example_site, file, prefix)
        for link in links(parse_strict(file)):
            target = resolve(example_site, base, link, prefix)
            if target is not None:
                assert target.is_file(), f"{link} on {base} -> {target}"
                checked += 1
    assert checked > 500


def test_404_page_links_work_at_any_depth_under_the_base_url(example_copy, tmp_path):
    out = tmp_path / "out"
    build(BuildOptions(example_copy, out, base_url="https://user.github.io/repo/"))
    tree = parse_strict(out / "404.html")
    for deep in ("http://site.test/repo/no/such/page/", "http://site.test/repo/x"):
        for link in links(tree):
            target = resolve(out, deep, link, "/repo/")
            if target is not None:
                assert target.is_file(), link


def test_every_page_parses_as_valid_html(example_site):
    pages = html_pages(example_site)
    assert len(pages) > 40
    for file in pages:
        tree = parse_strict(file)
        assert tree.find("head/title") is not None
        assert tree.attrib.get("lang") == "en"

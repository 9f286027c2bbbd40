"""The example site (content/) end to end: the page set, counts, listings, rendering, HTML."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from slugify import slugify

from .helpers import html_pages, is_cite_script, parse_strict, without_cite

REPO = Path(__file__).resolve().parents[2]


def read_record(path: Path) -> dict:
    """A paper record parsed independently of cvsite: front matter + body, or plain YAML."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        _, front, body = text.split("---\n", 2)
        record = yaml.safe_load(front)
        record["abstract"] = body.strip()
    else:
        record = yaml.safe_load(text)
    record["date"] = str(record["date"])
    record.setdefault("slug", slugify(path.stem))
    return record


def records() -> dict[str, dict]:
    found = [read_record(p) for p in sorted((REPO / "content/papers").iterdir()) if p.suffix in (".md", ".yaml", ".yml")]
    return {r["slug"]: r for r in found if not r.get("draft")}


def year_of(record) -> int:
    return int(record["date"][:4])


def words(element) -> str:
    return " ".join("".join(element.itertext()).split())


def by_class(tree, css_class: str) -> list:
    return [e for e in tree.iter() if css_class in e.attrib.get("class", "").split()]


def texts(tree, css_class: str) -> list[str]:
    return [words(e) for e in by_class(tree, css_class)]


def test_the_example_is_the_seed_researcher():
    recs = records()
    assert len(recs) == 27
    assert Counter(r["category"] for r in recs.values()) == {"CV": 17, "CL": 5, "LG": 4, "DC": 1}
    years = {year_of(r) for r in recs.values()}
    assert min(years) == 2019 and max(years) == 2026


def test_the_page_set_is_exactly_what_the_records_call_for(example_site):
    recs = records()
    expected = {"index.html", "404.html", "categories/index.html", "years/index.html", "cv/index.html", "search/index.html"}
    expected |= {f"papers/{slug}/index.html" for slug in recs}
    expected |= {f"categories/{r['category'].lower()}/index.html" for r in recs.values()}
    expected |= {f"years/{year_of(r)}/index.html" for r in recs.values()}
    assert {p.relative_to(example_site).as_posix() for p in html_pages(example_site)} == expected
    assert (example_site / ".nojekyll").is_file()
    # years without papers (2021 in the example) get no page
    missing = set(range(2019, 2027)) - {year_of(r) for r in recs.values()}
    for year in missing:
        assert not (example_site / "years" / str(year)).exists()


def test_profile_page_shows_metrics_and_every_paper_newest_first(example_site):
    tree = parse_strict(example_site / "index.html")
    profile = yaml.safe_load((REPO / "content/profile.md").read_text(encoding="utf-8").split("---\n")[1])
    (shown,) = by_class(tree, "metrics")
    metrics = dict(zip((words(e) for e in shown.iter("dt")), (words(e) for e in shown.iter("dd"))))
    assert metrics == {
        "h-index": str(profile["metrics"]["h_index"]),
        "Papers": str(len(records())),
        "Citations": f"{profile['metrics']['citations']:,}",
        "Novelty": f"{profile['metrics']['novelty']}%",
        "AI Score": str(profile["metrics"]["ai_score"]),
    }
    assert words(tree.find(".//h1")) == profile["name"]
    recs = records()
    (papers,) = [s for s in tree.iter("section") if s.attrib.get("aria-labelledby") == "papers-heading"]
    shown_dates = [t.attrib["datetime"] for t in papers.iter("time")]
    assert len(shown_dates) == len(recs)
    assert shown_dates == sorted(shown_dates, reverse=True)
    assert sorted(shown_dates) == sorted(r["date"] for r in recs.values())
    counts = Counter(year_of(r) for r in recs.values())
    headings = texts(tree, "year-heading")
    assert headings == [f"{y} {counts[y]}" for y in sorted(counts, reverse=True)]


def test_category_and_year_pages_list_their_papers_with_counts(example_site):
    recs = records()
    for code, n in Counter(r["category"] for r in recs.values()).items():
        tree = parse_strict(example_site / "categories" / code.lower() / "index.html")
        assert texts(tree, "lead") == [f"cs.{code} · {n} paper{'s' * (n != 1)}"]
        linked = {a.attrib["href"].split("/")[-2] for t in by_class(tree, "paper-title") for a in t.iter("a")}
        assert linked == {slug for slug, r in recs.items() if r["category"] == code}
    for year, n in Counter(year_of(r) for r in recs.values()).items():
        tree = parse_strict(example_site / "years" / str(year) / "index.html")
        assert texts(tree, "lead") == [f"{n} paper{'s' * (n != 1)}"]
        assert words(tree.find(".//h1")) == f"Papers from {year}"
        linked = {a.attrib["href"].split("/")[-2] for t in by_class(tree, "paper-title") for a in t.iter("a")}
        assert linked == {slug for slug, r in recs.items() if year_of(r) == year}


def test_index_pages_count_every_group(example_site):
    recs = records()
    categories = Counter(r["category"] for r in recs.values())
    tree = parse_strict(example_site / "categories/index.html")
    assert texts(tree, "lead") == [f"{len(recs)} papers in {len(categories)} categories."]
    entries = [words(li) for ul in by_class(tree, "index-list") for li in ul.iter("li")]
    assert len(entries) == len(categories)
    for code, n in categories.items():
        (entry,) = [e for e in entries if e.startswith(code + " ")]
        assert entry.endswith(f"{n} paper{'s' * (n != 1)}")
    years = Counter(year_of(r) for r in recs.values())
    tree = parse_strict(example_site / "years/index.html")
    assert texts(tree, "lead") == [f"{len(recs)} papers over {len(years)} years."]
    entries = [words(li) for ul in by_class(tree, "index-list") for li in ul.iter("li")]
    assert entries == [f"{y} {years[y]} paper{'s' * (years[y] != 1)}" for y in sorted(years, reverse=True)]


LISTINGS = (
    ["index.html"]
    + [f"categories/{c}/index.html" for c in ("cv", "cl", "lg", "dc")]
    + [f"years/{y}/index.html" for y in (2019, 2020, 2022, 2023, 2024, 2025, 2026)]
)


@pytest.mark.parametrize("listing", LISTINGS)
def test_every_listing_shows_what_a_reader_needs(example_site, listing):
    recs = records()
    profile_name = yaml.safe_load((REPO / "content/profile.md").read_text(encoding="utf-8").split("---\n")[1])["name"]
    tree = parse_strict(example_site / listing)
    articles = [e for e in tree.iter("article") if "paper" in e.attrib.get("class", "").split()]
    assert articles
    selected = [a for s in tree.iter("section") if s.attrib.get("aria-labelledby") == "selected-heading" for a in s.iter("article")]
    for article in articles:
        (title,) = by_class(article, "paper-title")
        (title_link,) = title.iter("a")
        slug = title_link.attrib["href"].rstrip("/").split("/")[-1]
        record = recs[slug]
        assert title_link.attrib["href"].endswith(f"papers/{slug}/")
        hrefs = [a.attrib.get("href", "") for a in article.iter("a")]
        (category,) = by_class(article, "category")
        assert category.attrib["href"].endswith(f"categories/{record['category'].lower()}/")
        assert words(category) == record["category"]
        (time,) = article.iter("time")
        assert time.attrib["datetime"] == record["date"]
        code = (record.get("links") or {}).get("code")
        assert (code in hrefs) == bool(code)
        assert len(by_class(article, "code-link")) == (1 if code else 0)
        (authors,) = by_class(article, "authors")
        shown = words(authors)
        assert shown.startswith(", ".join(record["authors"][:3]))
        # a truncated list says so, and never hides the site author
        assert ("et al." in shown or "…" in shown) == bool(record.get("et_al"))
        if record.get("affiliation"):
            assert shown.endswith(f"· {record['affiliation']}")
        assert [words(e) for e in by_class(article, "me")] == [profile_name]
        score = texts(article, "score")
        assert score == ([f"Score {float(record['score']):.1f}"] if record.get("score") is not None else [])
        if article in selected:
            assert not list(article.iter("details"))  # selected papers: the list below has their abstracts
            continue
        (details,) = article.iter("details")
        assert "open" not in details.attrib  # collapsed, works without JavaScript
        assert words(details.find("summary")) == "Abstract"
        abstract = words(details)
        first_words = " ".join(record["abstract"].split()[:3])
        if "\\" not in first_words and "$" not in first_words:
            assert first_words in abstract


def test_site_author_is_highlighted(example_site):
    site = yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))
    recs = records()
    mine = [slug for slug, r in recs.items() if site["author"] in r["authors"]]
    assert mine
    for slug in mine:
        tree = parse_strict(example_site / "papers" / slug / "index.html")
        assert texts(tree, "me") == [site["author"]]


def test_paper_pages_show_the_whole_record(example_site):
    for slug, record in records().items():
        tree = parse_strict(example_site / "papers" / slug / "index.html")
        hrefs = {a.attrib.get("href") for a in tree.iter("a")}
        for target in (record.get("links") or {}).values():
            assert target in hrefs
        assert words(tree.find(".//h1"))
        assert any(t.attrib.get("datetime") == record["date"] for t in tree.iter("time"))
        assert tree.find(".//title") is not None


def test_latex_and_math_render_in_the_example(example_site):
    metagpt = parse_strict(example_site / "papers/metagpt-merging-large-language-models-using-model/index.html")
    text = words(without_cite(metagpt))  # the Cite block's BibTeX keeps the LaTeX, as BibTeX should
    assert "\\textbf" not in text and "Model Exclusive Task Arithmetic" in text
    page = (example_site / "papers/biopt-bi-level-optimization-for-few-shot/index.html").read_text(encoding="utf-8")
    assert "$5^i$" not in page.split('class="cite"')[0] and "<math" in page
    scripts = parse_strict(example_site / "papers/biopt-bi-level-optimization-for-few-shot/index.html").iter("script")
    # math needs no JavaScript: the page's only scripts are data, the site's own colour-scheme switch
    # and the Cite block's copy button
    assert [s.attrib.get("type") or s.attrib.get("src", "inline").rsplit("/", 1)[-1] for s in scripts if not is_cite_script(s)] == [
        "inline",
        "application/ld+json",
        "site.js",
    ]


def test_percent_signs_in_abstracts_are_kept(example_site):
    with_percent = {slug: r for slug, r in records().items() if "%" in r["abstract"]}
    assert with_percent  # the example has arXiv abstracts with "98.1%"-style numbers
    for slug, record in with_percent.items():
        text = words(parse_strict(example_site / "papers" / slug / "index.html"))
        for token in record["abstract"].split():
            if token.endswith("%") and token[:-1].replace(".", "").isdigit():
                assert token in text, (slug, token)


def test_every_page_parses_as_valid_html(example_site):
    pages = html_pages(example_site)
    assert len(pages) == 6 + 27 + 4 + 7  # home, categories, years, CV, search, 404; papers; categories; years
    for file in pages:
        tree = parse_strict(file)
        assert tree.find("head/title") is not None
        assert tree.attrib.get("lang") == "en"


def test_yaml_records_build_like_markdown_ones(make_site, tmp_path):
    from generator.pipeline import BuildOptions, build

    fields = "authors: [Ada Lovelace, B]\net_al: true\ndate: 2022-07\ncategory: CL\nscore: 3\nlinks:\n  code: https://github.com/a/b\n"
    abstract = "An *abstract* with $x^2$ and 98.1% accuracy."
    root = make_site(
        {
            "content/papers/md-paper.md": f"---\ntitle: Same\n{fields}slug: same-md\n---\n{abstract}\n",
            "content/papers/yaml-paper.yaml": f"title: Same\n{fields}slug: same-yaml\nabstract: '{abstract}'\n",
        }
    )
    out = tmp_path / "out"
    build(BuildOptions(root, out))
    assert not (out / "papers/md-paper").exists() and not (out / "papers/yaml-paper").exists()  # the slug field wins
    md = (out / "papers/same-md/index.html").read_text(encoding="utf-8")
    yml = (out / "papers/same-yaml/index.html").read_text(encoding="utf-8")
    # the two papers would share a citation key: the second in slug order gets a suffix
    assert "{lovelace2022same," in md and "{lovelace2022sameb," in yml
    assert md.replace("same-md", "SLUG") == yml.replace("same-yaml", "SLUG").replace("lovelace2022sameb", "lovelace2022same")
    tree = parse_strict(out / "papers/same-yaml/index.html")
    assert "98.1% accuracy" in words(tree)
    assert any(isinstance(e.tag, str) and e.tag.endswith("}math") for e in tree.iter())


@pytest.mark.parametrize(
    "date, datetime, shown", [("2021", "2021", "2021"), ("2021-07", "2021-07", "Jul 2021"), ("2021-07-09", "2021-07-09", "Jul 9, 2021")]
)
def test_dates_at_each_precision(make_site, tmp_path, date, datetime, shown):
    from generator.pipeline import BuildOptions, build

    root = make_site({"content/papers/p.yaml": f"title: P\nauthors: [A]\ndate: {date}\ncategory: CV\n"})
    build(BuildOptions(root, tmp_path / "out"))
    tree = parse_strict(tmp_path / "out/index.html")
    (time,) = tree.iter("time")
    assert time.attrib["datetime"] == datetime and words(time) == shown
    assert (tmp_path / "out/years/2021/index.html").is_file()


def test_drafts_are_left_out_of_every_page_and_count(make_site, tmp_path):
    from generator.pipeline import BuildOptions, build

    root = make_site(
        {
            "content/papers/a.md": "---\ntitle: Public\nauthors: [A]\ndate: 2020\ncategory: CV\n---\n",
            "content/papers/b.md": "---\ntitle: Secret draft\nauthors: [A]\ndate: 2024\ncategory: LG\ndraft: true\n---\n",
        }
    )
    build(BuildOptions(root, tmp_path / "out"))
    for page in html_pages(tmp_path / "out"):
        assert "Secret draft" not in page.read_text(encoding="utf-8")
    assert not (tmp_path / "out/categories/lg").exists() and not (tmp_path / "out/years/2024").exists()
    build(BuildOptions(root, tmp_path / "with", drafts=True))
    assert "Secret draft" in (tmp_path / "with/categories/lg/index.html").read_text(encoding="utf-8")


def test_raw_html_in_markdown_is_escaped_unless_the_site_allows_it(make_site, tmp_path):
    from generator.pipeline import BuildOptions, build

    paper = "---\ntitle: P\nauthors: [A]\ndate: 2020\ncategory: CV\n---\nSee <b>bold</b> and [x](javascript:alert(1)).\n"
    for allow in (False, True):
        root = make_site(
            {
                "site.yaml": f"title: T\nallow_html: {str(allow).lower()}\n",
                "content/papers/p.md": paper,
                "content/profile.md": "---\nname: Ada\n---\nBio with <em>markup</em>.\n",
            }
        )
        out = tmp_path / str(allow)
        build(BuildOptions(root, out))
        tree = without_cite(parse_strict(out / "papers/p/index.html"))  # its BibTeX shows the record's text
        bold = [e for e in tree.iter("b")]
        assert bool(bold) == allow
        assert ("<b>bold</b>" in words(tree)) == (not allow)
        assert not [a for a in tree.iter("a") if "javascript" in a.attrib.get("href", "").lower()]
        home = parse_strict(out / "index.html")
        assert bool(list(home.iter("em"))) == allow

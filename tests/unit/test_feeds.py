"""Context builders for feeds and the sitemap, and the head metadata (feeds.py, metadata.py)."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from lxml import etree

from generator import feeds, metadata
from generator.load import load_site
from generator.model import build_model
from generator.pipeline import BuildOptions, render_site
from generator.validate import validate_site

BASE = "https://example.github.io/cv/"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
HOSTILE = "</script><script>alert(1)</script> & <b>x</b>"


def paper(title: str, date: str, category: str = "CV", links: str = "") -> str:
    return (
        f"---\ntitle: {json.dumps(title)}\nauthors: [Ada Lovelace, Charles Babbage]\ndate: {date}\n"
        f"category: {category}\n{links}---\nAbstract of {title}.\n"
    )


def model_of(root, base_url: str = BASE):
    site = validate_site(load_site(root))
    site = dataclasses.replace(site, config=dataclasses.replace(site.config, base_url=base_url))
    return build_model(site)


@pytest.fixture
def three(make_site):
    return make_site(
        {
            "content/papers/old.md": paper("Old", "2019-01-05", "LG"),
            "content/papers/month.md": paper("Month", "2024-03"),
            "content/papers/new.md": paper("New", "2024-11-02"),
        }
    )


def pages_by_url(model):
    return {p.url: p for p in model.pages}


@pytest.mark.parametrize(
    "date, expected", [("2024-11-02", "2024-11-02T00:00:00Z"), ("2024-03", "2024-03-01T00:00:00Z"), ("2019", "2019-01-01T00:00:00Z")]
)
def test_atom_dates_are_rfc3339_from_the_record_date(make_site, date, expected):
    model = model_of(make_site({"content/papers/a.md": paper("A", date)}))
    stamp = feeds.atom_date(model.entries[0].paper.date)
    assert stamp == expected and RFC3339.match(stamp)


def test_feed_context_newest_first_and_limited(three):
    model = model_of(three)
    site_feed = pages_by_url(model)["/feed.xml"]
    context = feeds.feed_context(site_feed, model)
    assert [e.paper.title for e in context["feed_entries"]] == ["New", "Month", "Old"]
    assert context["feed_updated"] == "2024-11-02T00:00:00Z"
    assert context["feed_self"] == context["feed_id"] == BASE + "feed.xml"
    assert context["feed_alternate"] == BASE

    limited = dataclasses.replace(model, config=dataclasses.replace(model.config, feed_limit=2))
    assert [e.paper.title for e in feeds.feed_context(site_feed, limited)["feed_entries"]] == ["New", "Month"]


def test_category_feed_has_only_its_papers(three):
    model = model_of(three)
    context = feeds.feed_context(pages_by_url(model)["/categories/lg/feed.xml"], model)
    assert [e.paper.title for e in context["feed_entries"]] == ["Old"]
    assert context["feed_updated"] == "2019-01-05T00:00:00Z"
    assert context["feed_alternate"] == BASE + "categories/lg/"
    assert context["feed_title"].endswith("Machine Learning")


def test_no_feeds_sitemap_or_robots_without_base_url(three):
    kinds = {p.kind for p in model_of(three, "").pages}
    assert not kinds & {"feed", "sitemap", "robots"}
    assert feeds.head_feeds(model_of(three, "").pages[0], model_of(three, "")) == []
    assert {p.kind for p in model_of(three).pages} >= {"feed", "sitemap", "robots"}


def test_sitemap_lastmod_is_the_newest_date_a_page_shows(three):
    model = model_of(three)
    found = dict(feeds.sitemap_context(model)["sitemap_urls"])
    assert BASE + "404.html" not in found and not [u for u in found if not u.endswith("/")]
    assert found[BASE] == found[BASE + "categories/"] == found[BASE + "years/"] == "2024-11-02"
    assert found[BASE + "categories/lg/"] == "2019-01-05"
    assert found[BASE + "categories/cv/"] == "2024-11-02"
    assert found[BASE + "papers/month/"] == "2024-03-01"
    assert found[BASE + "years/2019/"] == "2019-01-05"
    assert len(found) == len([p for p in model.pages if p.url.endswith("/") and p.kind != "search"])  # search: a form


def test_a_site_without_papers_still_has_valid_feed_dates(make_site):
    model = model_of(make_site())
    context = feeds.feed_context(pages_by_url(model)["/feed.xml"], model)
    assert context["feed_entries"] == () and RFC3339.match(context["feed_updated"])
    assert dict(feeds.sitemap_context(model)["sitemap_urls"])[BASE] is None  # no date to give


def test_head_feeds_site_feed_everywhere_and_category_feed_on_its_page(three):
    model = model_of(three)
    pages = pages_by_url(model)
    assert [path for _, path in feeds.head_feeds(pages["/"], model)] == ["/feed.xml"]
    assert [path for _, path in feeds.head_feeds(pages["/categories/cv/"], model)] == ["/feed.xml", "/categories/cv/feed.xml"]


@pytest.mark.parametrize("date, expected", [("2023-09-19", "2023/09/19"), ("2023-09", "2023"), ("2023", "2023")])
def test_scholar_date_is_full_or_the_year(make_site, date, expected):
    model = model_of(make_site({"content/papers/a.md": paper("A", date)}))
    assert metadata.scholar_date(model.entries[0]) == expected


@pytest.mark.parametrize(
    "link, expected",
    [
        ("https://arxiv.org/abs/2309.10305", "2309.10305"),
        ("https://arxiv.org/abs/2309.10305v2", "2309.10305"),
        ("https://arxiv.org/pdf/2309.10305v1.pdf", "2309.10305"),
        ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("https://arxiv.org/abs/2309.10305?context=cs", "2309.10305"),
        ("https://example.org/2309.10305", ""),
    ],
)
def test_arxiv_id_from_the_link(make_site, link, expected):
    model = model_of(make_site({"content/papers/a.md": paper("A", "2023", links=f"links:\n  arxiv: {link}\n")}))
    assert metadata.arxiv_id(model.entries[0]) == expected


@pytest.mark.parametrize(
    "link, expected",
    [
        ("https://doi.org/10.1109/CVPR.2024.00001", "10.1109/CVPR.2024.00001"),
        ("http://dx.doi.org/10.48550/arXiv.2309.10305", "10.48550/arXiv.2309.10305"),
        ("https://example.org/10.1000/x", ""),
    ],
)
def test_doi_from_the_link(make_site, link, expected):
    model = model_of(make_site({"content/papers/a.md": paper("A", "2023", links=f"links:\n  doi: {link}\n")}))
    assert metadata.doi(model.entries[0]) == expected


def test_citation_pdf_url_is_absolute_and_only_with_a_base_url(make_site):
    root = make_site({"content/papers/a.md": paper("A", "2023-01-02", links="links:\n  pdf: files/a.pdf\n")})
    model = model_of(root)
    tags = dict(metadata.citation_tags(model.entries[0], model, model.entries[0].url))
    assert tags["citation_pdf_url"] == BASE + "files/a.pdf"
    assert tags["citation_abstract_html_url"] == BASE + "papers/a/"
    bare = model_of(root, "")
    tags = dict(metadata.citation_tags(bare.entries[0], bare, bare.entries[0].url))
    assert "citation_pdf_url" not in tags and "citation_abstract_html_url" not in tags


def test_jsonld_script_cannot_be_closed_by_record_text(make_site):
    model = model_of(make_site({"content/papers/a.md": paper(HOSTILE, "2023")}))
    script = str(metadata.jsonld_script(metadata.article_jsonld(model.entries[0], model)))
    body = script.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert not set("<>&") & set(body)
    assert script.count("</script>") == 1
    assert json.loads(body)["headline"] == model.entries[0].title_text == HOSTILE


def test_rendered_feed_and_sitemap_are_well_formed_with_hostile_text(make_site):
    root = make_site({"content/papers/a.md": paper(HOSTILE, "2023-01-02")})
    files = render_site(BuildOptions(root, base_url=BASE)).files
    feed = etree.fromstring(files["feed.xml"])
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.find(f"{atom}entry/{atom}title").text == HOSTILE
    assert etree.fromstring(files["sitemap.xml"]).tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    assert files["robots.txt"].decode().splitlines()[-1] == f"Sitemap: {BASE}sitemap.xml"


def test_builds_are_byte_identical(three):
    first = render_site(BuildOptions(three, base_url=BASE)).files
    second = render_site(BuildOptions(three, base_url=BASE)).files
    assert first == second and "feed.xml" in first


def test_rebuilds_keep_feeds_and_sitemap_in_step_with_a_clean_build(example_copy, edit):
    from generator.memo import Memo

    options = BuildOptions(example_copy, base_url=BASE)
    cache = Memo()
    render_site(options, cache)
    paper = example_copy / "content/papers/prototype-rectification-for-few-shot-learning.md"
    edit(paper, "category: CV", "category: LG")
    text = paper.read_text(encoding="utf-8")
    paper.write_text(re.sub(r"(?m)^date: .*$", "date: 2030-01-02", text), encoding="utf-8")

    incremental = render_site(options, cache).files
    assert incremental == render_site(options).files
    assert b"<updated>2030-01-02T00:00:00Z</updated>" in incremental["categories/lg/feed.xml"]
    assert b"prototype-rectification" not in incremental["categories/cv/feed.xml"]
    assert b"<lastmod>2030-01-02</lastmod>" in incremental["sitemap.xml"]


@pytest.mark.parametrize(
    "venue, tag",
    [
        ("CVPR 2024", "citation_conference_title"),
        ("Example Conference 2025", "citation_conference_title"),
        ("IEEE Transactions on Pattern Analysis and Machine Intelligence", "citation_journal_title"),
        ("Journal of Machine Learning Research", "citation_journal_title"),
        ("arXiv preprint", ""),
        ("", ""),
    ],
)
def test_venue_tag(venue, tag):
    assert metadata.venue_tag(venue) == tag


def test_article_same_as_names_only_the_same_work(make_site):
    links = (
        "links:\n  arxiv: https://arxiv.org/abs/2309.10305\n  code: https://github.com/x/y\n"
        "  doi: https://doi.org/10.1/x\n  slides: https://example.org/s.pdf\n"
    )
    model = model_of(make_site({"content/papers/a.md": paper("A", "2023", links=links)}))
    data = metadata.article_jsonld(model.entries[0], model)
    assert data["sameAs"] == ["https://arxiv.org/abs/2309.10305", "https://doi.org/10.1/x"]


@pytest.mark.parametrize("value, expected", [("cv.example.org", "cv.example.org"), ("CV.Example.org.", "cv.example.org"), ('""', "")])
def test_cname_is_a_domain_name(make_site, value, expected):
    root = make_site({"site.yaml": f"title: T\ncname: {value}\n"})
    assert validate_site(load_site(root)).config.cname == expected
    files = render_site(BuildOptions(root)).files
    assert files.get("CNAME") == (f"{expected}\n".encode() if expected else None)


@pytest.mark.parametrize("value", ["https://cv.example.org/", "cv example.org", "localhost", "-x.example.org"])
def test_a_cname_that_is_not_a_domain_is_an_error(make_site, value):
    from generator.errors import ContentError

    root = make_site({"site.yaml": f"title: T\ncname: '{value}'\n"})
    with pytest.raises(ContentError) as caught:
        validate_site(load_site(root))
    (problem,) = caught.value.problems
    assert str(problem).startswith("site.yaml:2: cname: expected a domain name such as cv.example.org")


@pytest.mark.parametrize(
    "entry_type, tag",
    [
        ("inproceedings", "citation_conference_title"),
        ("article", "citation_journal_title"),
        ("", "citation_conference_title"),  # no type: judged by the venue's words
    ],
)
def test_scholar_tags_carry_venue_by_entry_type_and_the_pdf_and_doi(make_site, entry_type, tag):
    typed = f"extra:\n  entry_type: {entry_type}\n" if entry_type else ""
    links = f"venue: Advances in Widgets\nlinks:\n  pdf: https://example.org/a.pdf\n  doi: https://doi.org/10.1000/w1\n{typed}"
    model = model_of(make_site({"content/papers/a.md": paper("A", "2023", links=links)}))
    tags = metadata.citation_tags(model.entries[0], model, model.entries[0].url)
    assert (tag, "Advances in Widgets") in tags
    assert ("citation_pdf_url", "https://example.org/a.pdf") in tags and ("citation_doi", "10.1000/w1") in tags

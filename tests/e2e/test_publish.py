"""What crawlers, Google Scholar and feed readers get, read with real parsers and checked against the records."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import extruct
import feedparser
import pytest
import yaml
from lxml import etree

from generator.pipeline import BuildOptions, build

from .helpers import html_pages, parse_strict

BASE = "https://user.github.io/cv/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The example site with profile links and a PDF link added, built for https://user.github.io/cv/."""
    import shutil

    root = tmp_path_factory.mktemp("publish") / "site"
    repo = Path(__file__).resolve().parents[2]
    shutil.copytree(repo / "content", root / "content")
    (root / "site.yaml").write_text((repo / "site.yaml").read_text().replace('cname: ""', "") + "cname: cv.example.org\n")
    profile = root / "content/profile.md"
    profile.write_text(profile.read_text().replace("metrics:", "links:\n  ORCID: https://orcid.org/0000-0000-0000-0000\n"
                                                   "  GitHub: https://github.com/example\nmetrics:", 1))
    paper = root / "content/papers/baichuan-2-open-large-scale-language-models.md"
    paper.write_text(paper.read_text().replace("links:\n", "links:\n  pdf: https://arxiv.org/pdf/2309.10305\n"
                                                "  doi: https://doi.org/10.48550/arXiv.2309.10305\n", 1))
    out = root / "output"
    build(BuildOptions(root, out, base_url=BASE))
    return root, out


def records(root: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text().split("---\n")[1]) for p in sorted((root / "content/papers").glob("*.md"))}


def head_meta(tree) -> list[tuple[str, str]]:
    head = tree.find("head")
    return [(m.attrib.get("name") or m.attrib.get("property"), m.attrib.get("content")) for m in head.iter("meta")]


def test_sitemap_lists_every_page_with_lastmod(site):
    root, out = site
    tree = etree.parse(str(out / "sitemap.xml"))
    assert tree.getroot().tag == f"{SITEMAP}urlset"
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in tree.getroot()}
    assert all(set(child.tag for child in u) <= {f"{SITEMAP}loc", f"{SITEMAP}lastmod"} for u in tree.getroot())
    pages = {BASE + p.relative_to(out).as_posix().removesuffix("index.html") for p in html_pages(out) if p.name != "404.html"}
    assert set(urls) == pages
    for loc, lastmod in urls.items():
        assert loc.startswith(BASE) and len(loc) < 2048
        assert lastmod and len(lastmod) == 10  # W3C date
    for slug, record in records(root).items():
        assert urls[f"{BASE}papers/{slug}/"] == str(record["date"])
    newest = max(str(r["date"]) for r in records(root).values())
    assert urls[BASE] == newest


def test_robots_points_at_the_sitemap(site):
    _, out = site
    assert f"Sitemap: {BASE}sitemap.xml" in (out / "robots.txt").read_text().splitlines()


def check_atom(path: Path) -> etree._Element:
    """RFC 4287's required elements, which feedparser alone does not enforce."""
    feed = etree.parse(str(path)).getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}link[@rel='self']").attrib["href"].startswith(BASE)
    for entry in feed.iter(f"{ATOM}entry"):
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    return feed


def test_site_feed_has_every_paper_newest_first(site):
    root, out = site
    check_atom(out / "feed.xml")
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    recs = records(root)
    assert len(parsed.entries) == len(recs)
    dates = [e.published_parsed for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    by_link = {e.link: e for e in parsed.entries}
    for slug, record in recs.items():
        entry = by_link[f"{BASE}papers/{slug}/"]
        assert entry.title == record["title"]
        assert [a.name for a in entry.authors] == record["authors"]
        assert entry.published.startswith(str(record["date"]))


def test_one_feed_per_category(site):
    root, out = site
    recs = records(root)
    for code in {r["category"] for r in recs.values()}:
        path = out / "categories" / code.lower() / "feed.xml"
        check_atom(path)
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo
        assert len(parsed.entries) == sum(r["category"] == code for r in recs.values())
        page = parse_strict(out / "categories" / code.lower() / "index.html")
        page_url = f"{BASE}categories/{code.lower()}/"
        feeds = {urljoin(page_url, l.attrib["href"]) for l in page.iter("link") if l.attrib.get("type") == "application/atom+xml"}
        assert feeds == {f"{BASE}feed.xml", f"{page_url}feed.xml"}


def test_every_page_advertises_the_feed_and_has_social_tags(site):
    _, out = site
    for page in html_pages(out):
        tree = parse_strict(page)
        meta = dict(head_meta(tree))
        assert meta["description"] and meta["og:title"] and meta["og:description"] and meta["og:type"]
        assert meta["twitter:card"] == "summary" and meta["twitter:title"] == meta["og:title"]
        links = {l.attrib.get("rel"): l.attrib.get("href") for l in tree.find("head").iter("link")}
        assert links["canonical"].startswith(BASE) and meta["og:url"] == links["canonical"]
        assert links["alternate"].endswith("feed.xml")


def test_paper_pages_carry_google_scholar_tags(site):
    root, out = site
    for slug, record in records(root).items():
        meta = head_meta(parse_strict(out / "papers" / slug / "index.html"))
        values = lambda name: [content for key, content in meta if key == name]  # noqa: E731
        assert values("citation_title") == [record["title"]]
        assert values("citation_author") == record["authors"]
        assert values("citation_publication_date") == [str(record["date"]).replace("-", "/")]
        arxiv = (record.get("links") or {}).get("arxiv")
        assert values("citation_arxiv_id") == ([arxiv.rsplit("/", 1)[1]] if arxiv else [])
    meta = dict(head_meta(parse_strict(out / "papers/baichuan-2-open-large-scale-language-models/index.html")))
    assert meta["citation_pdf_url"] == "https://arxiv.org/pdf/2309.10305"
    assert meta["citation_doi"] == "10.48550/arXiv.2309.10305"


def jsonld(page: Path) -> list[dict]:
    html = page.read_text(encoding="utf-8")
    data = extruct.extract(html, base_url=BASE, syntaxes=["json-ld"])["json-ld"]
    strict = [json.loads(s.text) for s in parse_strict(page).iter("script") if s.attrib.get("type") == "application/ld+json"]
    assert data == strict
    return data


def test_structured_data_for_papers_and_the_person(site):
    root, out = site
    for slug, record in records(root).items():
        (article,) = jsonld(out / "papers" / slug / "index.html")
        assert article["@type"] == "ScholarlyArticle" and article["headline"] == record["title"]
        assert [a["name"] for a in article["author"]] == record["authors"]
        assert article["datePublished"] == str(record["date"]) and article["url"] == f"{BASE}papers/{slug}/"
    (person,) = jsonld(out / "index.html")
    assert person["@type"] == "Person" and person["name"] == "Liang Song"
    assert person["sameAs"] == ["https://orcid.org/0000-0000-0000-0000", "https://github.com/example"]


def test_cname_and_nojekyll(site):
    _, out = site
    assert (out / "CNAME").read_text() == "cv.example.org\n"
    assert (out / ".nojekyll").is_file()


def test_without_base_url_no_feeds_or_sitemap_but_relative_site(example_site):
    assert not (example_site / "feed.xml").exists() and not (example_site / "sitemap.xml").exists()
    head = parse_strict(example_site / "index.html").find("head")
    assert not [l for l in head.iter("link") if l.attrib.get("rel") in ("canonical", "alternate")]
    assert not (example_site / "CNAME").exists()


def test_feed_limit_keeps_the_newest(example_copy, tmp_path):
    (example_copy / "site.yaml").write_text((example_copy / "site.yaml").read_text() + "feed_limit: 5\n")
    build(BuildOptions(example_copy, tmp_path / "out", base_url=BASE))
    titles = [e.title for e in feedparser.parse((tmp_path / "out/feed.xml").read_bytes()).entries]
    newest = sorted(records(example_copy).values(), key=lambda r: str(r["date"]), reverse=True)
    assert len(titles) == 5 and titles[0] == newest[0]["title"]
    assert {str(r["date"]) for r in newest if r["title"] in titles} >= {str(newest[3]["date"])}


def test_absolute_urls_follow_base_url(example_copy, tmp_path):
    build(BuildOptions(example_copy, tmp_path / "out", base_url="https://cv.example.org/"))
    feed = feedparser.parse((tmp_path / "out/feed.xml").read_bytes())
    assert all(urlsplit(e.link).netloc == "cv.example.org" and urlsplit(e.link).path.startswith("/papers/") for e in feed.entries)

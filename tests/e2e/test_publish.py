"""What crawlers, Google Scholar and feed readers get, read with real parsers and checked against the records."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import extruct
import feedparser
import pytest
import yaml
from lxml import etree

from generator.pipeline import BuildOptions, build

from .helpers import html_pages, is_cite_script, parse_strict

BASE = "https://example.github.io/cv/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The example site with profile links and a PDF link added, built for https://example.github.io/cv/."""
    import shutil

    root = tmp_path_factory.mktemp("publish") / "site"
    repo = Path(__file__).resolve().parents[2]
    shutil.copytree(repo / "content", root / "content")
    (root / "site.yaml").write_text((repo / "site.yaml").read_text().replace('cname: ""', "") + "cname: cv.example.org\n")
    profile = root / "content/profile.md"
    profile.write_text(
        profile.read_text().replace(
            "metrics:", "links:\n  ORCID: https://orcid.org/0000-0000-0000-0000\n  GitHub: https://github.com/example\nmetrics:", 1
        )
    )
    paper = root / "content/papers/baichuan-2-open-large-scale-language-models.md"
    paper.write_text(
        paper.read_text().replace(
            "links:\n", "links:\n  pdf: https://arxiv.org/pdf/2309.10305\n  doi: https://doi.org/10.48550/arXiv.2309.10305\n", 1
        )
    )
    out = root / "output"
    build(BuildOptions(root, out, base_url=BASE))
    return root, out


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def records(root: Path) -> dict[str, dict]:
    return {p.stem: front_matter(p) for p in sorted((root / "content/papers").glob("*.md"))}


def shown_dates(recs: dict[str, dict], url: str) -> list[str]:
    """The dates of the records a page shows, from the records themselves."""
    parts = url.removeprefix(BASE).strip("/").split("/")
    if parts[0] == "papers":
        return [str(recs[parts[1]]["date"])]
    if parts[0] == "categories" and len(parts) == 2:
        return [str(r["date"]) for r in recs.values() if r["category"].lower() == parts[1]]
    if parts[0] == "years" and len(parts) == 2:
        return [str(r["date"]) for r in recs.values() if str(r["date"]).startswith(parts[1])]
    return [str(r["date"]) for r in recs.values()]  # home, /categories/, /years/ list every paper


# The sitemaps.org 0.9 protocol as an XML Schema, written from the protocol's rules (the official
# sitemap.xsd cannot be fetched here): urlset of url; loc (an absolute URI of 12 to 2,048
# characters) first, then optional lastmod (W3C date or date-time), changefreq and priority.
SITEMAP_XSD = b"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
           targetNamespace="http://www.sitemaps.org/schemas/sitemap/0.9" elementFormDefault="qualified">
  <xs:element name="urlset">
    <xs:complexType><xs:sequence>
      <xs:element name="url" maxOccurs="unbounded">
        <xs:complexType><xs:sequence>
          <xs:element name="loc"><xs:simpleType><xs:restriction base="xs:anyURI">
            <xs:minLength value="12"/><xs:maxLength value="2048"/></xs:restriction></xs:simpleType></xs:element>
          <xs:element name="lastmod" minOccurs="0"><xs:simpleType>
            <xs:union memberTypes="xs:date xs:dateTime"/></xs:simpleType></xs:element>
          <xs:element name="changefreq" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string">
            <xs:enumeration value="always"/><xs:enumeration value="hourly"/><xs:enumeration value="daily"/>
            <xs:enumeration value="weekly"/><xs:enumeration value="monthly"/><xs:enumeration value="yearly"/>
            <xs:enumeration value="never"/></xs:restriction></xs:simpleType></xs:element>
          <xs:element name="priority" minOccurs="0"><xs:simpleType><xs:restriction base="xs:decimal">
            <xs:minInclusive value="0.0"/><xs:maxInclusive value="1.0"/></xs:restriction></xs:simpleType></xs:element>
          <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
        </xs:sequence></xs:complexType>
      </xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>"""


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
W3C_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$")


def check_sitemap(path: Path) -> etree._Element:
    """The rules of the sitemaps.org 0.9 protocol (its XSD cannot be fetched here)."""
    data = path.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>') and len(data) <= 50 * 1024 * 1024
    data.decode("utf-8")
    root = etree.fromstring(data)
    etree.XMLSchema(etree.fromstring(SITEMAP_XSD)).assertValid(root)
    assert root.tag == f"{SITEMAP}urlset" and root.nsmap == {None: SITEMAP[1:-1]}
    assert 0 < len(root) <= 50_000
    where = path.name
    folder = BASE  # the sitemap sits at the site root, so it may list everything under it
    locs = []
    for url in root:
        assert url.tag == f"{SITEMAP}url"
        tags = [child.tag.removeprefix(SITEMAP) for child in url]
        assert tags.count("loc") == 1 and set(tags) <= {"loc", "lastmod", "changefreq", "priority"}, tags
        assert tags.index("loc") == 0
        loc = url.findtext(f"{SITEMAP}loc")
        parts = urlsplit(loc)
        assert parts.scheme in ("http", "https") and parts.netloc and not parts.fragment, loc
        assert loc.startswith(folder) and len(loc) < 2048, (where, loc)
        assert loc == loc.strip() and " " not in loc
        lastmod = url.findtext(f"{SITEMAP}lastmod")
        assert lastmod is None or W3C_DATE.match(lastmod), lastmod
        locs.append(loc)
    assert len(locs) == len(set(locs)), "a URL listed twice"
    return root


def head_meta(tree) -> list[tuple[str, str]]:
    head = tree.find("head")
    return [(m.attrib.get("name") or m.attrib.get("property"), m.attrib.get("content")) for m in head.iter("meta")]


def test_sitemap_lists_every_page_with_lastmod(site):
    root, out = site
    sitemap = check_sitemap(out / "sitemap.xml")
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in sitemap}
    # every page but 404 and the search page (a form: no content of its own to index)
    pages = {BASE + p.relative_to(out).as_posix().removesuffix("index.html") for p in html_pages(out) if p.name != "404.html"}
    assert set(urls) == pages - {BASE + "search/"}
    recs = records(root)
    for loc, lastmod in urls.items():
        assert lastmod == max(shown_dates(recs, loc)), loc
    for slug, record in recs.items():
        assert urls[f"{BASE}papers/{slug}/"] == str(record["date"])


def test_the_sitemap_checks_catch_mistakes(site, tmp_path):
    _, out = site
    good = (out / "sitemap.xml").read_text(encoding="utf-8")
    for broken in (
        good.replace("<loc>", "<loc> ", 1),
        good.replace(BASE, "https://elsewhere.org/", 1),
        good.replace("</lastmod>", "T25</lastmod>", 1),
        good.replace("<url>", "<url><priority/>", 1),
        good.replace("</loc>", "</loc><priority>1.5</priority>", 1),
        good.replace("</loc>", "</loc><changefreq>often</changefreq>", 1),
        good.replace("sitemaps.org/schemas/sitemap/0.9", "sitemaps.org/schemas/sitemap/0.8"),
    ):
        (tmp_path / "sitemap.xml").write_text(broken, encoding="utf-8")
        with pytest.raises((AssertionError, etree.DocumentInvalid)):
            check_sitemap(tmp_path / "sitemap.xml")


def test_robots_points_at_the_sitemap(site):
    _, out = site
    assert f"Sitemap: {BASE}sitemap.xml" in (out / "robots.txt").read_text().splitlines()


def check_atom(path: Path, url: str) -> etree._Element:
    """RFC 4287's required elements, which feedparser alone does not enforce."""
    feed = etree.parse(str(path)).getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert len(feed.findall(f"{ATOM}{required}")) == 1 or required == "author", required
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    (self_link,) = feed.findall(f"{ATOM}link[@rel='self']")
    assert self_link.attrib["href"] == url and self_link.attrib["type"] == "application/atom+xml"
    ids = []
    for entry in feed.iter(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{required}")) == 1, required
        assert entry.find(f"{ATOM}link[@rel='alternate']").attrib["href"].startswith(BASE)
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(set(ids)) and all(urlsplit(i).scheme for i in ids)  # IRIs, unique
    for stamp in feed.iter(f"{ATOM}updated", f"{ATOM}published"):
        assert RFC3339.match(stamp.text), stamp.text
    return feed


def test_site_feed_has_every_paper_newest_first(site):
    root, out = site
    check_atom(out / "feed.xml", BASE + "feed.xml")
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
        check_atom(path, f"{BASE}categories/{code.lower()}/feed.xml")
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
        title = tree.findtext("head/title")
        assert meta["description"] and meta["og:title"] == title and meta["og:description"] == meta["description"]
        assert meta["og:type"] and meta["og:site_name"] == "Liang Song"
        assert meta["twitter:card"] == "summary" and meta["twitter:title"] == title
        links = {l.attrib.get("rel"): l.attrib.get("href") for l in tree.find("head").iter("link")}
        url = BASE + page.relative_to(out).as_posix().removesuffix("index.html")
        for link in tree.find("head").iter("link"):
            if link.attrib.get("type") == "application/atom+xml":
                assert link.attrib["rel"] == "alternate" and link.attrib["title"]
                target = urljoin(url, link.attrib["href"])
                assert target.startswith(BASE) and (out / target.removeprefix(BASE)).is_file(), target
        assert BASE + "feed.xml" in {urljoin(url, l.attrib["href"]) for l in tree.find("head").iter("link")}
        if page.name == "404.html":  # served at any missing address: no canonical URL, not indexed
            assert "canonical" not in links and "og:url" not in meta and meta["robots"] == "noindex"
            continue
        assert links["canonical"] == meta["og:url"] == url
        # the same, as a real OpenGraph extractor reads it
        (og,) = extruct.extract(page.read_text(encoding="utf-8"), base_url=url, syntaxes=["opengraph"])["opengraph"]
        props = dict(og["properties"])
        assert props["og:title"] == title and props["og:url"] == url


def test_paper_pages_describe_the_paper(site):
    root, out = site
    for slug, record in records(root).items():
        meta = dict(head_meta(parse_strict(out / "papers" / slug / "index.html")))
        assert meta["og:type"] == "article" and meta["og:title"].startswith(record["title"])
        abstract = " ".join(
            record.get("abstract", "") or (root / "content/papers" / f"{slug}.md").read_text(encoding="utf-8").split("---\n", 2)[2].split()
        )
        assert abstract.startswith(meta["description"].removesuffix("...")[:100])


def test_paper_pages_carry_google_scholar_tags(site):
    root, out = site
    for slug, record in records(root).items():
        meta = head_meta(parse_strict(out / "papers" / slug / "index.html"))
        values = lambda name, meta=meta: [content for key, content in meta if key == name]  # noqa: E731
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
    profile = front_matter(root / "content/profile.md")
    (person,) = jsonld(out / "index.html")
    assert person["@type"] == "Person" and person["name"] == profile["name"] and person["url"] == BASE
    assert person["sameAs"] == list(profile["links"].values()) and len(person["sameAs"]) == 2


def test_cname_and_nojekyll(site):
    _, out = site
    assert (out / "CNAME").read_text() == "cv.example.org\n"
    assert (out / ".nojekyll").is_file()


def test_without_base_url_no_feeds_or_sitemap_but_relative_site(example_site):
    assert not (example_site / "feed.xml").exists() and not (example_site / "sitemap.xml").exists()
    head = parse_strict(example_site / "index.html").find("head")
    absolute = [l for l in head.iter("link") if l.attrib.get("rel") == "canonical" or l.attrib.get("type") == "application/atom+xml"]
    assert not absolute
    # the bibliography files need no base URL: their links stay relative
    assert {l.attrib["href"] for l in head.iter("link") if l.attrib.get("rel") == "alternate"} == {
        "papers.bib",
        "papers.json",
        "papers.ris",
    }
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


def test_dates_come_from_the_records_never_the_clock(site):
    root, out = site
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    assert today not in {str(r["date"]) for r in records(root).values()}
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".xml", ".html", ".txt"):
            assert today not in path.read_text(encoding="utf-8"), path
    newest = max(str(r["date"]) for r in records(root).values())
    assert feedparser.parse((out / "feed.xml").read_bytes()).feed.updated == f"{newest}T00:00:00Z"


HOSTILE = '</script><script>alert(1)</script> "quoted" & <b>bold</b>'


def test_hostile_record_text_round_trips_through_every_parser(make_site, tmp_path):
    q = json.dumps
    root = make_site(
        {
            "site.yaml": f"title: {q('Site ' + HOSTILE)}\n",
            "content/profile.md": f"---\nname: {q('Eve ' + HOSTILE)}\nheadline: {q(HOSTILE)}\n"
            "links:\n  Home: https://example.org/?a=1&b=</script>\n---\nBio\n",
            "content/papers/evil.md": f"---\ntitle: {q(HOSTILE)}\nauthors: [{q('Eve ' + HOSTILE)}]\ndate: 2022-02-03\n"
            f"category: CV\nvenue: {q(HOSTILE)}\n---\nAbstract {HOSTILE}\n",
        }
    )
    out = tmp_path / "out"
    build(BuildOptions(root, out, base_url=BASE))
    for page in (out / "index.html", out / "papers/evil/index.html"):
        tree = parse_strict(page)
        scripts = [s for s in tree.iter("script") if s.attrib.get("type") != "application/ld+json" and not is_cite_script(s)]
        # only the site's own: the colour-scheme snippet (no record text in it) and assets/site.js
        assert [s.attrib.get("src", "").rsplit("/", 1)[-1] for s in scripts] == ["", "site.js"]
        assert "Eve" not in (scripts[0].text or "") and "cvsite-theme" in scripts[0].text
        assert "<script>alert" not in page.read_text(encoding="utf-8")
    (article,) = jsonld(out / "papers/evil/index.html")
    assert article["headline"] == HOSTILE and article["author"] == [{"@type": "Person", "name": "Eve " + HOSTILE}]
    (person,) = jsonld(out / "index.html")
    assert person["name"] == "Eve " + HOSTILE and person["sameAs"] == ["https://example.org/?a=1&b=</script>"]
    meta = head_meta(parse_strict(out / "papers/evil/index.html"))
    assert ("citation_title", HOSTILE) in meta and ("citation_author", "Eve " + HOSTILE) in meta
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo and feed.feed.title == "Site " + HOSTILE
    assert feed.entries[0].title == HOSTILE and feed.entries[0].authors[0].name == "Eve " + HOSTILE
    check_atom(out / "feed.xml", BASE + "feed.xml")


def test_social_previews_show_the_profile_photo_by_absolute_url(make_site, tmp_path):
    root = make_site(
        {
            "site.yaml": "base_url: https://user.github.io/repo/\n",
            "content/profile.md": "---\nname: Ada Lovelace\nphoto: me.jpg\n---\n",
            "static/me.jpg": b"\xff\xd8jpeg",
        }
    )
    out = tmp_path / "out"
    build(BuildOptions(root, out))
    for page in ("index.html", "years/index.html", "404.html"):
        meta = dict(head_meta(parse_strict(out / page)))
        assert meta["og:image"] == meta["twitter:image"] == "https://user.github.io/repo/me.jpg"
        assert meta["twitter:card"] == "summary" and meta["twitter:image:alt"] == "Photo of Ada Lovelace"


def test_without_a_photo_the_preview_is_a_plain_summary_card(site):
    _, out = site
    meta = dict(head_meta(parse_strict(out / "index.html")))
    assert meta["twitter:card"] == "summary" and "og:image" not in meta and "twitter:image" not in meta

"""The CV on the site: /cv/ shows every section of a full cv.yaml, the home page the current
position and the latest news, and the Person JSON-LD its affiliation, schools and awards."""

from __future__ import annotations

import json

import pytest
import yaml

from generator.pipeline import BuildOptions, build
from tests.cv_sample import CV_SITE, CV_YAML, SECTION_HEADINGS

from .helpers import parse_strict


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.fixture
def cv_site(make_site, tmp_path):
    root = make_site(CV_SITE)
    out = tmp_path / "out"
    build(BuildOptions(root, out, base_url="https://mei.example.org/"))
    return root, out


def sections(tree) -> dict[str, object]:
    return {text_of(s.find("h2")): s for s in tree.iter("section") if "cv-section" in s.attrib.get("class", "")}


def test_cv_page_shows_every_section_in_the_default_order(cv_site):
    _, out = cv_site
    tree = parse_strict(out / "cv/index.html")
    found = list(sections(tree))
    assert found == ["Positions", "Education", "Publications", "Awards", "Grants", "Invited Talks", "Teaching", "Students", "Service"]
    assert all(any(h in title for title in found) for h in SECTION_HEADINGS)


def test_every_cv_entry_is_on_the_page_with_its_dates(cv_site):
    _, out = cv_site
    page = text_of(parse_strict(out / "cv/index.html"))
    data = yaml.safe_load(CV_YAML)
    names = {
        "positions": "title",
        "education": "institution",
        "awards": "name",
        "grants": "title",
        "teaching": "course",
        "service": "role",
        "students": "name",
    }
    for section, key in names.items():
        for entry in data[section]:
            assert entry[key] in page, (section, entry[key])
    assert "Aug 2022 – present" in page and "Apr 2015 – Dec 2019" in page
    assert "Advisor: 山田 太郎 (Taro Yamada)" in page and "Now: Research Engineer, Example Labs" in page
    assert "Leads the Efficient Vision group." in page  # the Markdown note, rendered


def test_math_in_talk_titles_and_theses_is_rendered_not_shown_raw(cv_site):
    _, out = cv_site
    tree = parse_strict(out / "cv/index.html")
    talks = sections(tree)["Invited Talks"]
    assert any(str(e.tag).endswith("math") for e in talks.iter())
    assert "\\mathcal" not in text_of(tree) and "$" not in text_of(talks)


def test_publications_are_compact_citations_with_the_owner_and_selected_marked(cv_site):
    _, out = cv_site
    pubs = sections(parse_strict(out / "cv/index.html"))["Publications"]
    items = pubs.findall(".//ol/li")
    assert len(items) == 2
    newest, older = items
    assert [text_of(m) for m in newest.iter("strong") if m.attrib.get("class") == "me"] == ["Mei Tanaka"]
    assert "selected" in newest.attrib["class"]
    # the star is an image named for screen readers, so a printed CV shows just the star
    assert [m.attrib.get("aria-label") for m in newest.iter("span") if m.attrib.get("class") == "selected-mark"] == ["Selected publication"]
    assert "selected" not in older.attrib["class"]
    assert text_of(older).startswith("Jan Nowak, Mei Tanaka et al. Small Models & Big Images. NeurIPS 2021, Nov 2, 2021.")
    hrefs = [a.attrib["href"] for a in older.iter("a")]
    assert "../papers/small-models/" in hrefs and "https://example.org/small.pdf" in hrefs


def test_site_yaml_chooses_the_sections_and_their_order(make_site, tmp_path):
    root = make_site(CV_SITE | {"site.yaml": "title: T\ncv:\n  sections: [publications, talks, news]\n"})
    build(BuildOptions(root, tmp_path / "out"))
    assert list(sections(parse_strict(tmp_path / "out/cv/index.html"))) == ["Publications", "Invited Talks", "News"]


def test_header_links_the_cv_from_every_page(cv_site):
    _, out = cv_site
    for page in ("index.html", "cv/index.html", "papers/small-models/index.html"):
        nav = parse_strict(out / page).find(".//nav")
        assert any(text_of(a) == "CV" for a in nav.iter("a")), page


def test_home_page_shows_the_current_position_and_the_latest_news(cv_site):
    _, out = cv_site
    tree = parse_strict(out / "index.html")
    current = [text_of(p) for p in tree.iter("p") if p.attrib.get("class") == "current-position"]
    assert current == ["Assistant Professor, Northfield University"]  # the postdoc has ended
    news = next(s for s in tree.iter("section") if s.attrib.get("class") == "news")
    items = [text_of(li) for li in news.iter("li")]
    assert items[0] == "Jun 20, 2024 Our paper won the Best Paper Award at CVPR 2024."
    assert len(items) == 4 and items[-1].startswith("Aug 2022")


def test_person_jsonld_has_affiliation_alumni_of_and_awards(cv_site):
    _, out = cv_site
    tree = parse_strict(out / "index.html")
    (script,) = [s for s in tree.iter("script") if s.attrib.get("type") == "application/ld+json"]
    person = json.loads(script.text)
    assert person["affiliation"] == [{"@type": "Organization", "name": "Northfield University"}]
    assert [o["name"] for o in person["alumniOf"]] == ["University of Kyoto", "Université de Montréal"]
    assert person["award"] == ["Best Paper Award, CVPR 2024", "Early Career Fellowship, Northfield Foundation"]


def test_a_site_without_cv_yaml_gets_a_cv_of_its_papers_and_no_news(make_site, tmp_path):
    root = make_site({"content/papers/p.md": "---\ntitle: Only Paper\nauthors: [Ada Lovelace]\ndate: 2020\ncategory: CV\n---\n"})
    build(BuildOptions(root, tmp_path / "out"))
    assert list(sections(parse_strict(tmp_path / "out/cv/index.html"))) == ["Publications"]
    home = parse_strict(tmp_path / "out/index.html")
    assert not [s for s in home.iter("section") if s.attrib.get("class") == "news"]


def test_a_bad_cv_yaml_stops_the_build_and_keeps_the_old_site(make_site, tmp_path, capsys):
    from generator.cli import main

    root = make_site(CV_SITE)
    out = tmp_path / "out"
    assert main(["build", "--site", str(root), "--output", str(out)]) == 0
    before = (out / "cv/index.html").read_bytes()
    (root / "content/cv.yaml").write_text(
        CV_YAML.replace("    organization: Northfield University\n", "    organisation: Northfield University\n", 1)
    )
    capsys.readouterr()
    assert main(["build", "--site", str(root), "--output", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [
        "content/cv.yaml:2: positions[1].organization: required field is missing",
        "content/cv.yaml:3: positions[1].organisation: unknown field (did you mean 'organization'?)",
    ]
    assert (out / "cv/index.html").read_bytes() == before

"""Interface text comes from the catalogue of the site's language, and site.yaml can reword any
single string; what the numbers mean is part of it. A Chinese site shows no English interface
text anywhere, and builds the same bytes whatever the machine's locale."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import html5lib
import pypdf
import pytest
from lxml import etree

from generator import i18n
from generator.cv_records import PRESENT
from generator.errors import ContentError
from generator.fields import LINK_KINDS
from generator.pipeline import BuildOptions, build, render_site
from tests.cv_sample import CV_YAML

from .big_site import write_big_site
from .helpers import parse_strict

REPO = Path(__file__).resolve().parents[2]
PAPER = "---\ntitle: A\nauthors: [Ada Lovelace]\ndate: 2020\ncategory: CV\nscore: 7.5\n---\nx\n"
# attributes whose values people see or hear (tooltips, screen readers, tab titles, link
# previews), or that the shipped script shows (data-*)
SHOWN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")
SHOWN_META = ("description", "og:title", "og:description", "og:site_name", "twitter:title", "twitter:description", "twitter:image:alt")


def notes(out):
    tree = parse_strict(out / "index.html")
    (explain,) = [d for d in tree.iter("details") if d.attrib.get("class") == "explain"]
    return dict(zip(("".join(e.itertext()) for e in explain.iter("dt")), ("".join(e.itertext()) for e in explain.iter("dd"))))


def test_the_numbers_are_explained_in_the_site_s_own_words(make_site, tmp_path):
    root = make_site({"site.yaml": "strings:\n  note_score: Reviewer score from our lab's reading group.\n", "content/papers/a.md": PAPER})
    out = tmp_path / "out"
    build(BuildOptions(root, out))
    explained = notes(out)
    assert explained["Score"] == "Reviewer score from our lab's reading group."
    assert explained["Papers"] == "Papers listed on this site."  # the default for the rest
    paper = "".join(parse_strict(out / "papers/a/index.html").itertext())
    assert "Reviewer score from our lab's reading group." in paper


def test_chinese_sites_get_chinese_interface_text_whatever_the_machine_s_locale(make_site, tmp_path, monkeypatch):
    root = make_site({"site.yaml": "language: zh-CN\n", "content/papers/a.md": PAPER})
    pages = []
    for locale in ("C", "de_DE.UTF-8"):
        monkeypatch.setenv("LANG", locale)
        monkeypatch.setenv("LC_ALL", locale)
        out = tmp_path / f"out-{locale}"
        build(BuildOptions(root, out))
        pages.append((out / "index.html").read_bytes())
    assert pages[0] == pages[1]
    assert notes(tmp_path / "out-C")["论文"] == "本站列出的论文数。"


def test_a_taiwanese_site_gets_traditional_characters(make_site, tmp_path):
    root = make_site({"site.yaml": "language: zh-TW\n", "content/papers/a.md": PAPER})
    build(BuildOptions(root, tmp_path / "out"))
    home = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert '<html lang="zh-TW"' in home
    assert notes(tmp_path / "out")["論文"] == "本站列出的論文數。"
    assert "履歷" in home and "论文" not in home  # the menu's CV, and no Simplified text


def test_an_unknown_string_name_is_an_error_on_its_line(make_site, tmp_path):
    root = make_site({"site.yaml": "title: T\nstrings:\n  note_scroe: x\n"})
    with pytest.raises(ContentError) as raised:
        build(BuildOptions(root, tmp_path / "out"))
    (problem,) = raised.value.problems
    assert str(problem).startswith("site.yaml:3: strings") and "note_score" in str(problem)


# -- a whole site in Chinese ------------------------------------------------------------------------


def english_fragments() -> dict[str, str]:
    """fragment -> string id: the English words of every string whose Chinese differs, split at
    its placeholders ("{n} papers found" gives "papers found"); fragments that the Chinese string
    keeps (PDF, BibTeX, arXiv) or without a letter (": ") are left out."""
    found = {}
    for key, english in i18n.ENGLISH.items():
        chinese = i18n.CHINESE[key]
        if english == chinese:
            continue
        for part in re.split(r"\{\w+\}", english):
            fragment = part.strip(" .,:;()←→·★%–-")
            if re.search("[A-Za-z]", fragment) and fragment not in chinese:
                found[fragment] = key
    return found


def data_strings(root: Path) -> tuple[set[str], list[str]]:
    """Everything the site's own records say (titles, abstracts, names, venues, category names,
    CV entries), which a page may show in any language: the text pieces their rendered HTML splits
    into (a title around its math, a bio around its emphasis), and the plain values, longest
    first, so taking them out of a piece of text takes whole titles before the names inside them."""
    model = render_site(BuildOptions(root, cache=False), defer=True).model
    found = {model.config.title, model.profile.name, model.profile.headline, model.profile.affiliation, model.profile.email}
    found.update(label for label, _ in model.profile.links)
    rendered = [model.bio_html, *(n.html for n in model.cv.news)]
    for entry in model.entries:
        paper = entry.paper
        found.update((entry.title_text, entry.abstract_text, paper.venue, paper.affiliation, entry.citation_base, *paper.tags))
        found.update((paper.category.code, paper.category.short, paper.category.name, *(a.name for a in entry.authors)))
        found.update(model.exports[paper.slug].bibtex.split("\n"))
        rendered += [entry.title_html, entry.abstract_html]
    for section in model.cv.sections:
        for item in section.entries:
            found.update((item.title, item.where, item.place))
            rendered += [item.title_html, item.note_html, *(html for _, html, _ in item.details)]
    for section in ("education", "positions", "awards", "grants", "talks", "teaching", "service", "students", "news"):
        for record in getattr(model.cv.record, section):
            found.update(value for value in dataclasses.asdict(record).values() if isinstance(value, str) and value != PRESENT)
            found.update(label for label, _ in record.links)
    pieces = {" ".join(t.split()) for html in rendered for t in html5lib.parseFragment(str(html), namespaceHTMLElements=False).itertext()}
    return pieces | found, sorted((s.strip() for s in found if s and s.strip()), key=len, reverse=True)


def shown_texts(tree) -> list[str]:
    """Every piece of text a visitor sees or hears: text nodes outside scripts and styles, the page
    title, and the attributes above (data-* included: the script shows them)."""
    texts = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag not in ("script", "style") and element.text:
            texts.append(element.text)
        if element.tail:
            texts.append(element.tail)
        for name, value in element.attrib.items():
            if name in SHOWN_ATTRIBUTES or (name.startswith("data-") and name != "data-root"):
                texts.append(value)
        if element.tag == "meta" and (element.attrib.get("name") or element.attrib.get("property")) in SHOWN_META:
            texts.append(element.attrib["content"])
    return [" ".join(t.split()).removesuffix("...") for t in texts if t.strip()]


def english_left(texts: list[str], data: tuple[set[str], list[str]], fragments: dict[str, str]) -> list[str]:
    """The pieces of text that still hold an English interface string once the site's own data is
    taken out of them; words are matched whole, so 'Mar' never hits 'Market'."""
    left = []
    pieces, values = data
    anywhere = re.compile("|".join(rf"(?<![A-Za-z]){re.escape(f)}(?![A-Za-z])" for f in fragments))
    for text in texts:
        if text in pieces or not anywhere.search(text):  # a title, a piece of an abstract between two links, a name
            continue
        if len(text) > 100 and any(value.startswith(text) for value in values):  # a description: the abstract cut short
            continue
        rest = text
        for value in values:
            if len(value) > 3 and value in rest:
                rest = rest.replace(value, "\0")
        # a short value (a category code such as CV) is taken out only where an interface string
        # is that same word: the "CV" of "CV · Computer Vision" is data, the one of "Full CV" is not
        shortened = rest
        for value in values:
            if len(value) <= 3:
                shortened = re.sub(rf"(?<![A-Za-z]){re.escape(value)}(?![A-Za-z])", "\0", shortened)
        for fragment, key in fragments.items():
            if re.search(rf"(?<![A-Za-z]){re.escape(fragment)}(?![A-Za-z])", shortened if fragment in values else rest):
                left.append(f"{key} ({fragment!r}) in {text!r}")
    return left


def chinese_copy(tmp_path: Path) -> Path:
    """The example site in Chinese, with everything a page can show: a CV (every section), a
    selected paper, news, and a base_url (feeds and link previews)."""
    root = tmp_path / "zh"
    shutil.copytree(REPO / "content", root / "content")
    config = (REPO / "site.yaml").read_text("utf-8")
    config = config.replace("language: en", "language: zh").replace('base_url: ""', "base_url: https://example.org/cv/")
    (root / "site.yaml").write_text(config, encoding="utf-8")
    (root / "content/cv.yaml").write_text(CV_YAML, encoding="utf-8")
    paper = root / "content/papers/baichuan-2-open-large-scale-language-models.md"
    paper.write_text(paper.read_text("utf-8").replace("---\n", "---\nfeatured: true\n", 1), encoding="utf-8")
    profile = root / "content/profile.md"  # a photo, a bio and computed metrics
    text = profile.read_text("utf-8").replace("h_index: 71", "h_index: auto").replace("---\n", "---\nphoto: me.svg\n", 1)
    profile.write_text(text + "Works on *video* understanding.\n", encoding="utf-8")
    kinds = "".join(f"  {kind}: https://example.org/{kind}\n" for kind in LINK_KINDS)  # every link label
    (root / "content/papers/every-link.md").write_text(
        f"---\ntitle: Every Link\nauthors: [Liang Song]\ndate: 2021-02\ncategory: CV\ntags: [video]\nlinks:\n{kinds}---\nText.\n",
        encoding="utf-8",
    )
    (root / "static").mkdir()
    (root / "static/me.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>', encoding="utf-8")
    return root


def assert_no_english_interface_text(root: Path, out: Path) -> int:
    data, fragments = data_strings(root), english_fragments()
    problems, pages = [], 0
    for file in sorted(out.rglob("*.html")):
        tree = html5lib.parse(file.read_bytes(), namespaceHTMLElements=False)
        assert tree.attrib["lang"] == "zh", file
        problems += [f"{file.relative_to(out)}: {p}" for p in english_left(shown_texts(tree), data, fragments)]
        pages += 1
    for file in sorted(out.rglob("feed.xml")):
        titles = [t.text for t in etree.parse(str(file)).getroot().iter("{http://www.w3.org/2005/Atom}title")]
        problems += [f"{file.relative_to(out)}: {p}" for p in english_left(titles, data, fragments)]
    assert problems == []
    return pages


def test_a_chinese_site_shows_no_english_interface_text_on_any_page(tmp_path):
    root = chinese_copy(tmp_path)
    out = tmp_path / "out"
    build(BuildOptions(root, out, cache=False))
    pages = assert_no_english_interface_text(root, out)
    assert pages > 40  # every page kind: home, papers, categories, years, CV, search, 404
    home = parse_strict(out / "index.html")
    headings = ["".join(h.itertext()) for h in home.iter("h2")]
    assert "代表性论文" in headings and "最新动态" in headings and "论文（28 篇）" in headings
    cv = "".join(parse_strict(out / "cv/index.html").itertext())
    assert "工作经历" in cv and "2022年8月 – 至今" in cv and "导师：" in cv
    pdf = pypdf.PdfReader(out / "cv.pdf")  # the typeset CV too: its headings, legend, "et al." and title
    text = "".join(page.extract_text() for page in pdf.pages)
    assert pdf.metadata.title == "Liang Song — 简历" and "★ 标出的是代表性论文。" in text and "工作经历" in text
    assert "Jingyi Wu 等. Robust" in text and "et al." not in text
    feed = etree.parse(str(out / "categories/cv/feed.xml")).getroot()
    assert feed.findtext("{http://www.w3.org/2005/Atom}title") == "Liang Song：Computer Vision and Pattern Recognition"


def test_a_long_chinese_site_pages_its_listings_in_chinese(tmp_path):
    """Pagination, the home page's year index, the chart's "Other" and long author lists."""
    root = write_big_site(tmp_path / "big", 100, years=2)
    (root / "site.yaml").write_text((root / "site.yaml").read_text("utf-8") + "language: zh\n", encoding="utf-8")
    out = tmp_path / "out"
    build(BuildOptions(root, out, cache=False))
    assert_no_english_interface_text(root, out)
    year = parse_strict(out / "years/2025/index.html")
    (nav, *_) = [n for n in year.iter("nav") if n.attrib.get("class") == "pagination"]
    assert nav.attrib["aria-label"] == "2025：分页" and "较早 →" in "".join(nav.itertext())
    assert "".join(next(year.iter("title")).itertext()).startswith("2025（第 1 页，共 ")
    home = "".join(parse_strict(out / "index.html").itertext())
    assert "其他" in home and "位作者）" in home


def test_dates_and_counts_come_from_the_catalogue(make_site, tmp_path):
    paper = PAPER.replace("date: 2020", "date: 2024-03")
    for language, month, count in (("en", "Mar 2024", "1 paper"), ("zh", "2024年3月", "1 篇论文")):
        root = make_site({"site.yaml": f"language: {language}\n", "content/papers/a.md": paper})
        out = tmp_path / language
        build(BuildOptions(root, out))
        listing = parse_strict(out / "years/2024/index.html")
        assert [t.text for t in listing.iter("time")] == [month]
        assert "".join(next(p for p in listing.iter("p") if p.attrib.get("class") == "lead").itertext()) == count
        (results,) = json.loads((out / "search/papers-0.json").read_text("utf-8"))
        assert month in results  # the search results the script shows


def test_a_site_s_own_string_replaces_the_catalogue_s_everywhere_it_is_shown(make_site, tmp_path):
    strings = "strings:\n  selected_publications: 我的代表作\n  search_found_other: 共 {n} 篇\n  et_al: 等人\n"
    paper = PAPER.replace("authors: [Ada Lovelace]", "authors: [Ada Lovelace, B]\net_al: true\nfeatured: true")
    root = make_site({"site.yaml": "language: zh\n" + strings, "content/papers/a.md": paper})
    out = tmp_path / "out"
    build(BuildOptions(root, out))
    home = parse_strict(out / "index.html")
    assert "我的代表作" in ["".join(h.itertext()) for h in home.iter("h2")]
    assert "等人" in [s.text for s in home.iter("span") if s.attrib.get("class") == "et-al"]
    (form,) = parse_strict(out / "search/index.html").iter("form")
    assert form.attrib["data-found-other"] == "共 {n} 篇" and form.attrib["data-found-one"] == "找到 {n} 篇论文"


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(env or os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "generator", *args], env=env, capture_output=True, text=True, timeout=300)


def test_unknown_string_ids_and_placeholders_are_reported_with_the_other_errors(make_site, tmp_path):
    config = "language: zh\nstrings:\n  selected_publication: 代表作\n  count_paper_other: '{count} 篇'\n"
    root = make_site({"site.yaml": config, "content/papers/a.md": PAPER.replace("date: 2020", "date: 2020-13")})
    result = cli("build", "--site", str(root), "--output", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert (
        "site.yaml:3: strings.selected_publication: unknown string 'selected_publication' (did you mean 'selected_publications'?)" in lines
    )
    assert "site.yaml:4: strings.count_paper_other: unknown placeholder {count}: this string may use {n}" in lines
    assert any(line.startswith("content/papers/a.md:4: date:") for line in lines)
    assert lines[-1] == "cvsite: 3 problems found; nothing was written"
    assert not (tmp_path / "out").exists()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_builds_under_any_locale_give_identical_bytes(tmp_path):
    """Month names and number formats never come from the process locale: cvsite run with other
    locale settings (and with the locale taken from them, as a program embedding it may do)
    writes the same files."""
    root = chinese_copy(tmp_path)
    outputs = []
    plain = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE")}
    for number, locale in enumerate(("C", "C.UTF-8", "en_US.UTF-8", "de_DE.UTF-8", "zh_CN.UTF-8")):
        env = dict(plain, LANG=locale, LC_ALL=locale, LC_TIME=locale, LANGUAGE=locale.split(".")[0])
        out = tmp_path / f"out-{number}"
        script = (
            "import locale, sys\n"
            "try:\n    locale.setlocale(locale.LC_ALL, '')\nexcept locale.Error:\n    pass\n"
            "from generator.cli import main\nsys.exit(main(sys.argv[1:]))\n"
        )
        env["PYTHONPATH"] = str(REPO)
        result = subprocess.run(
            [sys.executable, "-c", script, "build", "--site", str(root), "--output", str(out), "--no-cache"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(tree(out))
    assert all(files == outputs[0] for files in outputs[1:])
    assert "2023年9月19日".encode() in outputs[0]["papers/baichuan-2-open-large-scale-language-models/index.html"]

"""Every internal link resolves, whether the site is served at / or under /repo/ (GitHub Pages)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from generator.pipeline import BuildOptions, build

from .helpers import html_pages, links, page_url, parse_strict, resolve


def check_links(out: Path, prefix: str, pages=None) -> int:
    """Assert every internal href/src of the pages resolves to a file; return how many were checked."""
    checked = 0
    for file in pages or html_pages(out):
        base = page_url(out, file, prefix)
        for link in links(parse_strict(file)):
            target = resolve(out, base, link, prefix)
            if target is not None:
                assert target.is_file(), f"{link} on {base} -> {target}"
                checked += 1
    return checked


@pytest.mark.parametrize("prefix", ["/", "/repo/", "/a/b/"])
def test_every_internal_link_resolves(example_site, prefix):
    pages = [p for p in html_pages(example_site) if p.name != "404.html"]  # 404.html: below
    checked = check_links(example_site, prefix, pages)
    # every paper is linked from the profile, its category and its year page at least
    assert checked > 27 * 3 + 2 * len(pages)


def test_every_page_and_file_is_reachable_from_the_profile(example_site):
    seen, todo = set(), [example_site / "index.html"]
    while todo:
        file = todo.pop()
        if file in seen:
            continue
        seen.add(file)
        if file.suffix == ".html":
            base = page_url(example_site, file, "/repo/")
            todo += [t for link in links(parse_strict(file)) if (t := resolve(example_site, base, link, "/repo/"))]
    pages = {p for p in html_pages(example_site) if p.name != "404.html"}
    assert pages <= seen


def test_the_404_page_works_at_any_depth_under_the_base_url(example_copy, tmp_path):
    out = tmp_path / "out"
    build(BuildOptions(example_copy, out, base_url="https://user.github.io/repo/"))
    tree = parse_strict(out / "404.html")
    checked = 0
    for missing in ("http://site.test/repo/no/such/page/", "http://site.test/repo/x", "http://site.test/repo/papers/a/b/c"):
        for link in links(tree):
            target = resolve(out, missing, link, "/repo/")
            if target is not None:
                assert target.is_file(), link
                checked += 1
    assert checked >= 3 * 3  # stylesheet, favicon, home at least
    assert check_links(out, "/repo/", [p for p in html_pages(out) if p.name != "404.html"])


def test_the_404_page_of_a_site_without_base_url_works_at_the_root(example_site):
    tree = parse_strict(example_site / "404.html")
    for missing in ("http://site.test/nothing", "http://site.test/deep/er/path/"):
        for link in links(tree):
            target = resolve(example_site, missing, link, "/")
            if target is not None:
                assert target.is_file(), link


def test_links_of_a_site_with_a_photo_other_archives_and_relative_record_links(make_site, tmp_path):
    root = make_site(
        {
            "content/profile.md": "---\nname: Ada Lovelace\nphoto: me.jpg\nlinks:\n  CV: cv.pdf\n---\nBio.\n",
            "static/me.jpg": b"\xff\xd8jpeg",
            "static/cv.pdf": b"%PDF",
            "static/slides/a.pdf": b"%PDF",
            "content/papers/a.md": "---\ntitle: A\nauthors: [Ada Lovelace]\ndate: 2021-02\ncategory: stat.ML\n"
            "links:\n  slides: slides/a.pdf\n  code: https://github.com/a/b\n---\nx\n",
            "content/papers/b.yaml": "title: B\nauthors: [B]\ndate: 2020\ncategory: eess.IV\nabstract: y\n",
        }
    )
    out = tmp_path / "out"
    build(BuildOptions(root, out))
    assert (out / "categories/stat-ml/index.html").is_file() and (out / "categories/eess-iv/index.html").is_file()
    pages = [p for p in html_pages(out) if p.name != "404.html"]
    for prefix in ("/", "/repo/"):
        assert check_links(out, prefix, pages) > 10
    home = parse_strict(out / "index.html")
    assert any(urlsplit(urljoin("http://site.test/repo/", s)).path == "/repo/me.jpg" for s in links(home))


def test_the_link_checker_catches_a_broken_link(make_site, tmp_path):
    """Guards the tests above against a checker that passes everything."""
    root = make_site(
        {"templates/years.html": '<!DOCTYPE html><title>t</title><a href="papers/nope/">x</a><a href="../assets/style.css">ok</a>'}
    )
    out = tmp_path / "out"
    build(BuildOptions(root, out))
    with pytest.raises(AssertionError, match="papers/nope"):
        check_links(out, "/repo/", [out / "years/index.html"])


def test_every_fragment_link_points_at_an_element_with_that_id(example_site):
    checked = 0
    for file in html_pages(example_site):
        if file.name == "404.html":
            continue
        base = page_url(example_site, file, "/repo/")
        for link in links(parse_strict(file)):
            target_url = urljoin(base, link)
            fragment = urlsplit(target_url).fragment
            if not fragment or urlsplit(target_url).netloc != "site.test":
                continue
            target = file if link.startswith("#") else resolve(example_site, base, link, "/repo/")
            ids = {e.attrib.get("id") for e in parse_strict(target).iter()}
            assert fragment in ids, f"{link} on {base}"
            checked += 1
    assert checked >= len(html_pages(example_site)) - 1  # at least the skip link of every page

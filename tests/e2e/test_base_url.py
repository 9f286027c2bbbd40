"""cvsite build --base-url takes what serve takes: a full URL, or only the path a site is served under."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import html_pages, links, parse_strict, resolve
from .test_links import check_links

ENV = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))


def cvsite(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def path_built(example_copy, tmp_path):
    out = tmp_path / "out"
    result = cvsite("build", "--site", example_copy, "--output", out, "--base-url", "/repo/", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def test_a_path_base_url_builds_a_site_that_works_under_that_path(path_built):
    out, _ = path_built
    assert check_links(out, "/repo/", [p for p in html_pages(out) if p.name != "404.html"])
    tree = parse_strict(out / "404.html")  # served at any missing address under /repo/
    for missing in ("http://site.test/repo/no/such/page/", "http://site.test/repo/papers/a/b"):
        targets = [resolve(out, missing, link, "/repo/") for link in links(tree)]
        assert [t for t in targets if t is not None] and all(t.is_file() for t in targets if t is not None)


def test_a_path_base_url_makes_no_absolute_urls_and_says_what_needs_the_full_url(path_built):
    out, stdout = path_built
    for name in ("feed.xml", "sitemap.xml", "robots.txt"):
        assert not (out / name).exists(), name
    for page in html_pages(out):
        head = parse_strict(page).find("head")
        assert not [link for link in head.iter("link") if link.attrib.get("rel") == "canonical"], page
        assert not [link for link in head.iter("link") if link.attrib.get("type") == "application/atom+xml"], page
        metas = {m.attrib.get("property") or m.attrib.get("name"): m.attrib.get("content") for m in head.iter("meta")}
        assert "og:url" not in metas and "citation_abstract_html_url" not in metas, page
        for script in head.iter("script"):
            if script.attrib.get("type") == "application/ld+json":
                assert "url" not in json.loads(script.text), page
    (note,) = [line for line in stdout.splitlines() if "full URL" in line]
    assert all(word in note for word in ("feed", "sitemap", "canonical", "https://")), note


def test_the_forms_serve_accepts_build_the_same_site(example_copy, tmp_path, path_built):
    out, _ = path_built
    other = tmp_path / "other"
    assert cvsite("build", "--site", example_copy, "--output", other, "--base-url", "repo", cwd=tmp_path).returncode == 0
    assert (other / "404.html").read_bytes() == (out / "404.html").read_bytes()


def test_a_full_base_url_still_gives_feeds_and_no_note(example_copy, tmp_path):
    result = cvsite("build", "--site", example_copy, "--output", tmp_path / "out", "--base-url", "https://you.github.io/repo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/feed.xml").is_file() and "full URL" not in result.stdout


@pytest.mark.parametrize("value", ["you.github.io/repo", "/my repo/", "/a?b", "javascript:alert(1)", "ftp://host/x/"])
def test_a_base_url_that_is_neither_a_url_nor_a_path_is_refused(example_copy, tmp_path, value):
    result = cvsite("build", "--site", example_copy, "--output", tmp_path / "out", "--base-url", value, cwd=tmp_path)
    assert result.returncode == 2 and "--base-url" in result.stderr and not (tmp_path / "out").exists()
    assert len(result.stderr.strip().splitlines()[-1]) < 200

"""URL layout and relative links: the same output works at / and under /repo/."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import urls
from generator.records import Category

PAGES = ["/", "/papers/x/", "/categories/", "/categories/cv/", "/years/2024/", "/404.html", "/categories/cv/feed.xml"]
TARGETS = ["/", "/papers/some-slug/", "/categories/stat-ml/", "/years/", "/assets/style.css", "/me.jpg"]


@pytest.mark.parametrize("prefix", ["/", "/repo/", "/a/b/"])
@pytest.mark.parametrize("page", PAGES)
def test_relative_links_resolve_to_the_target_under_any_prefix(prefix, page):
    base = "http://host" + prefix + page.lstrip("/")
    for target in TARGETS:
        link = urls.relative(page, target)
        assert not link.startswith("/")
        assert urlsplit(urljoin(base, link)).path == prefix + target.lstrip("/"), (page, target, link)


def test_external_links_and_anchors_are_left_alone():
    for target in ("https://github.com/x", "mailto:a@b.org", "#abstract", "//cdn.example.org/x"):
        assert urls.relative("/papers/x/", target) == target


def test_pretty_urls_are_folders_with_index_html():
    assert urls.output_path("/") == "index.html"
    assert urls.output_path("/papers/a-b/") == "papers/a-b/index.html"
    assert urls.output_path("/404.html") == "404.html"


def test_category_and_year_urls():
    assert urls.category_url(Category("cs.CV", "Computer Vision")) == "/categories/cv/"
    assert urls.category_url(Category("stat.ML", "Machine Learning")) == "/categories/stat-ml/"
    assert urls.year_url(2019) == "/years/2019/"
    assert urls.paper_url("baichuan-2") == "/papers/baichuan-2/"


def test_base_path_and_absolute_urls_come_from_base_url():
    assert urls.base_path("https://user.github.io/repo/") == "/repo/"
    assert urls.base_path("https://user.github.io/repo") == "/repo/"
    assert urls.base_path("") == "/"
    assert urls.absolute("https://user.github.io/repo/", "/papers/x/") == "https://user.github.io/repo/papers/x/"
    assert urls.absolute("", "/papers/x/") == ""  # no base_url: no absolute URLs at all
    assert urls.absolute("https://u.github.io/", "https://elsewhere.org/") == "https://elsewhere.org/"


def test_a_path_base_url_places_the_site_but_makes_no_absolute_urls():
    assert urls.base_path("/repo/") == "/repo/"  # 404.html links from here
    assert urls.absolute_base("/repo/") == "" and urls.absolute("/repo/", "/papers/x/") == ""
    assert urls.absolute_base("https://user.github.io/repo/") == "https://user.github.io/repo/"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="/\\:.?#@ab-_é \t\n\r\x00\x0b", max_size=10))
def test_a_link_is_external_exactly_when_it_names_a_scheme_or_a_host(target):
    """The quick answer for site paths agrees with urlsplit, tabs and line breaks included
    (urlsplit drops them: '/<tab>/host' names a host, and a browser reads it so too)."""
    try:
        parts = urlsplit(target)
    except ValueError:  # not a URL at all (urlsplit refuses some)
        return
    assert urls.is_external(target) == bool(parts.scheme or parts.netloc)

"""The URL layout of a cvsite site, and how links are written so they work under any sub-path."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from slugify import slugify

from .records import Category

HOME = "/"
NOT_FOUND = "/404.html"
CV = "/cv/"
RESUME = "/resume.json"  # JSON Resume
CV_PDF = "/cv.pdf"
BIBLIOGRAPHY = {"bibtex": "/papers.bib", "csl_json": "/papers.json", "ris": "/papers.ris"}  # page kind -> URL


def paper_url(slug: str) -> str:
    return f"/papers/{slug}/"


def paper_bibtex_url(slug: str) -> str:
    return f"/papers/{slug}/{slug}.bib"


def category_slug(category: Category) -> str:
    return slugify(category.short, lowercase=True)


def category_url(category: Category) -> str:
    return f"/categories/{category_slug(category)}/"


def year_url(year: int) -> str:
    return f"/years/{year}/"


def listing_page_url(url: str, number: int) -> str:
    """Page `number` of a long listing at url: the first page is url itself."""
    return url if number == 1 else f"{url}page/{number}/"


# the search data's files (see search.py): two-letter prefix sets and word lists in shards, and papers in chunks
SEARCH_CHUNK = 200  # papers per file of result lines: the first 20 results of a query need a few files (each fetch costs the page a few ms)
SEARCH_SHARD_PAPERS = 64  # about this many papers' words per shard (~15 kB), in a power-of-two number of shards
SEARCH_MAX_SHARDS = 256


def search_shard_count(paper_count: int) -> int:
    """How many prefix and word shards a site of paper_count papers has (site.js reads it from the page)."""
    shards = 1
    while shards < SEARCH_MAX_SHARDS and shards * SEARCH_SHARD_PAPERS < paper_count:
        shards *= 2
    return shards


def search_data_urls(paper_count: int) -> list[str]:
    chunks = max(1, -(-paper_count // SEARCH_CHUNK))
    return [
        "/search/facets.json",
        *(f"/search/prefixes-{k}.json" for k in range(search_shard_count(paper_count))),
        *(f"/search/words-{k}.json" for k in range(search_shard_count(paper_count))),
        *(f"/search/papers-{n}.json" for n in range(chunks)),
    ]


def output_path(url: str) -> str:
    """Site URL -> file inside the output folder (pretty URLs are folders with index.html)."""
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def is_external(target: str) -> bool:
    """Whether target names a scheme or a host (https://…, mailto:…, //host/…): not a site path."""
    # a site path, what most links are, each a different one: decided without urlsplit (which
    # drops tabs and line breaks first: "/<tab>/host" names a host, so text with them is left to it)
    if target[:1] == "/" and target[1:2] != "/" and target.isprintable():
        return False
    return _names_scheme_or_host(target)


@lru_cache(maxsize=65536)
def _names_scheme_or_host(target: str) -> bool:
    parts = urlsplit(target)
    return bool(parts.scheme or parts.netloc)


def relative(page_url: str, target: str) -> str:
    """A link from page_url to a site path, relative so the site works at / and under /repo/."""
    if is_external(target) or target.startswith("#"):
        return target
    depth = page_url.count("/") - 1  # folders between the site root and the page
    return ("../" * depth + target.lstrip("/")) or "./"


@lru_cache(maxsize=16)  # one base_url per site, asked for on every page
def base_path(base_url: str) -> str:
    """The path part of base_url ('/repo/' for https://user.github.io/repo/), '/' when unset."""
    path = urlsplit(base_url).path if base_url else "/"
    return path if path.endswith("/") else path + "/"


@lru_cache(maxsize=16)  # one base_url per site, asked for on every page
def absolute_base(base_url: str) -> str:
    """base_url when it is a full URL; '' when it is unset or only a path such as '/repo/'.

    A path places the site (links from 404.html) but names no host, so nothing absolute can be made.
    """
    return base_url if urlsplit(base_url).scheme else ""


def absolute(base_url: str, target: str) -> str:
    """Absolute URL for canonical links and feeds; '' when the site has no full base_url."""
    if is_external(target):
        return target
    base = absolute_base(base_url)
    return base + target.lstrip("/") if base else ""

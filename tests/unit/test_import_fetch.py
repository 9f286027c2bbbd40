"""Live fetching with recorded responses: the requests it makes, pacing, and one-line errors."""

from __future__ import annotations

import io
import json
import socket
import urllib.error
from pathlib import Path

import pytest

from generator import __version__
from generator.importers.fetch import USER_AGENT, Fetcher, FetchError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


class Recorded:
    """Answers requests from recorded bodies, and remembers what was asked."""

    def __init__(self, *bodies: bytes | Exception):
        self.bodies = list(bodies)
        self.requests = []

    def __call__(self, request, timeout):
        self.requests.append((request, timeout))
        body = self.bodies.pop(0)
        if isinstance(body, Exception):
            raise body
        return io.BytesIO(body)


class Clock:
    def __init__(self):
        self.now, self.slept = 100.0, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def fetcher(opener, clock=None):
    clock = clock or Clock()
    return Fetcher(opener, sleep=clock.sleep, clock=clock)


def test_arxiv_request_names_cvsite_and_has_a_timeout():
    opener = Recorded((FIXTURES / "arxiv.atom").read_bytes())
    [(label, data, fmt)] = fetcher(opener).fetch("arxiv:2309.10305v2")
    request, timeout = opener.requests[0]
    assert request.full_url == "https://export.arxiv.org/api/query?id_list=2309.10305v2&max_results=1"
    assert request.get_header("User-agent") == USER_AGENT and f"cvsite/{__version__}" in USER_AGENT
    assert 0 < timeout <= 60
    assert (label, fmt) == ("arxiv:2309.10305v2", "arxiv-atom") and data.startswith(b"<?xml")


def test_doi_goes_to_openalex():
    opener = Recorded(b"{}")
    fetcher(opener).fetch("doi:https://doi.org/10.1145/3645101")
    assert opener.requests[0][0].full_url == "https://api.openalex.org/works/doi:10.1145/3645101"


def test_orcid_follows_cursor_pages_and_paces_requests():
    page = json.loads((FIXTURES / "openalex-works.json").read_text())
    first = json.dumps({**page, "meta": {"next_cursor": "abc"}}).encode()
    last = json.dumps({"meta": {"next_cursor": None}, "results": []}).encode()
    clock = Clock()
    opener = Recorded(first, last)
    pages = Fetcher(opener, sleep=clock.sleep, clock=clock).fetch("orcid:0000-0002-1825-0097")
    assert [p[2] for p in pages] == ["openalex", "openalex"]
    urls = [r.full_url for r, _ in opener.requests]
    assert "filter=author.orcid:0000-0002-1825-0097" in urls[0] and urls[1].endswith("cursor=abc")
    assert clock.slept and clock.slept[0] > 0  # the second request to the same host waited


@pytest.mark.parametrize("identifier", ["arxiv:not-an-id", "doi:11.1/x", "orcid:1234", "isbn:123"])
def test_malformed_identifiers_are_refused_before_any_request(identifier):
    opener = Recorded()
    with pytest.raises(ValueError):
        fetcher(opener).fetch(identifier)
    assert opener.requests == []


@pytest.mark.parametrize(
    "failure, words",
    [
        (urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution")), "cannot reach export.arxiv.org"),
        (urllib.error.HTTPError("https://export.arxiv.org/x", 503, "Service Unavailable", {}, None), "HTTP 503"),
        (TimeoutError("timed out"), "did not answer"),
        (ConnectionResetError(104, "Connection reset by peer"), "cannot reach export.arxiv.org"),
    ],
)
def test_network_failures_are_one_line(failure, words):
    with pytest.raises(FetchError) as caught:
        fetcher(Recorded(failure)).fetch("arxiv:2309.10305")
    assert words in str(caught.value) and "\n" not in str(caught.value)

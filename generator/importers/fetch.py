"""Identifiers fetched live: arxiv:ID (arXiv API), doi:10.… and orcid:ID (OpenAlex).

Each request has a timeout and a User-Agent naming cvsite and its version, and requests to one
host are spaced out (arXiv asks for 3 s). Any network or HTTP failure is a FetchError with one
line to show; the caller then writes nothing.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit

from .. import __version__

USER_AGENT = f"cvsite/{__version__} (publication import; https://pypi.org/project/cvsite/)"
TIMEOUT = 30  # seconds per request
MAX_BYTES = 50_000_000
PAUSE = {"export.arxiv.org": 3.0, "api.openalex.org": 0.2}  # polite spacing between requests to a host
MAX_PAGES = 50  # orcid: up to 10,000 works at 200 a page

_ARXIV = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


class FetchError(Exception):
    """A source could not be fetched; the message is one line."""


class Fetcher:
    """Fetches with pacing; `opener` is urllib's urlopen, replaced in tests by a recorded responder."""

    def __init__(self, opener=None, pause: dict[str, float] | None = None, sleep=time.sleep, clock=time.monotonic):
        self.opener = opener or urllib.request.urlopen
        self.pause = PAUSE if pause is None else pause
        self.sleep, self.clock = sleep, clock
        self.last: dict[str, float] = {}

    def get(self, url: str) -> bytes:
        host = urlsplit(url).hostname or ""
        wait = self.last.get(host, -1e9) + self.pause.get(host, 0) - self.clock()
        if wait > 0:
            self.sleep(wait)
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json, application/atom+xml"})
        try:
            with self.opener(request, timeout=TIMEOUT) as response:
                data = response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{host} answered HTTP {exc.code} {exc.reason or ''}".rstrip() + f" for {url}") from None
        except urllib.error.URLError as exc:
            raise FetchError(f"cannot reach {host} ({_reason(exc.reason)}); are you offline?") from None
        except TimeoutError:
            raise FetchError(f"{host} did not answer within {TIMEOUT} s") from None
        except OSError as exc:
            raise FetchError(f"cannot reach {host} ({_reason(exc)})") from None
        finally:
            self.last[host] = self.clock()
        if len(data) > MAX_BYTES:
            raise FetchError(f"{host} sent more than {MAX_BYTES // 1_000_000} MB for {url}")
        return data

    def fetch(self, identifier: str) -> list[tuple[str, bytes, str]]:
        """[(label, bytes, format)] for one identifier; raises ValueError for a malformed one."""
        scheme, _, value = identifier.partition(":")
        scheme, value = scheme.lower(), value.strip()
        if scheme == "arxiv":
            value = re.sub(r"^(https?://arxiv\.org/abs/)", "", value)
            if not _ARXIV.match(value):
                raise ValueError(f"{identifier!r} is not an arXiv id such as arxiv:2309.10305")
            url = f"https://export.arxiv.org/api/query?id_list={quote(value)}&max_results=1"
            return [(identifier, self.get(url), "arxiv-atom")]
        if scheme == "doi":
            value = re.sub(r"^https?://(dx\.)?doi\.org/", "", value)
            if not _DOI.match(value):
                raise ValueError(f"{identifier!r} is not a DOI such as doi:10.1145/3368089")
            url = f"https://api.openalex.org/works/doi:{quote(value, safe='/')}"
            return [(identifier, self.get(url), "openalex")]
        if scheme == "orcid":
            value = re.sub(r"^https?://orcid\.org/", "", value)
            if not _ORCID.match(value):
                raise ValueError(f"{identifier!r} is not an ORCID iD such as orcid:0000-0002-1825-0097")
            return self._orcid_pages(identifier, value)
        raise ValueError(f"unknown identifier {identifier!r}: use arxiv:ID, doi:10.… or orcid:ID")

    def _orcid_pages(self, identifier: str, orcid: str) -> list[tuple[str, bytes, str]]:
        pages, cursor = [], "*"
        for number in range(1, MAX_PAGES + 1):
            url = f"https://api.openalex.org/works?filter=author.orcid:{orcid}&per-page=200&cursor={quote(cursor)}"
            data = self.get(url)
            pages.append((f"{identifier} (page {number})", data, "openalex"))
            try:
                payload = json.loads(data)
                cursor = (payload.get("meta") or {}).get("next_cursor")
                more = bool(payload.get("results"))
            except (ValueError, AttributeError):
                break  # the OpenAlex importer reports the broken page
            if not cursor or not more:
                break
        return pages


def _reason(reason) -> str:
    return str(getattr(reason, "strerror", None) or reason).strip() or type(reason).__name__


def fetch(identifier: str) -> list[tuple[str, bytes, str]]:
    return Fetcher().fetch(identifier)

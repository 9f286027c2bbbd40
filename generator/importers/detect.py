"""Which importer reads a file: decided from its content, so a misnamed file still works."""

from __future__ import annotations

import json
import re

from .common import decode
from .json_resume import looks_like_resume

FORMATS = ("bibtex", "csl-json", "ris", "arxiv-atom", "orcid", "openalex", "json-resume")


def _json_kind(text: str) -> str:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return "csl-json"  # broken JSON: the CSL-JSON reader reports where it breaks
    sample = data[0] if isinstance(data, list) and data else data
    if isinstance(data, dict) and ("group" in data or "put-code" in data or "bulk" in data):
        return "orcid"  # ORCID v3 /works, /work/{put-code} or /works/{codes}
    if looks_like_resume(data):
        return "json-resume"  # an object with basics, work, education, …; CSL-JSON is a list of items
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        sample = data["results"][0] if data["results"] else {}
    if isinstance(sample, dict) and str(sample.get("id", "")).startswith("https://openalex.org/"):
        return "openalex"
    return "csl-json"


def detect(data: bytes) -> str | None:
    """The format name of FORMATS, or None when the content looks like none of them."""
    text = decode(data[:2_000_000]).lstrip("\ufeff \t\r\n")
    if text[:1] in "[{" and text:
        return _json_kind(decode(data).lstrip("\ufeff \t\r\n"))
    if text.startswith("<"):
        return "arxiv-atom" if "<feed" in text[:5000] or "arxiv" in text[:5000].lower() else None
    if re.search(r"^TY  - ", text[:20000], re.MULTILINE):
        return "ris"
    if re.search(r"@\s*\w+\s*[{(]", text):
        return "bibtex"
    return None

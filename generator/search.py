"""The search index, built from the model at build time and split so that a visitor downloads
only what a query needs, and nothing before they start searching:

- `search/facets.json`: categories, years, and each paper's category, year and "has code" flag
  (filters work on these alone);
- `search/words-<k>.json`: for every word starting with <k>, the papers whose title, authors,
  venue or abstract contain it (a query fetches one such shard per word);
- `search/papers-<n>.json`: what a result shows (URL, title, authors, venue, date, category),
  in chunks of CHUNK papers, fetched only for the results on screen.

Papers are numbered newest first, so filtered and matched lists come out newest first.
Everything is written with sorted keys and no spaces: two builds give identical bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from . import i18n
from .model import PaperEntry, SiteModel
from .urls import SEARCH_CHUNK as CHUNK
from .urls import SEARCH_SHARDS as SHARDS

_WORD = re.compile(r"\w+")


def words(text: str) -> set[str]:
    """Lowercased words of two characters or more (site.js splits queries the same way)."""
    return {w for w in _WORD.findall(text.casefold()) if len(w) > 1}


def shard_of(word: str) -> str:
    return word[0] if word[0] in SHARDS[:-1] else "other"


def _searchable(entry: PaperEntry) -> str:
    paper = entry.paper
    return " ".join((entry.title_text, " ".join(a.name for a in entry.authors), paper.venue, entry.abstract_text))


def _author_text(entry: PaperEntry, t: Mapping[str, str] = i18n.ENGLISH) -> str:
    """The listing's author line as text: shortened, never hiding the site author."""
    line = entry.short_author_line
    text = ", ".join("…" if a is None else a.name for a in line.names)
    return text + (" " + t["et_al"] if line.et_al else "") + (" " + i18n.text(t, "author_count", n=line.total) if line.total else "")


def _dump(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


_last: list = [None, {}]  # the model last indexed and its files: every search file of a build shares one index


def _index(model: SiteModel) -> dict[str, bytes]:
    if _last[0] is model:
        return _last[1]
    entries = model.entries
    t = i18n.messages(model.config.language, model.config.strings)  # results show dates and "et al." as pages do
    categories = [g.key for g in model.by_category]
    files = {
        "/search/facets.json": _dump(
            {
                "categories": [[g.key, g.label] for g in model.by_category],
                "years": [int(g.key) for g in model.by_year],
                "category": [categories.index(e.paper.category.short) for e in entries],
                "year": [e.paper.date.year for e in entries],
                "code": "".join("1" if e.paper.link("code") else "0" for e in entries),
                "chunk": CHUNK,
                "count": len(entries),
            }
        )
    }
    postings: dict[str, dict[str, list[int]]] = {k: {} for k in SHARDS}
    for number, entry in enumerate(entries):
        for word in words(_searchable(entry)):
            postings[shard_of(word)].setdefault(word, []).append(number)
    for key, table in postings.items():
        # paper numbers as gaps from the previous one: short lists of small numbers
        files[f"/search/words-{key}.json"] = _dump({w: [n - p for n, p in zip(ns, [0, *ns])] for w, ns in table.items()})
    for start in range(0, max(len(entries), 1), CHUNK):
        files[f"/search/papers-{start // CHUNK}.json"] = _dump(
            [
                [e.url.lstrip("/"), e.title_text, _author_text(e, t), e.paper.venue, i18n.date(t, e.paper.date), e.paper.category.short]
                for e in entries[start : start + CHUNK]
            ]
        )
    _last[:] = [model, files]
    return files


def search_file(url: str, model: SiteModel) -> bytes:
    return _index(model)[url]

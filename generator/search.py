"""The search index, built from the model at build time and split so that a visitor downloads
only what a query needs, and nothing before they start searching:

- `search/facets.json`: categories, years, and each paper's category, year and "has code" flag
  (filters work on these alone);
- `search/prefixes-<k>.json`: for every two-letter start of a word whose shard is <k>, the papers
  with a word that starts so. The first keystroke that searches (a query word's second letter)
  needs one of these small files and no union of word lists;
- `search/words-<k>.json`: for every word of three letters or more whose first three letters fall
  in shard <k>, in order, the papers whose title, authors, venue or abstract contain it. From a
  query word's third letter on, the page fetches that one shard (every word starting with those
  three letters is in it) and unions the papers of the words it starts;
- `search/papers-<n>.json`: what a result shows (URL, title, authors, venue, date, category),
  in chunks of CHUNK papers, fetched only for the results on screen.

The number of prefix and word shards grows with the site (urls.search_shard_count), so each
stays small and a small site has one of each. A set of papers is the gaps between their numbers,
or, for a word in many papers, where that is shorter, a bitmap of every paper (base64, bit n % 8
of byte n // 8 is paper n).

Papers are numbered newest first, so filtered and matched lists come out newest first.
Everything is written with sorted keys and no spaces: two builds give identical bytes.
"""

from __future__ import annotations

import base64
import json
import re
from collections import defaultdict
from collections.abc import Mapping

from . import i18n
from .model import PaperEntry, SiteModel
from .urls import SEARCH_CHUNK as CHUNK
from .urls import search_shard_count

_WORD = re.compile(r"\w{2,}")


def words(text: str) -> set[str]:
    """Lowercased words of two characters or more. site.js splits queries the same way, and
    lower() is JavaScript's toLowerCase() (casefold() would turn "ß" into "ss", which no query matches)."""
    return set(_WORD.findall(text.lower()))


PREFIX = 2  # a query word this long is looked up in the prefix sets, a longer one in the word shards


def shard_of(word: str, shards: int, letters: int = PREFIX) -> int:
    """The shard of a word from its first `letters` characters (site.js: shard())."""
    h = 0
    for char in word[:letters]:
        h = h * 131 + ord(char)
    return h % shards


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


def _papers_of(numbers: list[int], count: int) -> list[int] | str:
    """Paper numbers as gaps from the previous one (short lists of small numbers), or as a bitmap
    of all `count` papers when that is shorter (a word in every other paper)."""
    gaps = [n - p for n, p in zip(numbers, [0, *numbers])]
    bitmap = bytearray(-(-count // 8))
    base64_size = 4 * -(-len(bitmap) // 3)
    if len(gaps) * (len(str(count)) + 1) <= base64_size or len(",".join(map(str, gaps))) + 1 <= base64_size:  # JSON list or base64
        return gaps
    for n in numbers:
        bitmap[n >> 3] |= 1 << (n & 7)
    return base64.b64encode(bytes(bitmap)).decode("ascii")


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
    shards = search_shard_count(len(entries))
    count = len(entries)
    postings: defaultdict[str, list[int]] = defaultdict(list)  # word -> its papers, in order
    for number, entry in enumerate(entries):
        for word in words(_searchable(entry)):
            postings[word].append(number)
    by_prefix: defaultdict[str, list[list[int]]] = defaultdict(list)  # the papers of each word a prefix starts
    shard_words: list[list[str]] = [[] for _ in range(shards)]
    for word, papers in postings.items():
        by_prefix[word[:PREFIX]].append(papers)
        if len(word) > PREFIX:
            shard_words[shard_of(word, shards, PREFIX + 1)].append(word)
    starts: list[dict[str, list[int] | str]] = [{} for _ in range(shards)]
    for prefix, lists in by_prefix.items():
        starts[shard_of(prefix, shards)][prefix] = _papers_of(sorted(set().union(*lists)), count)
    for key in range(shards):
        files[f"/search/prefixes-{key}.json"] = _dump(starts[key])
        # [word, papers] pairs in JavaScript's string order: the page bisects them as they come, and
        # parsing a list is cheaper than an object of thousands of keys
        ordered = sorted(shard_words[key], key=lambda w: w.encode("utf-16-be"))
        files[f"/search/words-{key}.json"] = _dump([[w, _papers_of(postings[w], count)] for w in ordered])
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

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
import hashlib
import json
import re
from array import array
from collections import defaultdict
from collections.abc import Mapping, Sequence

from . import i18n
from .memo import digest
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


def _gaps(numbers: list[int]) -> list[int]:
    return [n - p for n, p in zip(numbers, [0, *numbers])]


def _papers_of(numbers: list[int], count: int) -> list[int] | str:
    """Paper numbers as gaps from the previous one (short lists of small numbers), or as a bitmap
    of all `count` papers when that is shorter (a word in every other paper)."""
    bitmap = bytearray(-(-count // 8))
    base64_size = 4 * -(-len(bitmap) // 3)
    # the JSON list is at most len * (digits + 1) long and at least 2 * len: measured only between
    if len(numbers) * (len(str(count)) + 1) <= base64_size or (
        2 * len(numbers) <= base64_size and len(",".join(map(str, _gaps(numbers)))) + 1 <= base64_size
    ):
        return _gaps(numbers)
    for n in numbers:
        bitmap[n >> 3] |= 1 << (n & 7)
    return base64.b64encode(bytes(bitmap)).decode("ascii")


# The index is kept in the build cache in blocks of BLOCK papers (by their place in the
# newest-first order), each a pure function of its papers' entries: an edit of one paper makes
# one block again, and a search file is keyed by the hashes of its part in every block
# (`shows`), so only the files whose words, prefixes or papers changed are made and written
# again. A block is four compact values, not a set of words per paper (10,000 papers' sets
# pickle to 18 MB that load as slowly as they are made):
# - the names of its 2 * shards parts (the words of each word shard, then the two-letter starts
#   of each prefix shard), space-joined per part, the parts joined by newlines, each sorted;
# - for each name in turn, how many of the block's papers it has and their numbers in the block,
#   one byte each;
# - where each part starts in those bytes;
# - a 16-byte hash of each part, then of the block's facts for the filters, then of what its
#   papers' result lines show.
BLOCK = CHUNK  # a divisor of CHUNK: a file of result lines is made of whole blocks
assert BLOCK < 256  # numbers in a block, and how many papers a name has, are single bytes
_HASH = 16

Block = tuple[str, bytes, bytes, bytes]


def _hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_HASH).digest()


def _facts(entry: PaperEntry) -> tuple[str, int, bool]:
    """What the filters know of a paper (facets.json)."""
    return entry.paper.category.short, entry.paper.date.year, bool(entry.paper.link("code"))


def _line(entry: PaperEntry) -> tuple:
    """What a paper's result line is made of (papers-<n>.json; its language is part of the file's
    key), as plain values: the repr of dataclasses is slow."""
    line, day = entry.short_author_line, entry.paper.date
    names = [author and author.name for author in line.names]
    return (
        entry.url,
        entry.title_text,
        names,
        line.total,
        line.et_al,
        entry.paper.venue,
        day.year,
        day.month,
        day.day,
        entry.paper.category.short,
    )


def _block(entries: Sequence[PaperEntry], shards: int) -> Block:
    postings: defaultdict[str, list[int]] = defaultdict(list)  # word -> its papers in the block, in order
    for number, entry in enumerate(entries):
        for word in words(_searchable(entry)):
            postings[word].append(number)
    starts: defaultdict[str, set[int]] = defaultdict(set)  # two-letter start -> papers with a word starting so
    parts: list[list[str]] = [[] for _ in range(2 * shards)]
    for word, papers in postings.items():
        starts[word[:PREFIX]].update(papers)
        if len(word) > PREFIX:
            parts[shard_of(word, shards, PREFIX + 1)].append(word)
    for start in starts:
        parts[shards + shard_of(start, shards)].append(start)
    names: list[str] = []
    data = bytearray()
    offsets = array("I")
    hashes = bytearray()
    for i, part in enumerate(parts):
        part.sort()  # sets iterate in an order that changes from run to run; a part's hash must not
        offsets.append(len(data))
        for name in part:
            papers = postings[name] if i < shards else sorted(starts[name])
            data.append(len(papers))
            data += bytes(papers)
        text = " ".join(part)
        names.append(text)
        hashes += _hash(text.encode("utf-8", "surrogatepass") + b"\0" + data[offsets[-1] :])
    offsets.append(len(data))
    for shown in (_facts, _line):
        hashes += _hash(repr([shown(e) for e in entries]).encode("utf-8", "surrogatepass"))
    return "\n".join(names), bytes(data), offsets.tobytes(), bytes(hashes)


FORK_BLOCKS = 8  # blocks worth forking workers for


def _blocks(entries: Sequence[PaperEntry], ids: list[str], shards: int, jobs: int | None) -> list[Block]:
    """The index's blocks: those not in the memo are made by `jobs` processes (None: one per core;
    a block of 200 papers takes about 10 ms, and 10,000 papers have 50)."""
    from . import parallel

    starts = range(0, max(len(entries), 1), BLOCK)

    def make(i: int) -> Block:
        return _block(entries[starts[i] : starts[i] + BLOCK], shards)

    keys = [digest(shards, ids[start : start + BLOCK]) for start in starts]
    return parallel.cached_map("search", keys, make, jobs, min_items=FORK_BLOCKS)


def _entry_id(entry: PaperEntry) -> str:
    """The hash of everything the entry was made from (an entry made outside build_model has none:
    then its content)."""
    return entry.key or digest(repr(entry))


class _Index:
    """The search files of one model: their keys at once, their bytes when asked for. A file the
    index of the model before made is taken from it when it shows the same: the preview's
    renderer makes every search file again after each edit, and so makes only those it changed."""

    def __init__(self, model: SiteModel, before: _Index | None = None, jobs: int | None = 1):
        self.model = model
        entries = model.entries
        self.count = count = len(entries)
        self.shards = shards = search_shard_count(count)
        self.ids = [_entry_id(e) for e in entries]
        self.blocks = _blocks(entries, self.ids, shards, jobs)
        self._parts: dict[int, tuple[list[str], array]] = {}  # block -> its parts' names and offsets, read on first use
        self.files: dict[str, bytes] = {}
        self._keys: dict[str, str] = {}
        # what the index before made, by what it showed (kept apart: an index must not hold the one before it)
        self._before = {url: (before.shows(url), data) for url, data in before.files.items()} if before is not None else {}

    def shows(self, url: str) -> str:
        """The hash of what the file at url shows (the page's key beside what every page shares)."""
        key = self._keys.get(url)
        if key is None:
            key = self._keys[url] = self._shows(url)
        return key

    def _shows(self, url: str) -> str:
        kind, _, number = url.removeprefix("/search/").removesuffix(".json").partition("-")
        model, blocks = self.model, self.blocks
        shape: object = ()  # what a file shows beside its part of every block
        if kind == "papers":  # the lines of the blocks it is made of, in the site's language
            per_file = CHUNK // BLOCK
            part, blocks = 2 * self.shards + 1, blocks[int(number) * per_file : (int(number) + 1) * per_file]
            shape = (model.config.language, sorted(model.config.strings.items()))
        elif kind == "facets":
            part = 2 * self.shards
            shape = ([[g.key, g.label] for g in model.by_category], [g.key for g in model.by_year])
        else:
            part = int(number) + (self.shards if kind == "prefixes" else 0)
        at = slice(part * _HASH, (part + 1) * _HASH)
        return digest(kind, self.count, self.shards, CHUNK, BLOCK, shape, b"".join(block[3][at] for block in blocks))

    def file(self, url: str) -> bytes:
        found = self.files.get(url)
        if found is None:
            key, made = self._before.get(url, ("", b""))
            found = self.files[url] = made if key == self.shows(url) else self._make(url)
        return found

    def _make(self, url: str) -> bytes:
        kind, _, number = url.removeprefix("/search/").removesuffix(".json").partition("-")
        entries, count = self.model.entries, self.count
        if kind == "facets":
            return _facets(self.model)
        if kind == "papers":
            start = int(number) * CHUNK
            t = i18n.messages(self.model.config.language, self.model.config.strings)  # dates and "et al." as pages show them
            return _dump(
                [
                    [e.url.lstrip("/"), e.title_text, _author_text(e, t), e.paper.venue, i18n.date(t, e.paper.date), e.paper.category.short]
                    for e in entries[start : start + CHUNK]
                ]
            )
        if kind == "prefixes":
            return _dump({start: _papers_of(papers, count) for start, papers in self._merged(self.shards + int(number)).items()})
        merged = self._merged(int(number))
        # [word, papers] pairs in JavaScript's string order: the page bisects them as they come, and
        # parsing a list is cheaper than an object of thousands of keys
        ordered = sorted(merged, key=lambda w: w.encode("utf-16-be"))
        return _dump([[w, _papers_of(merged[w], count)] for w in ordered])

    def _merged(self, part: int) -> dict[str, list[int]]:
        """Each name of a part with its papers in the whole site, in order (blocks come in order)."""
        merged: dict[str, list[int]] = {}
        for b, block in enumerate(self.blocks):
            parts = self._parts.get(b)
            if parts is None:
                parts = self._parts[b] = (block[0].split("\n"), array("I", block[2]))
            names = parts[0][part]
            if not names:
                continue
            data, at, first = block[1], parts[1][part], b * BLOCK
            for name in names.split(" "):
                end = at + 1 + data[at]
                papers = [first + n for n in data[at + 1 : end]]
                at = end
                found = merged.get(name)
                if found is None:
                    merged[name] = papers
                else:
                    found += papers
        return merged


def _facets(model: SiteModel) -> bytes:
    entries = model.entries
    categories = [g.key for g in model.by_category]
    return _dump(
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


_last: list = [None, None]  # the model last indexed and its index: every search file of a build shares one


def _index(model: SiteModel, jobs: int | None = 1) -> _Index:
    if _last[0] is not model:
        _last[:] = [model, _Index(model, _last[1], jobs)]
    return _last[1]


def forget() -> None:
    """Let go of the last model's index (and so of the model): a build calls it when done, as
    only the preview has a next model that reuses it."""
    _last[:] = [None, None]


def prepare(model: SiteModel, jobs: int | None) -> None:
    """Make the model's index now, its missing blocks by `jobs` processes (None: one per core): a
    build calls it before any search file is keyed or written. (The preview does not: a process
    serving pages with threads running never forks.)"""
    _index(model, jobs)


def shows(url: str, model: SiteModel) -> str:
    """The hash of what the search file at url shows: what its page is keyed by (pipeline.SHOWN)."""
    return _index(model).shows(url)


def search_file(url: str, model: SiteModel) -> bytes:
    return _index(model).file(url)

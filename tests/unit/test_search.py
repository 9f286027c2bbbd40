"""The search index: every word of a title, author list, venue and abstract finds its paper, the
filters' facts are right, and it is split into the files the URL layout names."""

from __future__ import annotations

import base64
import json

from generator import search, urls
from generator.load import load_site
from generator.model import build_model
from generator.validate import validate_site


def paper(title, date, category="CV", extra="", abstract="Nothing here."):
    return f"---\ntitle: '{title}'\nauthors: [Ada Lovelace, Charles Babbage]\ndate: {date}\ncategory: {category}\n{extra}---\n{abstract}\n"


def index_of(make_site, files):
    model = build_model(validate_site(load_site(make_site(files))))
    found = {page.url: search.search_file(page.url, model) for page in model.pages if page.kind == "search_data"}
    return model, {url: json.loads(data) for url, data in found.items()}


def decode(gaps):
    """Paper numbers from gaps, or from a base64 bitmap of every paper (as site.js reads them)."""
    if isinstance(gaps, str):  # a bitmap of every paper
        bits = base64.b64decode(gaps)
        return [n for n in range(len(bits) * 8) if bits[n >> 3] >> (n & 7) & 1]
    numbers, n = [], 0
    for gap in gaps:
        n += gap
        numbers.append(n)
    return numbers


def shard_count(index):
    return sum(1 for url in index if url.startswith("/search/words-"))


def papers_with(index, word):
    """The papers the index lists for a whole word: a two-letter word is its prefix set."""
    shards = shard_count(index)
    if len(word) == 2:
        return decode(index[f"/search/prefixes-{search.shard_of(word, shards)}.json"].get(word, []))
    return decode(dict(index[f"/search/words-{search.shard_of(word, shards, 3)}.json"]).get(word, []))


def papers_starting(index, term):
    """What the page finds for one query word: its prefix set, or the union of the words it starts."""
    shards = shard_count(index)
    if len(term) == 2:
        return papers_with(index, term)
    pairs = index[f"/search/words-{search.shard_of(term, shards, 3)}.json"]
    return sorted({n for word, gaps in pairs if word.startswith(term) for n in decode(gaps)})


def test_words_from_every_searchable_field_find_the_paper(make_site):
    _, index = index_of(
        make_site,
        {
            "content/papers/a.md": paper(
                "Diffusion for Anomalies",
                "2024-02",
                extra="venue: NeurIPS 2024\n",
                abstract="We study $x^2$ and Überraschung in 3D scenes.",
            ),
            "content/papers/b.md": paper("Older Work", "2020", "LG", extra="links:\n  code: https://github.com/x/y\n"),
        },
    )
    assert set(index) == set(urls.search_data_urls(2))
    for word in ("diffusion", "anomalies", "neurips", "überraschung", "3d", "scenes"):
        assert papers_with(index, word) == [0], word
    assert papers_with(index, "ada") == papers_with(index, "babbage") == [0, 1]
    facets = index["/search/facets.json"]
    assert facets["count"] == 2 and facets["year"] == [2024, 2020] and facets["code"] == "01"
    assert [facets["categories"][i][0] for i in facets["category"]] == ["CV", "LG"]
    first = index["/search/papers-0.json"][0]
    assert first[0] == "papers/a/" and first[1] == "Diffusion for Anomalies" and "NeurIPS 2024" in first


def test_papers_are_chunked_and_the_index_is_the_same_every_build(make_site):
    files = {f"content/papers/p{i:04d}.md": paper(f"P{i}", "2020") for i in range(urls.SEARCH_CHUNK + 1)}
    model, index = index_of(make_site, files)
    assert len(index["/search/papers-0.json"]) == urls.SEARCH_CHUNK and len(index["/search/papers-1.json"]) == 1
    again = build_model(validate_site(load_site(make_site())))
    assert all(search.search_file(url, again) == search.search_file(url, model) for url in urls.search_data_urls(len(files)))


def test_shards_grow_with_the_site_and_each_word_is_in_the_shard_of_its_first_three_letters(make_site):
    assert urls.search_shard_count(27) == 1 and urls.search_shard_count(1000) == 16 and urls.search_shard_count(10_000) == 256
    assert urls.search_shard_count(10**6) == urls.SEARCH_MAX_SHARDS
    files = {f"content/papers/p{i:04d}.md": paper(f"Word{i} Topic{i % 7} Über{i % 3}", "2020") for i in range(200)}
    _, index = index_of(make_site, files)
    shards = urls.search_shard_count(200)
    tables = [dict(index[f"/search/words-{k}.json"]) for k in range(shards)]
    for k in range(shards):  # in JavaScript's string order, which the page bisects
        words = [w for w, _ in index[f"/search/words-{k}.json"]]
        assert words == sorted(words, key=lambda w: w.encode("utf-16-be"))
    assert shards == 4 and sum(1 for t in tables if t) > 1
    for k, table in enumerate(tables):
        assert all(len(word) > 2 and search.shard_of(word, shards, 3) == k for word in table)
    # every word with the same first three letters is in one shard: a typed prefix needs one file
    assert len({search.shard_of(w, shards, 3) for t in tables for w in t if w.startswith("top")}) == 1
    prefixes = [index[f"/search/prefixes-{k}.json"] for k in range(shards)]
    assert all(search.shard_of(start, shards) == k for k, sets in enumerate(prefixes) for start in sets)
    assert sum(1 for sets in prefixes if sets) > 1
    titles = [line[1] for n in range(-(-200 // urls.SEARCH_CHUNK)) for line in index[f"/search/papers-{n}.json"]]
    assert papers_with(index, "über2") == [n for n, title in enumerate(titles) if title.endswith("Über2")]


def test_a_word_in_many_papers_is_a_bitmap_and_finds_the_same_papers(make_site):
    files = {f"content/papers/p{i:04d}.md": paper(f"Common Rare{i} {'Half' if i % 2 else 'Other'}", "2020") for i in range(300)}
    _, index = index_of(make_site, files)
    titles = [line[1] for n in range(-(-300 // urls.SEARCH_CHUNK)) for line in index[f"/search/papers-{n}.json"]]
    shards = urls.search_shard_count(300)
    table = {w: v for k in range(shards) for w, v in index[f"/search/words-{k}.json"]}
    assert isinstance(table["common"], str) and isinstance(table["rare7"], list)  # dense: 38 bytes instead of 600
    assert papers_with(index, "common") == list(range(300))
    assert papers_with(index, "half") == [n for n, t in enumerate(titles) if t.endswith("Half")]
    assert papers_with(index, "rare7") == [titles.index("Common Rare7 Half")]


def test_every_prefix_finds_exactly_the_papers_with_a_word_starting_so(make_site):
    """The prefix sets and word shards together answer any query word as a scan of every paper
    would: a two-letter one from its prefix set alone, a longer one from one word shard."""
    vocabulary = ["graph", "gradient", "grain", "neural", "network", "nerf", "video", "vision", "über", "3d", "x1", "zebra"]
    files = {
        f"content/papers/p{i:03d}.md": paper(
            " ".join(vocabulary[(i * 7 + k * 3) % len(vocabulary)] for k in range(1 + i % 4)) + f" P{i}",
            f"20{10 + i % 15}-0{1 + i % 9}",
            abstract=f"Word{i % 13} {vocabulary[i % len(vocabulary)]}.",
        )
        for i in range(300)
    }
    model, index = index_of(make_site, files)
    assert shard_count(index) == urls.search_shard_count(300) == 8
    paper_words = [search.words(search._searchable(entry)) for entry in model.entries]
    terms = {w[:n] for ws in paper_words for w in ws for n in (2, 3, 4, len(w)) if len(w[:n]) > 1} | {"zz", "zzz", "grx"}
    for term in sorted(terms):
        expected = [n for n, ws in enumerate(paper_words) if any(w.startswith(term) for w in ws)]
        assert papers_starting(index, term) == expected, term
    # newest first: paper 0 is the latest record
    dates = [entry.paper.date for entry in model.entries]
    assert dates == sorted(dates, reverse=True)


def test_a_small_site_has_one_file_of_each_kind(make_site):
    files = {f"content/papers/p{i:02d}.md": paper(f"Paper number {i}", "2020") for i in range(27)}
    _, index = index_of(make_site, files)
    assert sorted(index) == ["/search/facets.json", "/search/papers-0.json", "/search/prefixes-0.json", "/search/words-0.json"]

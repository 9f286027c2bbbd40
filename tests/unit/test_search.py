"""The search index: every word of a title, author list, venue and abstract finds its paper, the
filters' facts are right, and it is split into the files the URL layout names."""

from __future__ import annotations

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


def papers_with(index, word):
    gaps = index[f"/search/words-{search.shard_of(word)}.json"].get(word, [])
    numbers, n = [], 0
    for gap in gaps:
        n += gap
        numbers.append(n)
    return numbers


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

"""Finding duplicates: same DOI, same arXiv id in any version, or same normalized title and year."""

from __future__ import annotations

from generator.importers import Imported
from generator.importers.merge import (
    Existing,
    find_existing,
    group_entries,
    index_existing,
    normal_title,
)


def entry(key: str, **fields) -> Imported:
    return Imported("refs.bib", 1, key, fields)


def test_titles_differing_in_case_braces_accents_and_punctuation_are_one_title():
    assert normal_title(r"{BERT}: M{\"u}ller's Models!") == normal_title("Bert — Müller’s models")
    assert normal_title("Model A") != normal_title("Model B")


def test_same_arxiv_id_in_any_version_or_url_form_is_one_paper():
    groups = group_entries(
        [
            entry("a", title="One", date="2023", links={"arxiv": "https://arxiv.org/abs/2309.10305"}, venue="arXiv"),
            entry(
                "b",
                title="Another title",
                date="2024",
                links={"arxiv": "http://arxiv.org/abs/2309.10305v2", "code": "https://github.com/a/b"},
            ),
        ]
    )
    assert len(groups) == 1
    merged = groups[0].fields
    assert merged["title"] == "One" and merged["venue"] == "arXiv"
    assert merged["links"] == {"arxiv": "https://arxiv.org/abs/2309.10305", "code": "https://github.com/a/b"}


def test_same_doi_in_two_sources_becomes_one_record_with_the_union_of_fields():
    bib = entry("bib", title="Survey", date="2024-07", links={"doi": "https://doi.org/10.1145/3645101"}, tags=["a"])
    alex = entry(
        "W1",
        title="Survey (journal version)",
        date="2024-07-01",
        citations=57,
        links={"doi": "https://doi.org/10.1145/3645101", "pdf": "https://x.org/p.pdf"},
        tags=["a", "b"],
        abstract="Abs",
    )
    (group,) = group_entries([bib, alex])
    assert group.entries == [bib, alex]
    assert group.fields == {
        "title": "Survey",
        "date": "2024-07",
        "citations": 57,
        "abstract": "Abs",
        "tags": ["a", "b"],
        "links": {"doi": "https://doi.org/10.1145/3645101", "pdf": "https://x.org/p.pdf"},
    }


def test_same_title_and_year_without_ids():
    groups = group_entries(
        [entry("a", title="A Study", date="2021-05"), entry("b", title="a study.", date="2021"), entry("c", title="A Study", date="2022")]
    )
    assert [[e.key for e in g.entries] for g in groups] == [["a", "b"], ["c"]]


def test_an_entry_matching_two_groups_joins_them():
    groups = group_entries(
        [
            entry("x", title="X", date="2020", links={"doi": "https://doi.org/10.1000/1"}),
            entry("y", title="Y", date="2020", links={"arxiv": "https://arxiv.org/abs/2001.00001"}),
            entry("z", title="Z", date="2020", links={"doi": "https://doi.org/10.1000/1", "arxiv": "https://arxiv.org/abs/2001.00001"}),
        ]
    )
    assert [sorted(e.key for e in g.entries) for g in groups] == [["x", "y", "z"]]


def test_papers_the_site_has_are_found_by_any_identity():
    site = [
        Existing(
            "content/papers/a.md", {"title": "Baichuan 2", "date": "2023-09-19", "links": {"arxiv": "https://arxiv.org/abs/2309.10305"}}
        ),
        Existing("content/papers/b.md", {"title": "Networking Systems", "date": 2024}),
    ]
    index = index_existing(site)
    assert find_existing(
        {"title": "Other", "date": "2020", "links": {"doi": "https://doi.org/10.48550/arXiv.2309.10305"}}, index
    ).path.endswith("a.md")
    assert find_existing({"title": "networking systems", "date": "2024-05"}, index).path.endswith("b.md")
    assert find_existing({"title": "Networking Systems", "date": "2023"}, index) is None

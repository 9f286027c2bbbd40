"""The model: ordering, grouping, counts, author highlighting."""

from __future__ import annotations

from generator.load import load_site
from generator.model import build_model
from generator.validate import validate_site


def paper(title, date, category="CV", authors="[Ada Lovelace, Charles Babbage]", extra=""):
    return f"---\ntitle: {title}\nauthors: {authors}\ndate: {date}\ncategory: {category}\n{extra}---\nAbstract of {title}.\n"


def model_of(root):
    return build_model(validate_site(load_site(root)))


def test_papers_newest_first_and_grouped_by_year(make_site):
    root = make_site({
        "content/papers/a.md": paper("Old", "2019-01-05"),
        "content/papers/b.md": paper("Newest", "2024-03"),
        "content/papers/c.md": paper("Middle", "2021-12-31", "LG"),
        "content/papers/d.md": paper("Same year later", "2024-11-02", "CL"),
    })
    model = model_of(root)
    assert [e.paper.title for e in model.entries] == ["Same year later", "Newest", "Middle", "Old"]
    assert [(g.key, len(g.entries)) for g in model.by_year] == [("2024", 2), ("2021", 1), ("2019", 1)]
    assert model.paper_count == 4


def test_categories_grouped_with_counts_and_names(make_site):
    root = make_site({
        "content/papers/a.md": paper("A", "2020", "CV"),
        "content/papers/b.md": paper("B", "2021", "cs.CV"),
        "content/papers/c.md": paper("C", "2022", "stat.ML"),
    })
    groups = {g.key: g for g in model_of(root).by_category}
    assert set(groups) == {"CV", "stat.ML"}
    assert len(groups["CV"].entries) == 2 and groups["CV"].label == "Computer Vision and Pattern Recognition"
    assert groups["CV"].url == "/categories/cv/"
    assert groups["stat.ML"].url == "/categories/stat-ml/"


def test_site_author_is_highlighted_defaulting_to_profile_name(make_site):
    root = make_site({"content/papers/a.md": paper("A", "2020")})
    (entry,) = model_of(root).entries
    assert [(a.name, a.is_site_author) for a in entry.authors] == [("Ada Lovelace", True), ("Charles Babbage", False)]

    root = make_site({"site.yaml": "author: Charles Babbage\n"})
    (entry,) = model_of(root).entries
    assert [a.is_site_author for a in entry.authors] == [False, True]


def test_pages_declare_their_inputs(make_site):
    root = make_site({"content/papers/a.md": paper("A", "2020"), "content/papers/b.md": paper("B", "2021", "LG")})
    pages = {p.url: p for p in model_of(root).pages}
    assert set(pages["/papers/a/"].inputs) == {"content/profile.md", "content/papers/a.md"}
    assert "content/papers/a.md" not in pages["/categories/lg/"].inputs
    assert set(pages["/"].inputs) >= {"content/papers/a.md", "content/papers/b.md"}

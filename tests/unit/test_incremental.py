"""Rebuilds with a cache redo only what changed, and give exactly what a clean build gives."""

from __future__ import annotations

from generator.incremental import BuildCache
from generator.pipeline import BuildOptions, render_site



def test_unchanged_site_renders_nothing_again(example_copy):
    cache = BuildCache()
    first = render_site(BuildOptions(example_copy), cache)
    second = render_site(BuildOptions(example_copy), cache)
    assert cache.rendered == 0
    assert second.files == first.files


def test_editing_one_paper_matches_a_clean_build(example_copy, edit):
    cache = BuildCache()
    render_site(BuildOptions(example_copy), cache)
    paper = example_copy / "content/papers/prototype-rectification-for-few-shot-learning.md"
    edit(paper, "title: Prototype Rectification", "title: Prototype Rectification Revisited")

    before = dict(cache.pages)
    incremental = render_site(BuildOptions(example_copy), cache)
    clean = render_site(BuildOptions(example_copy))
    assert incremental.files == clean.files
    assert "Prototype Rectification Revisited" in incremental.files["index.html"].decode()
    # the paper, the listings that show it (and the search data, which any paper may change),
    # not the other 26 paper pages
    again = {url for url, page in cache.pages.items() if before.get(url) is not page}
    html = {url for url in again if not url.startswith("/search/") or url == "/search/"}
    assert 1 < len(html) < 10 and {u for u in again if u.startswith("/papers/")} == {"/papers/prototype-rectification-for-few-shot-learning/"}


def test_moving_a_paper_to_another_category_and_deleting_one_match_a_clean_build(example_copy, edit):
    cache = BuildCache()
    render_site(BuildOptions(example_copy), cache)
    edit(example_copy / "content/papers/prototype-rectification-for-few-shot-learning.md", "category: CV", "category: LG")
    (example_copy / "content/papers/korgym-a-dynamic-game-platform-for-llm-reasoning.md").unlink()

    incremental = render_site(BuildOptions(example_copy), cache)
    clean = render_site(BuildOptions(example_copy))
    assert incremental.files == clean.files
    assert not any("korgym" in path for path in incremental.files)


def test_a_new_site_template_reaches_the_pages(example_copy):
    cache = BuildCache()
    render_site(BuildOptions(example_copy), cache)
    (example_copy / "templates").mkdir()
    (example_copy / "templates" / "404.html").write_text("{% extends 'builtin/404.html' %}{% block title %}Lost{% endblock %}")
    rebuilt = render_site(BuildOptions(example_copy), cache)
    assert "<title>Lost</title>" in rebuilt.files["404.html"].decode()
    assert rebuilt.files == render_site(BuildOptions(example_copy)).files

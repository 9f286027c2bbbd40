"""Rebuilds with a cache redo only what changed, and give exactly what a clean build gives."""

from __future__ import annotations

from pathlib import Path

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

    incremental = render_site(BuildOptions(example_copy), cache)
    clean = render_site(BuildOptions(example_copy))
    assert incremental.files == clean.files
    assert "Prototype Rectification Revisited" in incremental.files["index.html"].decode()
    # the paper, the listings that show it, not the other 26 paper pages
    assert 1 < cache.rendered < 10


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


def test_listing_items_that_show_the_profile_follow_a_profile_edit(example_copy, edit):
    """A site's partials/papers.html may show profile fields in every listing item: a profile
    edit must reach them although no paper changed."""
    builtin = (Path(__file__).resolve().parents[2] / "templates/partials/papers.html").read_text(encoding="utf-8")
    (example_copy / "templates/partials").mkdir(parents=True)
    (example_copy / "templates/partials/papers.html").write_text(
        builtin.replace('<article class="paper">', '<article class="paper" data-by="{{ profile.headline }}">'), encoding="utf-8")
    cache = BuildCache()
    render_site(BuildOptions(example_copy), cache)
    edit(example_copy / "content/profile.md", "name: Liang Song\n", "name: Liang Song\nheadline: Professor of Something New\n")

    incremental = render_site(BuildOptions(example_copy), cache)
    assert 'data-by="Professor of Something New"' in incremental.files["index.html"].decode()
    assert incremental.files == render_site(BuildOptions(example_copy)).files

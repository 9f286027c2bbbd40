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

    incremental = render_site(BuildOptions(example_copy), cache)
    clean = render_site(BuildOptions(example_copy))
    assert incremental.files == clean.files
    assert "Prototype Rectification Revisited" in incremental.files["index.html"].decode()
    # the paper and its .bib, the listings that show it, the three bibliography files; not the
    # other 26 paper pages
    assert 1 < cache.rendered < 14


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


def test_a_paper_taking_another_papers_citation_key_rebuilds_that_papers_pages(example_copy, edit):
    """Citation keys depend on the papers that want the same key, not only on their own record."""
    cache = BuildCache()
    render_site(BuildOptions(example_copy), cache)
    edit(example_copy / "content/papers/baichuan-m1-pushing-the-medical-capability-of.md",
         "date: 2025-02-18", "date: 2025-02-18\nextra:\n  citation_key: yang2023baichuan")

    incremental = render_site(BuildOptions(example_copy), cache)
    assert incremental.files == render_site(BuildOptions(example_copy)).files
    other = "papers/baichuan-2-open-large-scale-language-models/"
    assert "@misc{yang2023baichuanb," in incremental.files[other + "index.html"].decode()
    assert incremental.files[other + "baichuan-2-open-large-scale-language-models.bib"].startswith(b"@misc{yang2023baichuanb,")

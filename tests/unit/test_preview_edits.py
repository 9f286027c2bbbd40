"""The preview after edits: whatever was saved, once its pages are rendered the served folder is
byte for byte what a clean `cvsite build` writes; a saved paper is remade alone (its pages at
once, the pages showing every paper right after), anything else rebuilds what it feeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.pipeline import BuildOptions, build
from generator.server import Preview
from tests.conftest import REPO

PAPER = "content/papers/prototype-rectification-for-few-shot-learning.md"
OTHER = "content/papers/korgym-a-dynamic-game-platform-for-llm-reasoning.md"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def preview(example_copy, tmp_path):
    (tmp_path / "serve").mkdir()
    preview = Preview(BuildOptions(example_copy), temp_root=str(tmp_path / "serve"))
    assert preview.rebuild()
    yield preview
    preview.close()


def saved(preview: Preview, *paths: Path) -> bool:
    """Rebuild as the watcher does after these paths were saved, and wait for the later pages."""
    ok = preview.rebuild({p.resolve() for p in paths})
    assert preview.settle(120)
    return ok


def assert_same_as_clean(preview: Preview, tmp_path: Path) -> dict[str, bytes]:
    clean = tmp_path / "clean"
    build(BuildOptions(preview.options.site_root, clean, cache=False))
    served, built = tree(preview.root), tree(clean)
    built.pop(".cvsite-manifest.json")
    assert sorted(served) == sorted(built)
    assert [rel for rel in served if served[rel] != built[rel]] == []
    return served


def test_a_saved_title_is_remade_alone_and_matches_a_clean_build(preview, example_copy, tmp_path, edit):
    edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    builds = preview.builds
    epoch = preview.epoch
    assert saved(preview, example_copy / PAPER)
    assert preview.builds == builds + 1
    # the paper's pages and the listings holding it at once, not every page of the site
    assert 0 < preview.rendered <= 8
    changes = dict(preview.changes)
    # announced first, together: the paper's page and the home page holding the edit
    assert {"papers/prototype-rectification-for-few-shot-learning/index.html", "index.html"} <= set(changes[epoch + 1])
    assert "papers/korgym-a-dynamic-game-platform-for-llm-reasoning/index.html" not in changes[epoch + 1]
    assert "categories/cv/index.html" not in changes[epoch + 1]
    later = {rel for e, files in changes.items() if e > epoch + 1 for rel in files}
    # then the listings of its category and year, and the pages showing every paper
    assert {"categories/cv/index.html", "cv/index.html", "papers.bib"} <= later
    served = assert_same_as_clean(preview, tmp_path)
    assert b"Prototype Rectification Revisited" in served["index.html"]
    # what each paper's exports are made from follows the edit, as in a model made afresh
    from generator.pipeline import render_site

    assert preview._site is not None
    assert preview._site.model.export_ids == render_site(BuildOptions(example_copy, cache=False)).model.export_ids


def test_edits_in_a_row_each_match_a_clean_build(preview, example_copy, tmp_path, edit):
    for n in range(3):
        edit(example_copy / PAPER, "title: Prototype Rectification", f"title: {n} Prototype Rectification")
        preview.rebuild({(example_copy / PAPER).resolve()})  # no waiting: the next save comes first
        edit(example_copy / PAPER, f"title: {n} Prototype Rectification", "title: Prototype Rectification")
    edit(example_copy / OTHER, "title: 'KORGym:", "title: 'KORGym Two:")
    assert saved(preview, example_copy / PAPER, example_copy / OTHER)
    assert b"KORGym Two" in assert_same_as_clean(preview, tmp_path)["index.html"]


@pytest.mark.parametrize(
    "old, new",
    [
        ("date: 2019-11-25", "date: 2003-01-01"),  # another year, another place in the order
        ("category: CV", "category: LG"),  # another category
        ("\n---\n", "\nfeatured: true\n---\n"),  # now featured on the home page
        ("\n---\n", "\ndraft: true\n---\n"),  # now a draft: left out
    ],
)
def test_a_paper_edit_that_moves_it_rebuilds_what_it_feeds(preview, example_copy, tmp_path, edit, old, new):
    text = (example_copy / PAPER).read_text(encoding="utf-8")
    (example_copy / PAPER).write_text(text.replace(old, new, 1) if old != "\n---\n" else _front(text, new), encoding="utf-8")
    assert saved(preview, example_copy / PAPER)
    assert_same_as_clean(preview, tmp_path)


def _front(text: str, addition: str) -> str:
    """Add a line to the end of the front matter."""
    head, rest = text[4:].split("\n---\n", 1)
    return f"---\n{head}{addition}{rest}"


def test_an_error_in_a_saved_paper_keeps_the_site_and_a_fix_brings_it_back(preview, example_copy, tmp_path, edit):
    before = tree(preview.root)
    edit(example_copy / PAPER, "category: CV", "category: CVV")
    assert not saved(preview, example_copy / PAPER)
    assert preview.errors and tree(preview.root) == before
    edit(example_copy / PAPER, "category: CVV", "category: CV")
    assert saved(preview, example_copy / PAPER) and not preview.errors
    assert_same_as_clean(preview, tmp_path)


def test_editing_the_profile_site_yaml_and_a_static_file(preview, example_copy, tmp_path, edit):
    edit(example_copy / "content/profile.md", "name: Liang Song", "name: L. Song")
    assert saved(preview, example_copy / "content/profile.md")
    assert b"L. Song" in assert_same_as_clean(preview, tmp_path)["papers/prototype-rectification-for-few-shot-learning/index.html"]
    config = example_copy / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "cname: cv.example.org\n", encoding="utf-8")
    assert saved(preview, config)
    assert assert_same_as_clean(preview, tmp_path)["CNAME"] == b"cv.example.org\n"
    (example_copy / "static").mkdir()
    (example_copy / "static/notes.txt").write_text("one", encoding="utf-8")
    assert saved(preview, example_copy / "static/notes.txt")
    assert assert_same_as_clean(preview, tmp_path)["notes.txt"] == b"one"


def test_a_template_and_a_listing_override_showing_the_profile_headline(preview, example_copy, tmp_path, edit):
    builtin = (REPO / "templates/partials/papers.html").read_text(encoding="utf-8")
    override = example_copy / "templates/partials/papers.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        builtin.replace('<article class="paper">', '<article class="paper"><p class="by">{{ profile.headline }}</p>'), encoding="utf-8"
    )
    assert saved(preview, override)
    profile = example_copy / "content/profile.md"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("name: Liang Song\n", "name: Liang Song\nheadline: Tinkerer\n"), encoding="utf-8")
    assert saved(preview, profile)
    assert b"Tinkerer" in assert_same_as_clean(preview, tmp_path)["index.html"]
    profile.write_text(text.replace("name: Liang Song\n", "name: Liang Song\nheadline: Keeper of Engines\n"), encoding="utf-8")
    assert saved(preview, profile)
    served = assert_same_as_clean(preview, tmp_path)
    assert b"Keeper of Engines" in served["index.html"] and b"Tinkerer" not in served["index.html"]
    # and a paper saved after it: its listing items show the headline too
    edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    assert saved(preview, example_copy / PAPER)
    assert_same_as_clean(preview, tmp_path)


def test_deleting_and_renaming_papers(preview, example_copy, tmp_path):
    (example_copy / OTHER).unlink()
    assert saved(preview, example_copy / OTHER)
    renamed = example_copy / "content/papers/renamed.md"
    (example_copy / PAPER).rename(renamed)
    assert saved(preview, example_copy / PAPER, renamed)
    served = assert_same_as_clean(preview, tmp_path)
    assert "papers/renamed/index.html" in served and "papers/korgym-a-dynamic-game-platform-for-llm-reasoning/index.html" not in served


def test_the_pages_of_every_paper_follow_edits_made_while_they_render(preview, example_copy, tmp_path, edit):
    """One renderer process follows every edit (no process is started per save): a save made
    while it renders the last one's pages is taken up, and the end state is a clean build."""
    renderer = preview._renderer._child
    for n in range(4):
        edit(example_copy / PAPER, "Rectification", f"Rectification {n}")
        assert preview.rebuild({(example_copy / PAPER).resolve()})  # no waiting for the pages of every paper
    edit(example_copy / OTHER, "title: 'KORGym:", "title: 'KORGym Two:")
    assert saved(preview, example_copy / OTHER)
    assert preview._renderer._child == renderer
    served = assert_same_as_clean(preview, tmp_path)
    assert b"Rectification 3" in served["cv/index.html"] and b"KORGym Two" in served["papers.bib"]


def test_a_renderer_that_dies_is_reported_and_the_next_save_builds_everything(preview, example_copy, tmp_path, edit):
    import os
    import signal

    os.kill(preview._renderer._child, signal.SIGKILL)
    with preview.changed:  # told by the thread that waits for the renderer
        preview.changed.wait_for(lambda: preview.errors, 30)
    assert any("background" in e for e in preview.errors)
    edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    assert saved(preview, example_copy / PAPER) and not preview.errors
    assert b"Prototype Rectification Revisited" in assert_same_as_clean(preview, tmp_path)["cv/index.html"]


def test_without_fork_the_preview_renders_the_pages_of_every_paper_itself(example_copy, tmp_path, edit, monkeypatch):
    from generator.server import Renderer

    monkeypatch.setattr(Renderer, "forks", False)  # as on Windows
    (tmp_path / "serve").mkdir()
    preview = Preview(BuildOptions(example_copy), temp_root=str(tmp_path / "serve"))
    try:
        assert preview.rebuild()
        edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
        assert preview.rebuild({(example_copy / PAPER).resolve()})
        assert preview.pending == 0  # rendered before rebuild returned
        assert b"Prototype Rectification Revisited" in assert_same_as_clean(preview, tmp_path)["cv/index.html"]
    finally:
        preview.close()


def test_a_renderer_that_reads_no_edits_never_holds_up_a_save(preview, example_copy, tmp_path, edit):
    """While the renderer compiles cv.pdf it reads no edits; saves keep being served at once
    however many pile up for it (more than a pipe holds), and it catches up after."""
    import os
    import signal

    child = preview._renderer._child
    path = example_copy / PAPER
    os.kill(child, signal.SIGSTOP)  # as busy as it gets
    try:
        for n in range(12):  # 12 saves of a record 10 kB longer each time: more than a pipe holds
            edit(path, "title: Prototype Rectification", f"title: Prototype Rectification {n}")
            path.write_text(path.read_text(encoding="utf-8") + "\nMore words." * 900, encoding="utf-8")
            assert preview.rebuild({path.resolve()})
            assert f"Prototype Rectification {n}".encode() in (preview.root / "index.html").read_bytes()
            edit(path, f"title: Prototype Rectification {n}", "title: Prototype Rectification")
        assert preview._renderer._child == child  # every save was an edit of the paper alone
    finally:
        os.kill(child, signal.SIGCONT)
    assert saved(preview, path)  # the title as it was, and the pages of every paper caught up
    assert b"More words." in assert_same_as_clean(preview, tmp_path)["papers/prototype-rectification-for-few-shot-learning/index.html"]


def test_the_pages_of_every_paper_are_moved_in_before_cv_pdf(preview, example_copy, tmp_path, edit):
    """cv.pdf takes Typst seconds at 10,000 papers: the CV page and the bibliography files do not
    wait for it."""
    pytest.importorskip("typst")
    epoch = preview.epoch
    edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    assert saved(preview, example_copy / PAPER)
    when = {rel: e for e, files in preview.changes if e > epoch for rel in files}
    assert when["cv/index.html"] < when["cv.pdf"] and when["papers.bib"] < when["cv.pdf"]
    assert_same_as_clean(preview, tmp_path)

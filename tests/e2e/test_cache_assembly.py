"""The files showing every paper (resume.json, cv.pdf, the CV page, feeds, the sitemap, the
category and year indexes, the search index) are joined from per-paper parts kept in the build cache, or not made
again when what they show did not change. After every kind of edit, a cached build must still
give byte for byte what a clean build gives: these tests fail if the joined files drift."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator import cv_pdf, search, urls
from generator.load import load_site
from generator.memo import Memo, using
from generator.model import build_model
from generator.resume import resume, resume_json
from generator.validate import validate_site
from tests.e2e.big_site import write_big_site
from tests.e2e.test_build_cache import assert_same_as_clean, cached_build, tree

PAPERS = 70  # listings split into pages, several years and categories


def paper_path(site: Path, i: int) -> Path:
    return site / "content" / "papers" / f"p{i:05d}.md"


@pytest.fixture
def big(tmp_path):
    site = write_big_site(tmp_path / "big", PAPERS)
    with open(site / "site.yaml", "a", encoding="utf-8") as file:
        file.write("feed_limit: 5\n")  # a short feed: which papers it shows moves with edits
    cached_build(site)
    return site


@pytest.fixture
def made(monkeypatch) -> list[str]:
    """The search files the builds from now on make (render), as output paths."""
    found: list[str] = []
    real = search.search_file

    def spy(url, model):
        found.append(urls.output_path(url))
        return real(url, model)

    monkeypatch.setattr(search, "search_file", spy)
    return found


def test_a_title_edit_makes_again_only_the_search_files_it_changed(big, tmp_path, edit, made):
    """Each search file is keyed by its part of the index (search.shows): a new title makes again
    the files of the words it adds and removes and of its result line, and no other."""
    before = tree(big / "output")
    edit(paper_path(big, 50), " 50'", " Zygomorphic'")  # the word "50" goes, "zygomorphic" comes
    cached_build(big)
    remade = set(made)
    built = assert_same_as_clean(big, tmp_path)
    changed = {rel for rel in built if rel.startswith("search/") and built[rel] != before[rel]}
    assert remade == changed and "search/papers-0.json" in changed
    assert len(changed) < sum(1 for rel in built if rel.startswith("search/"))
    assert any(word == "zygomorphic" for rel in changed if "/words-" in rel for word, _ in json.loads(built[rel]))


def test_an_edit_search_does_not_show_makes_no_search_file(big, tmp_path, edit, made):
    edit(paper_path(big, 50), "score: ", "score: 1")
    cached_build(big)
    assert made == []
    assert_same_as_clean(big, tmp_path)


def test_a_title_edited_far_from_the_feeds(big, tmp_path, edit):
    edit(paper_path(big, 50), "title: '", "title: 'Edited ")
    cached_build(big)
    built = assert_same_as_clean(big, tmp_path)
    assert "Edited" in json.loads(built["resume.json"])["publications"][50]["name"]
    assert b"Edited" in built["cv/index.html"]


def test_a_title_edited_in_every_feed(big, tmp_path, edit):
    edit(paper_path(big, 0), "title: '", "title: 'Edited ")
    cached_build(big)
    built = assert_same_as_clean(big, tmp_path)
    assert b"Edited" in built["feed.xml"]


def test_a_paper_moved_into_the_feeds_by_its_date(big, tmp_path, edit):
    text = paper_path(big, 60).read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("date: "))
    edit(paper_path(big, 60), old, "date: 2026-01-05")
    cached_build(big)
    built = assert_same_as_clean(big, tmp_path)
    assert json.loads(built["resume.json"])["publications"][0]["releaseDate"] == "2026-01-05"


def test_a_deleted_and_a_renamed_paper(big, tmp_path):
    paper_path(big, 3).unlink()
    paper_path(big, 40).rename(big / "content" / "papers" / "renamed-paper.md")
    cached_build(big)
    built = assert_same_as_clean(big, tmp_path)
    assert "papers/renamed-paper/index.html" in built and "papers/p00040/index.html" not in built


def test_an_added_paper(big, tmp_path):
    paper_path(big, 7).with_name("added.md").write_text(
        "---\ntitle: An Added Paper\nauthors: [Liang Song]\ndate: 2023-05-01\ncategory: CV\n---\nAbstract.\n", encoding="utf-8"
    )
    cached_build(big)
    assert b"An Added Paper" in assert_same_as_clean(big, tmp_path)["cv/index.html"]


@pytest.mark.parametrize(
    "old, new",
    [
        ("feed_limit: 5", "feed_limit: 7"),
        ("title: Liang Song", "title: Liang Song's CV"),
        ("base_url: https://example.org/cv/", "base_url: https://example.com/"),
        ("feed_limit: 5", "feed_limit: 5\nlanguage: zh"),
        ("feed_limit: 5", "feed_limit: 5\nauthor: Wei Zhang"),  # another name highlighted in every citation
    ],
)
def test_site_yaml_edited(big, tmp_path, edit, old, new):
    edit(big / "site.yaml", old, new)
    cached_build(big)
    assert_same_as_clean(big, tmp_path)


def test_the_profile_edited(big, tmp_path, edit):
    edit(big / "content" / "profile.md", "headline: Professor", "headline: Distinguished Professor")
    cached_build(big)
    assert b"Distinguished Professor" in assert_same_as_clean(big, tmp_path)["cv/index.html"]


def test_edits_in_a_row_each_match_a_clean_build(big, tmp_path, edit):
    for i in (5, 6, 5):
        edit(paper_path(big, i), "title: '", f"title: 'Step {i} ")
        cached_build(big)
        assert_same_as_clean(big, tmp_path)


def test_an_edit_remakes_only_that_papers_parts(big, edit, monkeypatch):
    """The joined files are made of the cached parts of every other paper: after one edit, one
    part of each kind is made again (a drift in their keys would remake them all). resume.json
    keeps its parts a block of papers at a time (paper_blocks.py): the edited paper's block is
    made again (two, if the edit moved a block's end), and no other paper's part."""
    from generator import paper_blocks, resume

    monkeypatch.setattr(paper_blocks, "BLOCK", 4)  # the 70 papers in some 17 blocks
    made: list[str] = []
    real = resume._publication
    monkeypatch.setattr(resume, "_publication", lambda entry, base: made.append(entry.paper.source) or real(entry, base))
    edit(paper_path(big, 20), "title: '", "title: 'Edited ")
    site = validate_site(load_site(big))
    memo = Memo()
    with using(memo):
        model = build_model(site)
        resume_json(model)
        cv_pdf.pdf_json(model)
    blocks = paper_blocks.blocks(model.entries)
    assert len(blocks) > 5 and memo.computed["resume"] == len(blocks)  # a fresh memo: every part made
    assert memo.computed["pdf"] == len(made) == PAPERS
    memo.finish()
    edit(paper_path(big, 21), "title: '", "title: 'Edited ")
    made.clear()
    memo.start()
    with using(memo):
        model = build_model(validate_site(load_site(big)))
        resume_json(model)
        cv_pdf.pdf_json(model)
    assert memo.computed["pdf"] == 1 and memo.computed["resume"] in (1, 2)
    assert paper_path(big, 21).relative_to(big).as_posix() in made and len(made) < PAPERS // 3


def test_an_edit_renders_again_only_the_cv_citations_of_its_block(big, tmp_path, edit, monkeypatch):
    """The CV page keeps its citations a block of papers at a time (CachedMacro.many): after an
    edit, the citations of the edited paper's block are rendered again (two blocks, if the edit
    moved a block's end), not every paper's, and the page is what a clean build gives."""
    from generator import paper_blocks, templating

    monkeypatch.setattr(paper_blocks, "BLOCK", 4)  # the 70 papers in some 17 blocks
    edit(paper_path(big, 50), "title: '", "title: 'First ")
    cached_build(big)  # the CV made again: its blocks of 4 made once
    rendered: list[str] = []
    real = templating.CachedMacro._render

    def spy(self, context, entry, *args):
        if self.macro == "citation":
            rendered.append(entry.paper.source)
        return real(self, context, entry, *args)

    monkeypatch.setattr(templating.CachedMacro, "_render", spy)
    edit(paper_path(big, 21), "title: '", "title: 'Edited ")
    cached_build(big)
    assert paper_path(big, 21).relative_to(big).as_posix() in rendered and len(rendered) < PAPERS // 3
    assert b"Edited " in assert_same_as_clean(big, tmp_path)["cv/index.html"]


@pytest.mark.parametrize("papers", [0, 1, PAPERS])
def test_the_joined_json_is_what_one_dump_of_the_whole_gives(tmp_path, papers):
    site = write_big_site(tmp_path / "s", papers) if papers else write_big_site(tmp_path / "s", 1)
    if not papers:
        for path in (site / "content" / "papers").iterdir():
            os.unlink(path)
    model = build_model(validate_site(load_site(site)))
    whole = (json.dumps(resume(model), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert resume_json(model) == whole
    for math in (True, False):
        assert cv_pdf.pdf_json(model, math) == json.dumps(cv_pdf.pdf_data(model, math), ensure_ascii=False, sort_keys=True)


def test_an_edit_with_its_modification_time_put_back_is_built(big, tmp_path):
    """The build cache skips reading files whose stat did not move (filestamps.py): an edit
    whose mtime was restored (as some tools do) still reaches the site."""
    path = paper_path(big, 30)
    before = os.stat(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: '", "title: 'X", 1).replace("venue: CVPR", "venue: CVP", 1), encoding="utf-8")
    assert os.stat(path).st_size == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    cached_build(big)
    assert b"'X" in path.read_bytes()
    assert "X" in json.loads(assert_same_as_clean(big, tmp_path)["resume.json"])["publications"][30]["name"][:1]

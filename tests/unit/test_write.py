"""Writing: all or nothing, never outside the output folder, never over sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import ContentError, UsageError
from generator.pipeline import BuildOptions, build
from generator.write import check_output_dir, write_site


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_build_leaves_previous_output_untouched(example_copy, tmp_path):
    out = tmp_path / "out"
    build(BuildOptions(example_copy, out))
    before = snapshot(out)
    (example_copy / "content/papers/broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    with pytest.raises(ContentError):
        build(BuildOptions(example_copy, out))
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example", "out"]  # no staging left behind


def test_successful_build_removes_pages_of_deleted_papers(example_copy, tmp_path):
    out = tmp_path / "out"
    build(BuildOptions(example_copy, out))
    assert (out / "papers/korgym-a-dynamic-game-platform-for-llm-reasoning/index.html").is_file()
    (example_copy / "content/papers/korgym-a-dynamic-game-platform-for-llm-reasoning.md").unlink()
    build(BuildOptions(example_copy, out))
    assert not (out / "papers/korgym-a-dynamic-game-platform-for-llm-reasoning").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example", "out"]


def test_two_builds_are_byte_identical(example_copy, tmp_path):
    build(BuildOptions(example_copy, tmp_path / "one"))
    build(BuildOptions(example_copy, tmp_path / "two"))
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


@pytest.mark.parametrize("choose", [
    lambda site: site, lambda site: site / "content", lambda site: site / "content" / "out",
    lambda site: site.parent, lambda site: Path("/"), lambda site: site / "templates",
])
def test_refuses_output_folders_that_would_destroy_sources(example_copy, choose):
    with pytest.raises(UsageError):
        check_output_dir(choose(example_copy), example_copy)


def test_refuses_home_folder(example_copy, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(UsageError):
        check_output_dir(home, example_copy)


def test_refuses_a_non_empty_folder_it_did_not_make(example_copy, tmp_path):
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    with pytest.raises(UsageError, match="not made by cvsite"):
        check_output_dir(mine, example_copy)
    assert (mine / "thesis.tex").read_text() == "precious"


def test_output_paths_cannot_escape_the_output_folder(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ValueError):
        write_site(out, {"../escaped.html": b"x"}, {})
    assert not (tmp_path / "escaped.html").exists()
    assert not out.exists() and list(tmp_path.iterdir()) == []

"""The build cache in .cvsite-cache/: a cached build gives byte for byte what a clean build gives,
whatever changed between builds, and a cache that cannot be trusted is discarded with a note."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import memo
from generator.cli import main
from tests.conftest import REPO

PAPER = "content/papers/prototype-rectification-for-few-shot-learning.md"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cached_build(site: Path, capsys=None) -> str:
    """A cached `cvsite build`; returns what it printed on stderr (notes)."""
    assert main(["build", "--site", str(site)]) == 0
    return capsys.readouterr().err if capsys else ""


def assert_same_as_clean(site: Path, tmp_path: Path) -> dict[str, bytes]:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    assert main(["build", "--site", str(site), "--output", str(clean), "--no-cache"]) == 0
    built = tree(site / "output")
    assert built == tree(clean)
    return built


@pytest.fixture
def site(example_copy):
    cached_build(example_copy)
    assert (example_copy / ".cvsite-cache" / memo.CACHE_FILE).is_file()
    return example_copy


def test_a_second_build_writes_nothing_and_matches_a_clean_one(site, tmp_path):
    before = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*") if p.is_file()}
    cached_build(site)
    after = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*") if p.is_file()}
    assert after == before  # not one page written again
    assert_same_as_clean(site, tmp_path)


def test_a_build_from_nothing_leaves_what_spares_the_next_one_reading_records(example_copy, tmp_path, monkeypatch):
    """A first build takes the records' digests as it loads them (it reads each once) and keeps
    their stamps: the build after it, nothing changed, reads no record and renders nothing."""
    from generator import filestamps, pipeline

    made = filestamps.stamps_of
    # as if the site had been written seconds before the build (a file written in the second a
    # table is made is read again next time: filestamps.py)
    monkeypatch.setattr(filestamps, "stamps_of", lambda root, found, taken: made(root, found, taken + 3 * 10**9))
    reads: list[str] = []
    sha = filestamps.file_sha256
    monkeypatch.setattr(filestamps, "file_sha256", lambda path: reads.append(path) or sha(path))
    first = pipeline.build(pipeline.BuildOptions(example_copy))
    assert reads == []  # the first build took every digest as it loaded the records
    second = pipeline.build(pipeline.BuildOptions(example_copy))
    assert reads == [] and second.rendered == 0 and second.pages == first.pages
    assert_same_as_clean(example_copy, tmp_path)


def test_editing_a_paper(site, tmp_path, edit):
    edit(site / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    parts = {p.name: p.stat().st_mtime_ns for p in (site / ".cvsite-cache").glob("store-*")}
    cached_build(site)
    rewritten = [name for name, mtime in parts.items() if (site / ".cvsite-cache" / name).stat().st_mtime_ns != mtime]
    assert 0 < len(rewritten) < len(parts) / 2  # only the parts of the store holding what changed
    built = assert_same_as_clean(site, tmp_path)
    assert b"Prototype Rectification Revisited" in built["index.html"]


def test_after_a_title_edit_only_the_title_is_rendered_again(example_copy, tmp_path, monkeypatch, edit):
    """Abstracts (and the bio) are kept under their own text, those made by workers too: a build
    after a title edit renders the new title and nothing else of the record's text."""
    from generator import model, parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "cores", lambda: 2)  # the entries of the first build are made by workers
    cached_build(example_copy)
    edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    rendered: list[str] = []
    render = model.render_noted
    monkeypatch.setattr(model, "render_noted", lambda source, *args, **kw: rendered.append(source) or render(source, *args, **kw))
    cached_build(example_copy)
    assert rendered == ["Prototype Rectification Revisited for Few-Shot Learning"]
    built = assert_same_as_clean(example_copy, tmp_path)
    assert b"Prototype Rectification Revisited" in built["papers/prototype-rectification-for-few-shot-learning/index.html"]


def test_editing_the_profile(site, tmp_path, edit):
    edit(site / "content/profile.md", "name: Liang Song", "name: L. Song")
    cached_build(site)
    assert b"L. Song" in assert_same_as_clean(site, tmp_path)["papers/prototype-rectification-for-few-shot-learning/index.html"]


def test_editing_site_yaml(site, tmp_path):
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "cname: cv.example.org\n", encoding="utf-8")
    cached_build(site)
    assert assert_same_as_clean(site, tmp_path)["CNAME"] == b"cv.example.org\n"


def test_adding_changing_and_removing_a_static_file(site, tmp_path):
    # not cv.pdf: cvsite generates that one when the site has none of its own
    (site / "static").mkdir()
    (site / "static" / "talk.pdf").write_bytes(b"%PDF one")
    cached_build(site)
    assert assert_same_as_clean(site, tmp_path)["talk.pdf"] == b"%PDF one"
    (site / "static" / "talk.pdf").write_bytes(b"%PDF two")
    cached_build(site)
    assert assert_same_as_clean(site, tmp_path)["talk.pdf"] == b"%PDF two"
    (site / "static" / "talk.pdf").unlink()
    cached_build(site)
    assert "talk.pdf" not in assert_same_as_clean(site, tmp_path)


def test_a_site_template(site, tmp_path):
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text("{% extends 'builtin/404.html' %}{% block title %}Lost{% endblock %}")
    cached_build(site)
    assert b"<title>Lost</title>" in assert_same_as_clean(site, tmp_path)["404.html"]


def test_a_listing_override_that_shows_the_profile_headline(site, tmp_path):
    builtin = (REPO / "templates/partials/papers.html").read_text(encoding="utf-8")
    (site / "templates/partials").mkdir(parents=True)
    (site / "templates/partials/papers.html").write_text(
        builtin.replace('<article class="paper">', '<article class="paper"><p class="by">{{ profile.headline }}</p>')
    )
    profile = site / "content/profile.md"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("name: Liang Song\n", "name: Liang Song\nheadline: Tinkerer\n"), encoding="utf-8")
    cached_build(site)
    profile.write_text(text.replace("name: Liang Song\n", "name: Liang Song\nheadline: Keeper of Engines\n"), encoding="utf-8")
    cached_build(site)
    home = assert_same_as_clean(site, tmp_path)["index.html"].decode()
    assert '<p class="by">Keeper of Engines</p>' in home and "Tinkerer" not in home


def test_deleting_and_renaming_papers(site, tmp_path):
    (site / "content/papers/korgym-a-dynamic-game-platform-for-llm-reasoning.md").unlink()
    (site / PAPER).rename(site / "content/papers/renamed.md")
    cached_build(site)
    built = assert_same_as_clean(site, tmp_path)
    assert "papers/renamed/index.html" in built
    assert not any("korgym" in rel or "prototype-rectification" in rel for rel in built)
    assert not (site / "output/papers/korgym-a-dynamic-game-platform-for-llm-reasoning").exists()


def test_a_page_changed_by_hand_in_the_output_is_written_again(site, tmp_path):
    (site / "output/index.html").write_text("scribbled")
    cached_build(site)
    assert_same_as_clean(site, tmp_path)


def test_a_cache_from_another_cvsite_version_is_discarded(site, tmp_path, edit, monkeypatch, capsys):
    edit(site / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    monkeypatch.setattr(memo, "__version__", "0.0.0-other")
    note = cached_build(site, capsys)
    assert "another cvsite version" in note and note.count("\n") == 1
    assert_same_as_clean(site, tmp_path)


@pytest.mark.parametrize("name", [memo.CACHE_FILE, memo.STORE_FILE])
@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_damaged_cache_is_discarded_with_a_note(site, tmp_path, edit, capsys, damage, name):
    cache = site / ".cvsite-cache" / name
    blob = cache.read_bytes()
    cache.write_bytes({"truncated": blob[: len(blob) // 2], "garbage": os.urandom(len(blob)), "empty": b""}[damage])
    edit(site / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    note = cached_build(site, capsys)
    assert note.startswith("cvsite: note:") and note.count("\n") == 1
    assert_same_as_clean(site, tmp_path)
    assert cached_build(site, capsys) == ""  # the cache written instead is good


def test_a_cache_signed_by_another_user_is_never_unpickled(site, tmp_path, monkeypatch, capsys):
    cache = site / ".cvsite-cache" / memo.CACHE_FILE
    blob = cache.read_bytes()
    # the same bytes, but a payload that would run code if it were unpickled
    evil = blob[: len(memo.MAGIC) + 32] + b"cos\nsystem\n(S'touch pwned'\ntR."
    cache.write_bytes(evil)
    monkeypatch.chdir(tmp_path)
    assert "cvsite: note:" in cached_build(site, capsys)
    assert not (tmp_path / "pwned").exists()


def test_no_cache_neither_reads_nor_writes_it(example_copy, tmp_path, capsys):
    assert main(["build", "--site", str(example_copy), "--no-cache"]) == 0
    assert not (example_copy / ".cvsite-cache").exists()
    cached_build(example_copy)
    (example_copy / ".cvsite-cache" / memo.CACHE_FILE).write_bytes(b"junk")
    assert main(["build", "--site", str(example_copy), "--no-cache"]) == 0
    assert "note" not in capsys.readouterr().err
    assert (example_copy / ".cvsite-cache" / memo.CACHE_FILE).read_bytes() == b"junk"


def test_two_builds_at_once_leave_a_good_site_and_cache(site, tmp_path, edit):
    edit(site / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "generator", "build", "--site", str(site)]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    assert all("note" not in err for _, err in results)
    assert_same_as_clean(site, tmp_path)
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "note" not in run.stderr  # the cache left behind is whole
    assert_same_as_clean(site, tmp_path)


def test_a_build_run_inside_a_program_leaves_nothing_behind(example_copy, tmp_path, edit):
    """A build freezes what its stages made, so that no collection walks it again; a program that
    builds (a test run, a script) gets it all back afterwards, after a failed build too."""
    import gc
    import weakref

    from generator import model as model_stage
    from generator.errors import ContentError
    from generator.pipeline import BuildOptions, build

    frozen, models = [], []
    real_freeze, real_model = gc.freeze, model_stage.build_model

    def build_model(*args, **kwargs):
        made = real_model(*args, **kwargs)
        models.append(weakref.ref(made))
        return made

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gc, "freeze", lambda: frozen.append(1) or real_freeze())
        patch.setattr(model_stage, "build_model", build_model)
        build(BuildOptions(example_copy, tmp_path / "out", cache=False))
        assert frozen and gc.get_freeze_count() == 0
        gc.collect()
        assert models and models[0]() is None  # nothing keeps the site's model once the build is done
        edit(example_copy / PAPER, "title: Prototype Rectification", "title: [Prototype Rectification")
        with pytest.raises(ContentError):
            build(BuildOptions(example_copy, tmp_path / "out"))
    assert gc.get_freeze_count() == 0


def test_parallel_and_serial_builds_give_the_same_bytes(example_copy, tmp_path, monkeypatch, edit):
    from generator import parallel
    from generator.pipeline import BuildOptions, build

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)  # the example site is small: fork anyway
    build(BuildOptions(example_copy, tmp_path / "serial", cache=False, jobs=1))
    build(BuildOptions(example_copy, tmp_path / "parallel", jobs=2))
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
    edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    (example_copy / "templates").mkdir()
    (example_copy / "templates" / "paper.html").write_text(  # every paper page changes: all in workers
        "{% extends 'builtin/paper.html' %}{% block title %}Paper: {{ super() }}{% endblock %}"
    )
    build(BuildOptions(example_copy, tmp_path / "serial", cache=False, jobs=1))
    build(BuildOptions(example_copy, tmp_path / "parallel", jobs=2))  # cached: in place
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
    assert b"Prototype Rectification Revisited" in tree(tmp_path / "parallel")["index.html"]


def test_a_template_error_in_a_paper_page_rendered_by_a_worker_changes_nothing(example_copy, tmp_path, monkeypatch):
    from generator import parallel
    from generator.errors import ContentError
    from generator.pipeline import BuildOptions, build

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    out = tmp_path / "out"
    build(BuildOptions(example_copy, out, jobs=2))
    before = tree(out)
    (example_copy / "templates").mkdir()
    (example_copy / "templates" / "paper.html").write_text("{% extends 'builtin/paper.html' %}{% block title %}{{ nope.x }}{% endblock %}")
    with pytest.raises(ContentError) as error:
        build(BuildOptions(example_copy, out, jobs=2))
    assert "nope" in str(error.value)
    assert tree(out) == before


def test_a_build_failing_in_a_worker_after_saving_the_store_leaves_a_cache_the_next_build_can_trust(
    site, tmp_path, monkeypatch, edit, capsys
):
    """The store is saved while the workers render the paper pages: one failing then stops the
    build with the store already written. The build after the fix is still a clean build's twin."""
    from generator import parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    edit(site / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    parts = {p.name: p.stat().st_mtime_ns for p in (site / ".cvsite-cache").glob("store-*")}
    (site / "templates").mkdir()
    (site / "templates" / "paper.html").write_text("{% extends 'builtin/paper.html' %}{% block title %}{{ nope.x }}{% endblock %}")
    assert main(["build", "--site", str(site)]) != 0
    assert "nope" in capsys.readouterr().err
    assert any((site / ".cvsite-cache" / name).stat().st_mtime_ns != mtime for name, mtime in parts.items())  # saved meanwhile
    shutil.rmtree(site / "templates")
    cached_build(site)
    built = assert_same_as_clean(site, tmp_path)
    assert b"Prototype Rectification Revisited" in built["papers/prototype-rectification-for-few-shot-learning/index.html"]


def test_pages_made_again_with_the_same_bytes_are_not_written_again(site, tmp_path, edit):
    # a comment changes the record's bytes, so every page showing it is rendered again, to the same bytes
    edit(site / PAPER, "title: Prototype Rectification", "# a note to self\ntitle: Prototype Rectification")
    before = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*") if p.is_file()}
    cached_build(site)
    after = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*") if p.is_file()}
    rewritten = {p.relative_to(site / "output").as_posix() for p in before if after[p] != before[p]}
    assert not {rel for rel in rewritten if not rel.startswith("papers/")}  # index, CV, bibliographies, search left alone
    assert_same_as_clean(site, tmp_path)


def test_pages_workers_make_again_with_the_same_bytes_are_not_written_again(example_copy, tmp_path, monkeypatch, edit):
    from generator import parallel
    from generator.pipeline import BuildOptions, build

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)  # the paper and listing pages go to forked workers
    out = tmp_path / "out"
    build(BuildOptions(example_copy, out, jobs=2))
    edit(example_copy / PAPER, "title: Prototype Rectification", "# a note to self\ntitle: Prototype Rectification")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != ".cvsite-manifest.json"}
    build(BuildOptions(example_copy, out, jobs=2))
    assert {p for p in before if p.stat().st_mtime_ns != before[p]} == set()  # its paper page and listings too
    assert not list(out.rglob("*.cvsite-tmp"))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_paper_page_that_cannot_be_written_is_an_io_error_not_a_template_one(example_copy, tmp_path, monkeypatch, jobs):
    import errno

    from generator import parallel, write
    from generator.pipeline import BuildOptions, build

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)  # with 2 jobs, paper pages are written by workers
    real = write.write_file

    def full(folder, rel, data, beside=False):
        if rel.startswith("papers/") and rel.endswith("/index.html"):
            raise OSError(errno.ENOSPC, "No space left on device", str(folder / rel))
        return real(folder, rel, data, beside)

    monkeypatch.setattr(write, "write_file", full)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="No space left on device"):  # the CLI's one-line I/O error, exit 3
        build(BuildOptions(example_copy, out, cache=False, jobs=jobs))
    assert not out.exists()


def test_a_worker_killed_midway_stops_the_build_with_one_line_and_changes_nothing(example_copy, tmp_path, monkeypatch, capsys):
    """The out-of-memory killer may end a worker: the build must say so and stop, never wait for it for ever."""
    import signal

    from generator import parallel, render

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    out = tmp_path / "out"
    assert main(["build", "--site", str(example_copy), "--output", str(out)]) == 0
    before = tree(out)
    edit_all = example_copy / "templates"
    edit_all.mkdir()
    (edit_all / "paper.html").write_text("{% extends 'builtin/paper.html' %}{% block title %}Paper: {{ super() }}{% endblock %}")
    parent, pieces = os.getpid(), render.page_pieces

    def killed(page, model, env, *previous):
        if page.kind == "paper" and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return pieces(page, model, env, *previous)

    monkeypatch.setattr(render, "page_pieces", killed)
    assert main(["build", "--site", str(example_copy), "--output", str(out)]) == 3
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "worker process died" in error and "Traceback" not in error, error
    assert tree(out) == before
    assert not list(tmp_path.glob(".out*")) and not list(out.rglob("*.cvsite-tmp"))


@pytest.mark.parametrize("cached", [False, True])
def test_a_template_error_in_a_page_rendered_while_writing_changes_nothing(example_copy, tmp_path, cached):
    from generator.errors import ContentError
    from generator.pipeline import BuildOptions, build

    out = tmp_path / "out"
    build(BuildOptions(example_copy, out, cache=cached))
    before = tree(out)
    (example_copy / "templates").mkdir()
    (example_copy / "templates" / "cv.html").write_text("{% extends 'builtin/cv.html' %}{% block title %}{{ nope.x }}{% endblock %}")
    with pytest.raises(ContentError) as error:
        build(BuildOptions(example_copy, out, cache=cached))
    assert "templates/cv.html:1" in str(error.value) and "nope" in str(error.value)
    assert tree(out) == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".cvsite-tmp")]


def test_pages_written_piece_by_piece_equal_the_pages_rendered_whole(example_copy, tmp_path):
    # a build writes the files of every paper's text (bibliographies, resume.json) in pieces;
    # the preview renders each page whole: both give the same bytes
    from generator.pipeline import BuildOptions, build, render_site

    build(BuildOptions(example_copy, tmp_path / "out", cache=False))
    built = tree(tmp_path / "out")
    whole = render_site(BuildOptions(example_copy, tmp_path / "out")).files
    for rel in ("papers.bib", "papers.json", "papers.ris", "resume.json", "index.html", "cv/index.html"):
        assert built[rel] == whole[rel]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(("code", "message"), [("{{ 1 + page.url }}", "unsupported operand"), ("{{ nope.x }}", "'nope' is undefined")])
def test_an_error_in_a_paper_page_template_is_located_at_its_line(example_copy, tmp_path, monkeypatch, jobs, code, message):
    # a paper page failing, rendered in a worker or in this process: one error at the template's
    # line, as for any other page (a template's own code failing too, not only a Jinja error),
    # and the site left as it was
    from generator import parallel
    from generator.errors import ContentError
    from generator.pipeline import BuildOptions, build

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    out = tmp_path / "out"
    build(BuildOptions(example_copy, out, jobs=jobs))
    before = tree(out)
    (example_copy / "templates").mkdir()
    (example_copy / "templates" / "paper.html").write_text(
        "{% extends 'builtin/paper.html' %}{% block title %}\n" + code + "{% endblock %}"
    )
    with pytest.raises(ContentError) as error:
        build(BuildOptions(example_copy, out, jobs=jobs))
    assert str(error.value).startswith(f"templates/paper.html:2: template: {message}")
    assert tree(out) == before


@pytest.mark.parametrize("cached", [False, True])
def test_a_file_whose_pieces_fail_midway_leaves_no_half_file(example_copy, tmp_path, monkeypatch, edit, cached):
    # papers.ris is written as its pieces come: the pieces failing after the first leave the old
    # file whole (fresh: the old site; in place: the file beside it removed), and the next build repairs
    from generator import bibliography
    from generator.pipeline import BuildOptions, build

    out = tmp_path / "out"
    build(BuildOptions(example_copy, out, cache=cached))
    before = tree(out)
    edit(example_copy / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    joined_file = bibliography.joined_file

    def failing(kind, exports, *rest):
        if kind != "ris":
            return joined_file(kind, exports, *rest)

        def pieces():
            yield exports[0].ris.encode("utf-8")
            raise RuntimeError("the second piece failed")

        return pieces()

    with monkeypatch.context() as patch:
        patch.setattr(bibliography, "joined_file", failing)
        with pytest.raises(RuntimeError):
            build(BuildOptions(example_copy, out, cache=cached))
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example", "out"]
    build(BuildOptions(example_copy, out, cache=cached))
    clean = tmp_path / "clean"
    build(BuildOptions(example_copy, clean, cache=False))
    assert tree(out) == tree(clean)


def test_a_page_that_cannot_be_moved_in_leaves_no_temporary_file_in_the_output(site, tmp_path, edit):
    # the pages made during the write wait beside their places; one of them cannot take its place
    # (a folder where the home page was): an error, every file whole, none of them left beside
    edit(site / PAPER, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    out = site / "output"
    (out / "index.html").unlink()
    (out / "index.html").mkdir()
    (out / "index.html" / "note.txt").write_text("in the way")
    before = tree(out)
    assert main(["build", "--site", str(site)]) == 3  # an I/O error
    assert not [p for p in out.rglob("*") if p.name.endswith(".cvsite-tmp")]
    after = tree(out)
    assert set(after) == set(before)
    shutil.rmtree(out / "index.html")
    cached_build(site)
    assert_same_as_clean(site, tmp_path)

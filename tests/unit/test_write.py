"""Writing: all or nothing, never outside the output folder, never over sources."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from generator.errors import ContentError, UsageError
from generator.pipeline import BuildOptions, build
from generator.write import check_output_dir, recover, write_site


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


@pytest.mark.parametrize(
    "choose",
    [
        lambda site: site,
        lambda site: site / "content",
        lambda site: site / "content" / "out",
        lambda site: site.parent,
        lambda site: Path("/"),
        lambda site: site / "templates",
    ],
)
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


def test_a_failure_while_writing_leaves_the_previous_output_and_no_staging(tmp_path):
    out = tmp_path / "out"
    write_site(out, {"index.html": b"old", "papers/a/index.html": b"A"}, {})
    before = snapshot(out)
    with pytest.raises(OSError):
        write_site(out, {"index.html": b"new"}, {"photo.jpg": tmp_path / "no-such-file.jpg"})
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_build_writes_nothing_outside_its_output_folder(example_copy, tmp_path):
    sources = snapshot(example_copy)
    out = tmp_path / "deep" / "out"
    build(BuildOptions(example_copy, out))
    build(BuildOptions(example_copy, out))  # a rebuild swaps folders beside it
    assert [p.name for p in (tmp_path / "deep").iterdir()] == ["out"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "example"]
    # the sources are untouched; the one thing added to the site is its build cache
    cache = {rel for rel in snapshot(example_copy) if rel.startswith(".cvsite-cache/")}
    assert {rel: data for rel, data in snapshot(example_copy).items() if rel not in cache} == sources
    build(BuildOptions(example_copy, tmp_path / "other", cache=False))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "example", "other"]


def test_the_default_output_folder_is_inside_the_site(example_copy):
    build(BuildOptions(example_copy))
    assert (example_copy / "output" / "index.html").is_file()
    assert sorted(p.name for p in example_copy.iterdir()) == [".cvsite-cache", "content", "output", "site.yaml"]


def test_a_folder_cvsite_made_is_rebuilt_whole(tmp_path):
    out = tmp_path / "out"
    write_site(out, {"index.html": b"1", "papers/gone/index.html": b"x"}, {})
    (out / "papers" / "stray.txt").write_text("left by hand")
    assert check_output_dir(out, tmp_path / "site") == out.resolve()
    write_site(out, {"index.html": b"2"}, {})
    assert snapshot(out).keys() == {"index.html", ".cvsite-manifest.json"}


@pytest.mark.parametrize("levels", [1, 2, 3])
def test_refuses_every_ancestor_of_the_site(example_copy, levels):
    ancestor = example_copy
    for _ in range(levels):
        ancestor = ancestor.parent
    with pytest.raises(UsageError, match="holds the site"):
        check_output_dir(ancestor, example_copy)


def test_refuses_a_file_and_symlinked_sources(example_copy, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(UsageError):
        check_output_dir(tmp_path / "file.txt", example_copy)
    link = tmp_path / "link-to-content"
    link.symlink_to(example_copy / "content")
    with pytest.raises(UsageError):
        check_output_dir(link, example_copy)
    with pytest.raises(UsageError):
        check_output_dir(example_copy / "static" / "out", example_copy)


def test_refused_output_is_refused_before_anything_is_written(example_copy, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(UsageError, match="home"):
        build(BuildOptions(example_copy, home))
    assert [p.name for p in home.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example", "home"]


def test_builds_are_byte_identical_wherever_the_site_and_output_live(example_copy, tmp_path):
    import shutil

    other = tmp_path / "elsewhere" / "site"
    shutil.copytree(example_copy, other)
    build(BuildOptions(example_copy, tmp_path / "one"))
    build(BuildOptions(other, tmp_path / "deeper" / "two"))
    build(BuildOptions(example_copy, tmp_path / "one"))  # a rebuild over the first
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "deeper" / "two")
    assert len(one) > 40 and one == two


def test_deleting_the_last_paper_of_a_category_and_year_removes_their_pages(make_site, tmp_path):
    paper = "---\ntitle: {t}\nauthors: [A]\ndate: {d}\ncategory: {c}\n---\n"
    root = make_site(
        {"content/papers/a.md": paper.format(t="A", d="2020", c="CV"), "content/papers/b.md": paper.format(t="B", d="2024", c="DC")}
    )
    out = tmp_path / "out"
    build(BuildOptions(root, out))
    assert {"papers/b/index.html", "categories/dc/index.html", "years/2024/index.html"} <= snapshot(out).keys()
    (root / "content/papers/b.md").unlink()
    build(BuildOptions(root, out))
    left = {rel for rel in snapshot(out) if rel.endswith(".html")}
    assert left == {
        "index.html",
        "404.html",
        "categories/index.html",
        "years/index.html",
        "cv/index.html",
        "search/index.html",
        "papers/a/index.html",
        "categories/cv/index.html",
        "years/2020/index.html",
    }


def test_a_git_folder_inside_the_output_survives_builds(example_copy, tmp_path):
    out = tmp_path / "out"
    build(BuildOptions(example_copy, out))
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    build(BuildOptions(example_copy, out))
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (out / "index.html").is_file()


def _as_mount_point(monkeypatch, out: Path) -> None:
    """Make out look like a mount point (a container volume) without mounting anything."""
    import os.path

    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == out or real(p))


def test_a_mount_point_output_is_filled_in_place_and_its_git_kept(tmp_path, monkeypatch):
    out = tmp_path / "volume"
    out.mkdir()
    _as_mount_point(monkeypatch, out)
    write_site(out, {"index.html": b"one", "papers/a/index.html": b"A"}, {})
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    inode = out.stat().st_ino
    write_site(out, {"index.html": b"two", "papers/b/index.html": b"B"}, {})
    assert out.stat().st_ino == inode  # the same folder: never renamed
    files = snapshot(out)
    assert files.pop(".git/HEAD") == b"ref: refs/heads/gh-pages\n"
    assert files.pop(".cvsite-manifest.json")
    assert files == {"index.html": b"two", "papers/b/index.html": b"B"}
    assert [p.name for p in tmp_path.iterdir()] == ["volume"]


@pytest.mark.parametrize("killed_at", [1, 2, 3, 4, 5])
def test_a_kill_while_filling_a_mount_point_is_completed_by_the_next_build(tmp_path, monkeypatch, killed_at):
    import os

    out = tmp_path / "volume"
    out.mkdir()
    _as_mount_point(monkeypatch, out)
    old = {"index.html": b"old", "papers/a/index.html": b"A", "about.txt": b"old"}
    new = {"index.html": b"new", "papers/b/index.html": b"B"}
    write_site(out, old, {})
    real_rename, calls = os.rename, []

    def dying_rename(src, dst):  # the build is killed at its n-th move
        calls.append(src)
        if len(calls) == killed_at:
            raise KeyboardInterrupt
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", dying_rename)
    with pytest.raises(KeyboardInterrupt):
        write_site(out, new, {})
    monkeypatch.setattr(os, "rename", real_rename)
    recover(out)  # what the next build does first: the killed replacement is finished
    files = snapshot(out)
    files.pop(".cvsite-manifest.json")
    assert files == new
    assert sorted(p.name for p in out.iterdir()) == [".cvsite-manifest.json", "index.html", "papers"]


MANY = {f"papers/p{i:03}/index.html": f"<p>{i}</p>".encode() for i in range(300)}  # enough for threads


def use_threads(monkeypatch, threaded: bool) -> None:
    """Many file operations in threads (whatever the file system's speed), or all in turn."""
    from generator import write

    monkeypatch.setattr(write, "THREADED", 1 if threaded else 10**9)
    monkeypatch.setattr(write, "FAST_CALL", 0 if threaded else 1.0)


@pytest.mark.parametrize("threaded", [False, True])
def test_many_files_written_in_threads_or_in_turn_give_the_same_site(tmp_path, monkeypatch, threaded):
    from generator.write import update_site

    use_threads(monkeypatch, threaded)
    out = tmp_path / "out"
    state = write_site(out, MANY, {})
    assert snapshot(out) == {**MANY, ".cvsite-manifest.json": snapshot(out)[".cvsite-manifest.json"]}
    edited = {rel: data + b"!" for rel, data in MANY.items()}
    digests = {rel: hashlib.sha256(data).hexdigest() for rel, data in edited.items()}
    update_site(out, edited, digests, {}, state)
    assert {rel: data for rel, data in snapshot(out).items() if rel in MANY} == edited


@pytest.mark.parametrize("threaded", [False, True])
def test_a_write_failing_among_many_leaves_each_file_whole_and_no_temporary_file(tmp_path, monkeypatch, threaded):
    from generator import write
    from generator.write import update_site

    use_threads(monkeypatch, threaded)
    out = tmp_path / "out"
    state = write_site(out, MANY, {})
    before = snapshot(out)
    real = write._write_file

    def failing(path, data, sha=None):
        if "p150" in str(path):
            raise OSError(28, "No space left on device", str(path))
        return real(path, data, sha)

    monkeypatch.setattr(write, "_write_file", failing)
    edited = {rel: data + b"!" for rel, data in MANY.items()}
    with pytest.raises(OSError):  # a whole new site: the old one stays as it was
        write_site(out, edited, {})
    assert snapshot(out) == before and [p.name for p in tmp_path.iterdir()] == ["out"]
    digests = {rel: hashlib.sha256(data).hexdigest() for rel, data in edited.items()}
    with pytest.raises(OSError):  # in place: every file old or new, none half written
        update_site(out, edited, digests, {}, state)
    after = snapshot(out)
    assert all(after[rel] in (MANY[rel], edited[rel]) for rel in MANY)
    assert set(after) == set(before) and after["papers/p150/index.html"] == MANY["papers/p150/index.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("piece", [2, 2048])
def test_the_manifest_lists_every_file_with_its_sha256_as_sorted_json(tmp_path, monkeypatch, piece):
    # as json.dumps(indent=0, sort_keys=True) writes it, whatever the names (quotes, backslashes,
    # letters beyond ASCII, a line separator), after a fresh build and after an update in place,
    # made in pieces of any number of files
    import json

    from generator import write
    from generator.write import update_site

    monkeypatch.setattr(write, "MANIFEST_PIECE", piece)

    def listed(out: Path) -> dict[str, str]:
        text = (out / ".cvsite-manifest.json").read_text("utf-8")
        files = {rel: hashlib.sha256(data).hexdigest() for rel, data in snapshot(out).items() if rel != ".cvsite-manifest.json"}
        assert text == json.dumps(files, indent=0, sort_keys=True) + "\n"
        return json.loads(text)

    out = tmp_path / "out"
    files = {"index.html": b"home", "papers/\u00e9t\u00e9/index.html": b"\xc3\xa9", 'say "hi"\\.txt': b"", "a\u2028b/\U0001f600.txt": b"x"}
    state = write_site(out, files, {})
    assert listed(out).keys() == files.keys()
    edited = {"index.html": b"home again", "papers/new/index.html": b"new"}
    digests = {rel: hashlib.sha256(data).hexdigest() for rel, data in edited.items()}
    state = update_site(out, edited, digests, {}, state)
    assert listed(out).keys() == edited.keys()
    manifest = out / ".cvsite-manifest.json"
    written = manifest.stat().st_mtime_ns
    update_site(out, edited, digests, {}, state)  # nothing changed: the manifest is left as it is
    assert manifest.stat().st_mtime_ns == written and not list(out.glob(".*cvsite-tmp"))
    write_site(tmp_path / "empty", {}, {})
    assert (tmp_path / "empty" / ".cvsite-manifest.json").read_text() == "{}\n"


def test_a_file_written_in_pieces_holds_them_all_and_is_listed_by_their_hash(tmp_path, monkeypatch):
    # pieces are joined into runs before they are written: across runs of 10 bytes, pieces
    # shorter and longer than a run, and empty ones, come out whole and in order
    from generator import write

    monkeypatch.setattr(write, "RUN", 10)
    pieces = [b"a", b"", b"bcdefghij", b"k" * 25, b"l", b"m", b"", b"nopqrstuvwxyz" * 3]
    state = write.write_file(tmp_path, "big.txt", iter(pieces))
    whole = b"".join(pieces)
    assert (tmp_path / "big.txt").read_bytes() == whole
    assert state[:2] == (hashlib.sha256(whole).hexdigest(), len(whole))
    assert write.write_file(tmp_path, "none.txt", iter([]))[:2] == (hashlib.sha256(b"").hexdigest(), 0)
    assert (tmp_path / "none.txt").read_bytes() == b""


@pytest.mark.parametrize("slow", [False, True])
def test_many_file_operations_go_to_threads_only_where_each_is_slow(monkeypatch, slow):
    """On tmpfs or a fast SSD a file operation takes microseconds and threads only add their
    cost; on a disk they overlap its latency. The first operations, made in turn, decide."""
    import threading

    from generator import write

    monkeypatch.setattr(write, "FAST_CALL", 0 if slow else 1.0)  # how slow the first calls look
    callers: list[int] = []
    results = write._each(lambda i: callers.append(threading.get_ident()) or i * 2, range(1000))
    assert results == [i * 2 for i in range(1000)]  # in order either way
    here = threading.get_ident()
    assert callers[: write.PROBE] == [here] * write.PROBE
    assert (set(callers[write.PROBE :]) - {here} != set()) is slow

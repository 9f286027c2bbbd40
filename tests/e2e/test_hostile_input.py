"""Inputs that must not publish what is outside the site, hang a build or blow it up: each case
reproduced as the hardening probe found it, through the real command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest
from lxml import etree

from tests.conftest import PAPER
from tests.e2e.test_cli import ENV, LOCATED, snapshot

SECRET = "root:x:0:0:top secret line\n"


@pytest.fixture
def secret_file(tmp_path) -> Path:
    """A file outside the site, standing for /etc/passwd."""
    path = tmp_path / "outside" / "passwd"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


def build(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site", str(root), *args],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def located(stderr: str) -> list[tuple[str, str, str]]:
    """(path, field, message) of every located line; every line but the count must be located."""
    lines = [line for line in stderr.splitlines() if not line.startswith("cvsite: ")]
    assert lines and all(LOCATED.match(line) for line in lines), stderr
    return [(m["path"], m["field"], m["message"]) for m in map(LOCATED.match, lines)]


def published(output: Path) -> str:
    return "".join(p.read_text("utf-8", "replace") for p in output.rglob("*") if p.is_file())


# 1. symlinks leading out of the site


@pytest.mark.parametrize("folder", ["static", "content/papers", "templates", "themes/mine/static"])
def test_a_symlink_leading_out_of_the_site_is_refused(make_site, secret_file, folder):
    root = make_site({"content/papers/p.md": PAPER})
    (root / folder).mkdir(parents=True, exist_ok=True)
    (root / folder / "passwd.md").symlink_to(secret_file)
    result = build(root)
    assert result.returncode == 1
    assert (f"{folder}/passwd.md", "file") in [(p, f) for p, f, _ in located(result.stderr)]
    assert "leads outside the site folder" in result.stderr
    assert not (root / "output").exists()


def test_a_symlinked_folder_leading_out_is_refused(make_site, secret_file):
    root = make_site({"content/papers/p.md": PAPER})
    (root / "static").mkdir()
    (root / "static" / "etc").symlink_to(secret_file.parent, target_is_directory=True)
    result = build(root)
    assert result.returncode == 1 and "static/etc" in result.stderr


def test_a_symlink_inside_the_site_is_fine(make_site):
    root = make_site({"content/papers/p.md": PAPER, "files/cv.pdf": "%PDF-1.4 cv"})
    (root / "static").mkdir()
    (root / "static" / "cv.pdf").symlink_to(root / "files" / "cv.pdf")
    (root / "static" / "rel.pdf").symlink_to("../files/cv.pdf")
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert (root / "output" / "cv.pdf").read_text() == "%PDF-1.4 cv" == (root / "output" / "rel.pdf").read_text()


def test_the_preview_refuses_a_symlink_leading_out(serve, example_copy, secret_file):
    (example_copy / "static").mkdir()
    (example_copy / "static" / "passwd.txt").symlink_to(secret_file)
    server = serve()
    status = server.status()
    assert any("static/passwd.txt:1: file: symbolic link leads outside" in e for e in status["errors"])
    code, _, body = server.get("/passwd.txt")
    assert SECRET not in body and code in (404, 503)


# 2. hidden files and folders


def test_hidden_files_and_folders_are_not_published_but_well_known_is(make_site):
    token = "https://user:ghp_secret_token@github.com/me/cv.git"
    root = make_site(
        {
            "content/papers/p.md": PAPER,
            "static/.git/config": f'[remote "origin"]\n\turl = {token}\n',
            "static/.env": "TOKEN=1",
            "static/docs/.hidden/x.txt": "hidden",
            "static/docs/.DS_Store": "junk",
            "static/docs/visible.txt": "shown",
            "static/.well-known/security.txt": "Contact: mailto:me@example.org",
            "static/.well-known/.secret": "hidden",
        }
    )
    result = build(root)
    assert result.returncode == 0, result.stderr
    out = root / "output"
    files = set(snapshot(out))
    assert "docs/visible.txt" in files and ".well-known/security.txt" in files
    assert not any(
        part.startswith(".") and part != ".well-known" for f in files - {".nojekyll", ".cvsite-manifest.json"} for part in f.split("/")
    ), files
    assert "ghp_secret_token" not in published(out)


# 3. the output's own .git survives a build even when the site tries to bring one


def test_the_output_git_folder_is_kept_when_static_holds_a_git_folder(make_site):
    root = make_site({"content/papers/p.md": PAPER, "static/.git/config": "[core]\n\tbare = false\n"})
    assert build(root).returncode == 0
    worktree_git = root / "output" / ".git"
    worktree_git.write_text("gitdir: /somewhere/.git/worktrees/gh-pages\n")
    assert build(root).returncode == 0
    assert worktree_git.read_text() == "gitdir: /somewhere/.git/worktrees/gh-pages\n"


# 4. FIFOs, devices and huge files


def test_a_fifo_among_the_papers_is_reported_not_waited_on(make_site):
    root = make_site({"content/papers/p.md": PAPER})
    os.mkfifo(root / "content/papers/stuck.md")
    result = build(root, timeout=30)  # a read of the FIFO would block forever
    assert result.returncode == 1
    assert ("content/papers/stuck.md", "file", "not a regular file") in located(result.stderr)


def test_a_symlink_to_an_endless_device_is_refused(make_site):
    root = make_site({"content/papers/p.md": PAPER})
    (root / "content/papers/zero.md").symlink_to("/dev/zero")
    result = build(root, timeout=30)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert any(p == "content/papers/zero.md" for p, _, _ in located(result.stderr))


def test_a_fifo_in_site_yaml_and_in_static_is_reported(make_site):
    root = make_site({"content/papers/p.md": PAPER})
    (root / "site.yaml").unlink()
    os.mkfifo(root / "site.yaml")
    (root / "static").mkdir()
    os.mkfifo(root / "static" / "pipe")
    result = build(root, timeout=30)
    problems = located(result.stderr)
    assert ("site.yaml", "file", "not a regular file") in problems
    assert ("static/pipe", "file", "not a regular file") in problems


def test_a_record_over_the_size_limit_is_refused_with_the_limit(make_site):
    root = make_site({"content/papers/p.md": PAPER})
    with open(root / "content/papers/huge.yaml", "w") as f:
        f.write("title: x\nabstract: '" + "a" * (11 * 2**20) + "'\n")
    result = build(root)
    assert result.returncode == 1
    assert ("content/papers/huge.yaml", "file", "file is larger than 10 MB, the most one record may hold") in located(result.stderr)


def test_the_preview_reports_a_fifo_and_keeps_rebuilding(serve, example_copy):
    server = serve()
    epoch = server.status()["epoch"]
    os.mkfifo(example_copy / "content/papers/stuck.md")
    status = server.wait_for(lambda: (s := server.status())["epoch"] > epoch and s)
    assert status["errors"] == ["content/papers/stuck.md:1: file: not a regular file"]
    (example_copy / "content/papers/stuck.md").unlink()
    server.wait_for(lambda: not server.status()["errors"])


# 5. a YAML alias bomb

BOMB = "extra:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


@pytest.mark.parametrize("where", ["site.yaml", "content/papers/bomb.yaml"])
def test_a_yaml_alias_bomb_is_refused_quickly(make_site, where):
    files = {"content/papers/p.md": PAPER}
    files[where] = ("title: Bomb\n" if where == "site.yaml" else "") + BOMB
    root = make_site(files)
    assert len(files[where]) < 1000
    result = build(root, timeout=60)  # took 55 s and 6 GB before the bound
    assert result.returncode == 1
    ((_, field, message),) = [p for p in located(result.stderr) if p[0] == where]
    assert field.startswith("extra.a") and "expand to more than 1,000,000 values" in message


def test_aliases_that_refer_to_themselves_are_refused(make_site):
    root = make_site({"site.yaml": "title: T\nextra: &a {self: *a}\n", "content/papers/p.md": PAPER})
    result = build(root)
    assert result.returncode == 1
    assert ("site.yaml", "extra.self", "a YAML alias refers to a value that contains it") in located(result.stderr)


def test_modest_aliases_still_work(make_site):
    root = make_site({"site.yaml": "title: T\nextra:\n  a: &x [1, 2]\n  b: *x\n", "content/papers/p.md": PAPER})
    assert build(root).returncode == 0


# 6. control characters


@pytest.mark.parametrize(
    "where, text, line, field",
    [
        ("content/papers/p.yaml", 'title: "A \\x01 title"\nauthors: [A]\ndate: 2020\ncategory: CV\n', 1, "title"),
        ("content/papers/p.yaml", 'title: T\nauthors: ["Esc \\e"]\ndate: 2020\ncategory: CV\n', 2, "authors"),
        ("content/papers/p.md", PAPER + "Pasted from a PDF:\x02 page\x0cbreak.\n", 10, "abstract"),
        ("content/profile.md", "---\nname: Ada\n---\nA bio with \x0b inside.\n", 4, "bio"),
        ("site.yaml", 'title: T\nextra: {note: "bell \\a"}\n', 2, "extra.note"),
        ("content/papers/p.yaml", 'title: "C1 \\x9b control"\nauthors: [A]\ndate: 2020\ncategory: CV\n', 1, "title"),
    ],
)
def test_control_characters_are_reported_where_they_are(make_site, where, text, line, field):
    files = {"content/papers/ok.md": PAPER, where: text}
    root = make_site(files)
    result = build(root, "--base-url", "https://example.org/")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    problems = [(p, f, m) for p, f, m in located(result.stderr) if p == where]
    assert [(f, "control character U+" in m) for _, f, m in problems] == [(field, True)]
    assert f"{where}:{line}: {field}: control character" in result.stderr


def test_text_without_control_characters_gives_well_formed_feeds_and_pages(make_site):
    root = make_site({"content/papers/p.md": PAPER + "Tabs\tand\r\nCRLF and unicode \u00e9\u4e2d.\n"})
    assert build(root, "--base-url", "https://example.org/").returncode == 0
    for feed in (root / "output").rglob("*.xml"):
        etree.fromstring(feed.read_bytes())
    parser = html5lib.HTMLParser(strict=True)
    for page in (root / "output").rglob("*.html"):
        parser.parse(page.read_bytes())


# 7. deep nesting


@pytest.mark.parametrize("where", ["site.yaml", "content/papers/deep.yaml"])
@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_is_a_located_error(make_site, where, style):
    if style == "flow":
        text = "extra: " + "[" * 990 + "]" * 990 + "\n"
    else:
        text = "extra:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 990)) + " " * 990 + "x: 1\n"
    root = make_site({"content/papers/p.md": PAPER, where: ("title: T\n" if where == "site.yaml" else "") + text})
    result = build(root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert any(p == where and "levels deep" in m for p, _, m in located(result.stderr))


# 8. slugs the file system cannot hold


@pytest.mark.parametrize("slug", ["a" * 300, "\u4e2d" * 80])
def test_a_slug_too_long_for_the_file_system_is_located(make_site, slug):
    """A 300-character slug field, or a file named in 80 CJK characters (240 bytes, a legal file
    name) whose transliterated slug (zhong-zhong-...) is 479 bytes."""
    record = PAPER.replace("category: CV\n", f"category: CV\nslug: {slug}\n") if slug.isascii() else PAPER
    name = "long.md" if slug.isascii() else f"{slug}.md"
    root = make_site({f"content/papers/{name}": record})
    result = build(root)
    assert result.returncode == 1 and "File name too long" not in result.stderr
    ((path, field, message),) = located(result.stderr)
    assert path == f"content/papers/{name}" and field == "slug" and "200 bytes" in message


# Also: malformed LaTeX is a located warning that shows the source text, not a silent fallback


def test_malformed_latex_is_a_located_warning_and_the_build_succeeds(make_site):
    root = make_site(
        {"content/papers/p.md": PAPER.replace("title: A Paper", "title: 'A \\emph{broken title'") + "\nSecond paragraph with $a^$ math.\n"}
    )
    result = build(root)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        (
            "content/papers/p.md:2: title: warning: malformed LaTeX (Unexpected end of stream, was expecting '}'); "
            "shown as typed: 'A \\emph{broken title'"
        ),
        "content/papers/p.md:11: abstract: warning: malformed math (MissingSuperScriptOrSubscriptError); shown as typed: '$a^$'",
    ]
    assert all(LOCATED.match(line) for line in warnings)


# Found by the fuzz test: a link in a title nested <a> in the listing's <a> (invalid HTML)


def test_links_in_a_title_stay_text_so_listing_links_do_not_nest(make_site):
    title = "'See <https://example.org>, [code](https://example.org/c) and www.example.org'"
    root = make_site({"content/papers/p.md": PAPER.replace("title: A Paper", f"title: {title}")})
    assert build(root, "--base-url", "https://example.org/").returncode == 0
    parser = html5lib.HTMLParser(strict=True)
    for page in ("index.html", "papers/p/index.html", "categories/cv/index.html"):
        parser.parse((root / "output" / page).read_bytes())
    assert "[code](https://example.org/c)" in (root / "output/papers/p/index.html").read_text()


def test_the_preview_prints_latex_warnings_too(serve, example_copy, edit):
    paper = example_copy / "content/papers/prototype-rectification-for-few-shot-learning.md"
    edit(paper, "title: Prototype Rectification", "title: Prototype \\emph{Rectification")
    server = serve()
    line = server.process.stderr.readline()
    assert line.startswith("content/papers/prototype-rectification-for-few-shot-learning.md:")
    assert ": title: warning: malformed LaTeX" in line and "shown as typed: 'Prototype \\emph{Rectification" in line

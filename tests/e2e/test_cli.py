"""The command line as a researcher meets it: summaries, one-line errors, exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
# the checkout, wherever the command runs; its output block-buffered, as in a pipe or a CI log
# (PYTHONUNBUFFERED would hide output the command failed to flush before it exits)
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "PYTHONPATH": str(REPO)}
LOCATED = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+): (?P<field>[\w.]+): (?P<message>.+)$")


def cvsite(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env or ENV, capture_output=True, text=True, timeout=120)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_help_on_every_command():
    result = cvsite("--help")
    assert result.returncode == 0 and "usage: cvsite" in result.stdout and "build" in result.stdout
    result = cvsite("build", "--help")
    assert result.returncode == 0 and "usage: cvsite build" in result.stdout
    for option in ("--site", "--output", "--base-url", "--drafts"):
        assert option in result.stdout


def test_build_prints_a_summary(example_copy, tmp_path):
    """Pages: home, categories, years, CV, search, 404, and one per paper, category and year."""
    fronts = [yaml.safe_load(p.read_text(encoding="utf-8").split("---\n")[1]) for p in (example_copy / "content/papers").glob("*.md")]
    pages = 6 + len(fronts) + len(Counter(f["category"] for f in fronts)) + len({str(f["date"])[:4] for f in fronts})
    result = cvsite("build", "--site", str(example_copy), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert f"{len(fronts)} papers" in line and f"{pages} pages" in line and re.search(r"\d+\.\d+ s", line)
    assert result.stderr == ""
    assert (tmp_path / "out" / "index.html").is_file()


def test_build_defaults_to_the_current_folder(example_copy):
    result = cvsite("build", cwd=example_copy)
    assert result.returncode == 0, result.stderr
    assert (example_copy / "output" / "index.html").is_file()


def test_content_errors_exit_1_with_one_located_line_each(example_copy, tmp_path):
    out = tmp_path / "out"
    assert cvsite("build", "--site", str(example_copy), "--output", str(out)).returncode == 0
    before = snapshot(out)
    papers = example_copy / "content/papers"
    head = "---\ntitle: T\nauthors: [A]\n"
    broken = {
        "bad-date.md": (head + "date: 2023-02-30\ncategory: CV\n---\n", 4, "date", "impossible date"),
        "bad-cat.md": (head + "date: 2023\ncategory: QQ\n---\n", 5, "category", "unknown category 'QQ'"),
        "bad-yaml.md": ("---\ntitle: T\nauthors: [A\ndate: 2023\ncategory: CV\n---\n", 3, "file", "invalid YAML"),
        "bad-field.md": (head + "date: 2023\ncategory: CV\nvenu: X\n---\n", 6, "venu", "did you mean 'venue'"),
        "bad-type.md": ("---\ntitle: T\nauthors: A\ndate: 2023\ncategory: CV\n---\n", 3, "authors", "expected a list"),
        "bad-link.md": (
            head + "date: 2023\ncategory: CV\nlinks:\n  code: ' JaVaScRiPt:alert(1)'\n---\n",
            7,
            "links.code",
            "unsafe URL scheme",
        ),
        "missing.md": ("---\ntitle: T\nauthors: [A]\ndate: 2023\n---\n", 2, "category", "required"),
        "empty.md": ("", 1, "file", "empty"),
        "no-front.md": ("title: T\n", 1, "file", "no front matter"),
        "latin1.md": (b"---\ntitle: Caf\xe9\n---\n", 2, "file", "UTF-8"),
    }
    for name, (text, *_rest) in broken.items():
        (papers / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    result = cvsite("build", "--site", str(example_copy), "--output", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
    *lines, summary = result.stderr.strip().splitlines()
    assert summary == f"cvsite: {len(broken)} problems found; nothing was written"
    assert len(lines) == len(broken)
    found = {}
    for line in lines:
        match = LOCATED.match(line)
        assert match, line
        found[match["path"]] = match
    for name, (_, line, field, words) in broken.items():
        match = found[f"content/papers/{name}"]
        assert (int(match["line"]), match["field"]) == (line, field), match.string
        assert words in match["message"], match.string
    assert snapshot(out) == before  # the previous site is exactly as it was


def test_a_failed_first_build_creates_nothing(example_copy, tmp_path):
    (example_copy / "content/papers/x.md").write_text("---\ntitle: T\n---\n")
    result = cvsite("build", "--site", str(example_copy), "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example"]


def test_duplicate_slugs_name_both_files(example_copy, tmp_path):
    (example_copy / "content/papers/copy.yaml").write_text(
        "title: T\nauthors: [A]\ndate: 2020\ncategory: CV\nslug: baichuan-2-open-large-scale-language-models\n"
    )
    result = cvsite("build", "--site", str(example_copy), "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    (line, _) = result.stderr.strip().splitlines()
    assert line.startswith("content/papers/copy.yaml:5: slug: duplicate slug")
    assert "content/papers/baichuan-2-open-large-scale-language-models.md" in line


def usage_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    return result.stderr


def test_usage_errors_exit_2(example_copy, tmp_path):
    assert "--no-such-flag" in usage_error(cvsite("build", "--no-such-flag"))
    usage_error(cvsite())
    usage_error(cvsite("build", "--base-url", "javascript:alert(1)", "--site", str(example_copy)))
    not_a_site = tmp_path / "empty"
    not_a_site.mkdir()
    assert "not a cvsite site" in usage_error(cvsite("build", "--site", str(not_a_site)))
    assert "not a cvsite site" in usage_error(cvsite("build", cwd=not_a_site))
    assert list(not_a_site.iterdir()) == []


@pytest.mark.parametrize(
    "choose",
    [
        pytest.param(lambda site, tmp: site, id="site-root"),
        pytest.param(lambda site, tmp: site / "content", id="content"),
        pytest.param(lambda site, tmp: site / "content" / "papers", id="inside-content"),
        pytest.param(lambda site, tmp: tmp, id="parent"),
        pytest.param(lambda site, tmp: tmp.parent, id="grandparent"),
        pytest.param(lambda site, tmp: Path("/"), id="root"),
        pytest.param(lambda site, tmp: tmp / "home", id="home"),
        pytest.param(lambda site, tmp: tmp / "home" / ".." / "home", id="home-spelt-oddly"),
    ],
)
def test_refused_output_folders_exit_2_and_change_nothing(example_copy, tmp_path, choose):
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    result = cvsite("build", "--site", str(example_copy), "--output", str(choose(example_copy, tmp_path)), env=dict(ENV, HOME=str(home)))
    assert "refusing" in usage_error(result)
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before


def test_a_non_empty_folder_not_made_by_cvsite_is_refused(example_copy, tmp_path):
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    assert "not made by cvsite" in usage_error(cvsite("build", "--site", str(example_copy), "--output", str(mine)))
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]
    # a folder cvsite made is rebuilt
    out = tmp_path / "out"
    for _ in range(2):
        assert cvsite("build", "--site", str(example_copy), "--output", str(out)).returncode == 0


def test_drafts_flag(example_copy, tmp_path):
    (example_copy / "content/papers/wip.md").write_text(
        "---\ntitle: Work in progress\nauthors: [A]\ndate: 2026\ncategory: CV\ndraft: true\n---\n"
    )
    (example_copy / "content/papers/wip2.yaml").write_text("title: Also wip\nauthors: [A]\ndate: 2026\ncategory: CV\ndraft: true\n")
    a = cvsite("build", "--site", str(example_copy), "--output", str(tmp_path / "a"))
    b = cvsite("build", "--site", str(example_copy), "--output", str(tmp_path / "b"), "--drafts")
    assert "27 papers" in a.stdout and "29 papers" in b.stdout
    assert not (tmp_path / "a/papers/wip").exists() and "Work in progress" not in (tmp_path / "a/index.html").read_text()
    assert (tmp_path / "b/papers/wip/index.html").is_file() and (tmp_path / "b/papers/wip2/index.html").is_file()

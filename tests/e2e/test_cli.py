"""The command line as a researcher meets it: summaries, one-line errors, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(REPO))  # the checkout, wherever the command runs


def cvsite(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=120)


def test_help_on_every_command():
    for args in (["--help"], ["build", "--help"]):
        result = cvsite(*args)
        assert result.returncode == 0 and "usage: cvsite" in result.stdout


def test_build_prints_a_summary(example_copy, tmp_path):
    result = cvsite("build", "--site", str(example_copy), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "27 papers" in result.stdout and "pages" in result.stdout and " s" in result.stdout
    assert (tmp_path / "out" / "index.html").is_file()


def test_build_defaults_to_the_current_folder(example_copy):
    result = cvsite("build", cwd=example_copy)
    assert result.returncode == 0, result.stderr
    assert (example_copy / "output" / "index.html").is_file()


def test_content_errors_exit_1_with_one_line_each_and_no_traceback(example_copy, tmp_path):
    papers = example_copy / "content/papers"
    (papers / "bad-date.md").write_text("---\ntitle: T\nauthors: [A]\ndate: 2023-02-30\ncategory: CV\n---\n")
    (papers / "bad-cat.md").write_text("---\ntitle: T\nauthors: [A]\ndate: 2023\ncategory: QQ\n---\n")
    result = cvsite("build", "--site", str(example_copy), "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("content/papers/bad-cat.md:5: category: ")
    assert lines[1].startswith("content/papers/bad-date.md:4: date: ")
    assert "2 problems" in lines[-1]
    assert not (tmp_path / "out").exists()


def test_usage_errors_exit_2(example_copy, tmp_path):
    assert cvsite("build", "--no-such-flag").returncode == 2
    assert cvsite().returncode == 2
    not_a_site = tmp_path / "empty"
    not_a_site.mkdir()
    result = cvsite("build", "--site", str(not_a_site))
    assert result.returncode == 2 and "not a cvsite site" in result.stderr
    for refused in (example_copy, example_copy / "content", Path("/")):
        result = cvsite("build", "--site", str(example_copy), "--output", str(refused))
        assert result.returncode == 2 and "refusing" in result.stderr and "Traceback" not in result.stderr
    assert (example_copy / "content/profile.md").is_file()
    result = cvsite("build", "--site", str(example_copy), "--base-url", "javascript:alert(1)")
    assert result.returncode == 2


def test_drafts_flag(example_copy, tmp_path):
    (example_copy / "content/papers/wip.md").write_text("---\ntitle: Work in progress\nauthors: [A]\ndate: 2026\ncategory: CV\ndraft: true\n---\n")
    cvsite("build", "--site", str(example_copy), "--output", str(tmp_path / "a"))
    cvsite("build", "--site", str(example_copy), "--output", str(tmp_path / "b"), "--drafts")
    assert not (tmp_path / "a/papers/wip").exists()
    assert (tmp_path / "b/papers/wip/index.html").is_file()

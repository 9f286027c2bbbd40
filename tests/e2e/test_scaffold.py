"""cvsite new: a fresh site that builds at once and carries a valid GitHub Pages workflow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(REPO))


def cvsite(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=120)


def test_new_site_builds_from_inside_its_folder(tmp_path):
    result = cvsite("new", "mysite", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "mysite"
    for rel in ("site.yaml", "content/profile.md", ".gitignore", ".github/workflows/pages.yml", "requirements.txt"):
        assert (site / rel).is_file(), rel
    assert len(list((site / "content/papers").iterdir())) == 2
    assert "/output/" in (site / ".gitignore").read_text()

    built = cvsite("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert "2 papers" in built.stdout
    assert (site / "output/index.html").is_file()
    home = (site / "output/index.html").read_text()
    assert "Your Name" in home and "<math" in (site / "output/papers/an-example-paper/index.html").read_text()


def test_new_then_build_with_site_option_and_publish_metadata(tmp_path):
    """cvsite new mysite && cvsite build --site mysite, as the Pages workflow would (with a base URL)."""
    import feedparser
    import yaml

    assert cvsite("new", "mysite", cwd=tmp_path).returncode == 0
    site = tmp_path / "mysite"
    built = cvsite("build", "--site", "mysite", "--base-url", "https://you.github.io/mysite", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    out = site / "output"
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    titles = []
    for path in sorted((site / "content/papers").iterdir()):
        text = path.read_text(encoding="utf-8")
        titles.append(yaml.safe_load(text.split("---\n")[1] if path.suffix == ".md" else text)["title"])
    assert sorted(e.title for e in feed.entries) == sorted(titles)
    assert len(feed.entries) == 2 and all(e.link.startswith("https://you.github.io/mysite/papers/") for e in feed.entries)
    assert (out / "sitemap.xml").is_file() and (out / ".nojekyll").is_file() and not (out / "CNAME").exists()
    config = yaml.safe_load((site / "site.yaml").read_text())
    assert config["base_url"] == "" and "cname" in config  # documented in place, set by the user


def test_new_refuses_a_file(tmp_path):
    (tmp_path / "taken").write_text("mine")
    result = cvsite("new", "taken", cwd=tmp_path)
    assert result.returncode == 2 and (tmp_path / "taken").read_text() == "mine"


def test_new_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "existing").mkdir()
    (tmp_path / "existing" / "notes.txt").write_text("mine")
    result = cvsite("new", "existing", cwd=tmp_path)
    assert result.returncode == 2 and "not empty" in result.stderr
    assert sorted(p.name for p in (tmp_path / "existing").iterdir()) == ["notes.txt"]


def test_new_accepts_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    assert cvsite("new", "empty", cwd=tmp_path).returncode == 0
    assert (tmp_path / "empty" / "site.yaml").is_file()


def test_requirement_names_the_git_repository_cvsite_was_installed_from(tmp_path, monkeypatch):
    import json

    from generator import scaffold

    class FakeDistribution:
        def __init__(self, direct):
            self.direct = direct

        def read_text(self, name):
            return json.dumps(self.direct) if name == "direct_url.json" else None

    cases = {
        "cvsite @ git+https://github.com/you/cvsite@abc123": {
            "url": "https://github.com/you/cvsite", "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
        f"cvsite=={scaffold.__version__}": {"url": "file:///nowhere", "dir_info": {}},
    }
    for expected, direct in cases.items():
        monkeypatch.setattr(scaffold.metadata, "distribution", lambda name, d=direct: FakeDistribution(d))
        assert scaffold.cvsite_requirement() == expected

    clone = tmp_path / "clone"
    clone.mkdir()
    for args in (["init", "-q"], ["remote", "add", "origin", "https://github.com/you/cvsite"],
                 ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x"]):
        subprocess.run(["git", "-C", str(clone), *args], check=True)
    head = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    direct = {"url": f"file://{clone}", "dir_info": {"editable": True}}
    monkeypatch.setattr(scaffold.metadata, "distribution", lambda name: FakeDistribution(direct))
    assert scaffold.cvsite_requirement() == f"cvsite @ git+https://github.com/you/cvsite@{head}"

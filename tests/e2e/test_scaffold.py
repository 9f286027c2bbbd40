"""cvsite new: a fresh site that builds at once and carries a valid GitHub Pages workflow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Venv, snapshot_repository

REPO = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(REPO))


def cvsite(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=120, check=False
    )


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


def requirement_line(site: Path) -> str:
    """The line of the site's requirements.txt that installs cvsite (the last one)."""
    return (site / "requirements.txt").read_text(encoding="utf-8").splitlines()[-1]


def warning_about_requirements(stderr: str, site: Path) -> str:
    """The warning line naming requirements.txt and the line to edit, '' when there is none."""
    lines = (site / "requirements.txt").read_text(encoding="utf-8").splitlines()
    where = f"{site.name}/requirements.txt:{len(lines)}: warning: "
    found = [line for line in stderr.splitlines() if line.startswith(where)]
    assert len(found) <= 1 and (not found or lines[-2].startswith("# EDIT THE NEXT LINE")), stderr
    return found[0] if found else ""


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@t", *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def set_origin(clone: Path, url: str | None, *, pushed: bool) -> None:
    """Give the clone an origin (or none), with HEAD on a remote-tracking branch of it or not."""
    for ref in git(clone, "for-each-ref", "--format=%(refname)", "refs/remotes/").split():
        git(clone, "update-ref", "-d", ref)
    if git(clone, "remote"):
        git(clone, "remote", "remove", "origin")
    if url:
        git(clone, "remote", "add", "origin", url)
    if pushed:
        git(clone, "update-ref", "refs/remotes/origin/main", "HEAD")


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A git repository of this checkout, to install cvsite from as a user would from a clone."""
    return snapshot_repository(tmp_path_factory.mktemp("clone") / "cvsite")


def test_new_from_an_index_install_writes_the_exact_version(dist, light_venv, tmp_path):
    venv = light_venv()
    venv.install("--find-links", str(dist.wheel.parent), "cvsite")
    assert venv.direct_url() is None  # what pip records for an install from an index
    result = venv.cvsite("new", "mysite", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert requirement_line(tmp_path / "mysite") == f"cvsite=={dist.metadata()['Version']}"
    assert not warning_about_requirements(result.stderr, tmp_path / "mysite")


def test_new_from_a_wheel_points_at_it_and_the_site_builds_from_its_own_requirements(dist, light_venv, tmp_path):
    venv = light_venv()
    venv.install(str(dist.wheel))
    assert venv.direct_url()["url"] == dist.wheel.as_uri() and "archive_info" in venv.direct_url()
    result = venv.cvsite("new", "mysite", cwd=tmp_path)
    site = tmp_path / "mysite"
    assert result.returncode == 0, result.stderr
    line = requirement_line(site)
    assert line == f"cvsite @ {dist.wheel.as_uri()}" or line.startswith(f"cvsite @ {dist.wheel.as_uri()}#sha256=")
    warning = warning_about_requirements(result.stderr, site)
    assert str(dist.wheel) in warning and "--requirement" in warning  # a file GitHub cannot reach, and the fix

    # The site's own requirements.txt, in a fresh venv, as its Pages workflow installs it.
    fresh = Venv(tmp_path / "site-venv")
    fresh.pip("install", "-r", "requirements.txt", cwd=site)
    built = fresh.cvsite("build", "--base-url", "https://you.github.io/mysite/", cwd=site)
    assert built.returncode == 0, built.stderr
    assert "2 papers" in built.stdout and (site / "output/index.html").is_file() and (site / "output/feed.xml").is_file()


def test_new_from_a_git_url_writes_that_repository_at_that_commit(clone, light_venv, tmp_path):
    head = git(clone, "rev-parse", "HEAD")
    venv = light_venv()
    venv.install(f"git+{clone.as_uri()}")
    assert venv.direct_url() == {"url": clone.as_uri(), "vcs_info": {"vcs": "git", "commit_id": head}}

    # A repository on this machine only: written exactly, with a warning, since GitHub cannot fetch it.
    set_origin(clone, None, pushed=False)
    result = venv.cvsite("new", "local", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert requirement_line(tmp_path / "local") == f"cvsite @ git+{clone.as_uri()}@{head}"
    assert "no origin on the web" in warning_about_requirements(result.stderr, tmp_path / "local")

    # Its origin on the web holds the commit: that URL at that commit, no warning.
    set_origin(clone, "https://github.com/you/cvsite", pushed=True)
    result = venv.cvsite("new", "published", cwd=tmp_path)
    assert requirement_line(tmp_path / "published") == f"cvsite @ git+https://github.com/you/cvsite@{head}"
    assert not warning_about_requirements(result.stderr, tmp_path / "published")


def test_new_from_a_local_path_names_its_origin_only_when_the_commit_is_pushed(clone, light_venv, tmp_path):
    head = git(clone, "rev-parse", "HEAD")
    venv = light_venv()
    venv.install(str(clone))
    assert venv.direct_url() == {"url": clone.as_uri(), "dir_info": {}}
    cases = {  # name: (origin, pushed, the problem the warning names or "")
        "no-origin": (None, False, "no origin on the web"),
        "unpushed": ("https://github.com/you/cvsite", False, "push it first"),
        "ssh": ("git@github.com:you/cvsite.git", True, "SSH"),
        "pushed": ("https://github.com/you/cvsite", True, ""),
    }
    for name, (origin, pushed, problem) in cases.items():
        set_origin(clone, origin, pushed=pushed)
        result = venv.cvsite("new", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        line = requirement_line(tmp_path / name)
        expected = {None: f"git+{clone.as_uri()}", "git@github.com:you/cvsite.git": "git+https://github.com/you/cvsite.git"}
        assert line == f"cvsite @ {expected.get(origin, f'git+{origin}')}@{head}", name
        warning = warning_about_requirements(result.stderr, tmp_path / name)
        assert (problem in warning) if problem else not warning, (name, result.stderr)

    (clone / "README.md").write_text("changed\n")  # the checkout no longer matches its commit
    result = venv.cvsite("new", "dirty", cwd=tmp_path)
    assert "uncommitted changes" in warning_about_requirements(result.stderr, tmp_path / "dirty")
    git(clone, "checkout", "--", "README.md")


def test_new_requirement_option_writes_exactly_that_line(tmp_path):
    result = cvsite("new", "mysite", "--requirement", "cvsite @ git+https://github.com/me/cvsite@v1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert requirement_line(tmp_path / "mysite") == "cvsite @ git+https://github.com/me/cvsite@v1"
    assert "warning" not in result.stderr
    refused = cvsite("new", "other", "--requirement", " ", cwd=tmp_path)
    assert refused.returncode == 2 and "--requirement" in refused.stderr and not (tmp_path / "other").exists()


def test_new_points_to_cvsite_serve_to_look_at_the_site(tmp_path):
    result = cvsite("new", "mysite", cwd=tmp_path)
    assert "cvsite serve" in result.stdout and "index.html" not in result.stdout


def test_requirement_detection_from_what_pip_recorded(tmp_path, monkeypatch):
    import json

    from generator import scaffold

    class FakeDistribution:
        version = "9.8.7"

        def __init__(self, direct):
            self.direct = direct

        def read_text(self, name):
            return json.dumps(self.direct) if name == "direct_url.json" and self.direct else None

    wheel_url = "https://example.org/cvsite-9.8.7-py3-none-any.whl"
    cases = {  # what pip recorded -> (requirement, vouched for)
        None: ("cvsite==9.8.7", True),
        json.dumps({"url": "https://github.com/you/cvsite", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}): (
            "cvsite @ git+https://github.com/you/cvsite@abc123",
            True,
        ),
        json.dumps({"url": "ssh://git@github.com/you/cvsite.git", "vcs_info": {"vcs": "git", "commit_id": "abc"}}): (
            "cvsite @ git+https://github.com/you/cvsite.git@abc",
            False,
        ),
        json.dumps({"url": wheel_url, "archive_info": {"hashes": {"sha256": "f00"}}}): (f"cvsite @ {wheel_url}#sha256=f00", True),
        json.dumps({"url": "file:///nowhere/cvsite-9.8.7.tar.gz", "archive_info": {}}): (
            "cvsite @ file:///nowhere/cvsite-9.8.7.tar.gz",
            False,
        ),
        json.dumps({"url": f"file://{tmp_path}", "dir_info": {}}): (f"cvsite @ {tmp_path.as_uri()}", False),
    }
    for recorded, (line, vouched) in cases.items():
        direct = json.loads(recorded) if recorded else None
        monkeypatch.setattr(scaffold.metadata, "distribution", lambda name, d=direct: FakeDistribution(d))
        found = scaffold.cvsite_requirement()
        assert (found.line, not found.problem) == (line, vouched), recorded

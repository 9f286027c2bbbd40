"""The GitHub Pages workflows (this repository's and the one cvsite new writes) pass actionlint
and use GitHub's official Pages actions with the permissions they need."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.scaffold import scaffold_files

REPO = Path(__file__).resolve().parents[2]
OFFICIAL = ("actions/checkout@", "actions/configure-pages@", "actions/upload-pages-artifact@", "actions/deploy-pages@")


@pytest.fixture(scope="session")
def actionlint() -> str:
    """The actionlint binary: pip puts it beside this Python (the venv's bin/), which need not be on PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.is_file() else shutil.which("actionlint")
    if not found:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("actionlint must run in CI: pip install -e '.[test]' installs it")
        pytest.skip("actionlint is not installed (pip install -e '.[test]')")
    return found


@pytest.fixture(params=["repository", "new site", "ci", "release"])
def any_workflow(request, tmp_path) -> Path:
    if request.param in ("ci", "release"):
        return REPO / f".github/workflows/{request.param}.yml"
    return _pages_workflow(request.param, tmp_path)


@pytest.fixture(params=["repository", "new site"])
def workflow(request, tmp_path) -> Path:
    return _pages_workflow(request.param, tmp_path)


def _pages_workflow(which: str, tmp_path: Path) -> Path:
    if which == "repository":
        return REPO / ".github/workflows/pages.yml"
    path = tmp_path / ".github/workflows/pages.yml"
    path.parent.mkdir(parents=True)
    path.write_bytes(scaffold_files()[".github/workflows/pages.yml"])
    return path


def test_actionlint_finds_nothing(actionlint, any_workflow):
    result = subprocess.run(
        [actionlint, "-no-color", str(any_workflow)], check=False, capture_output=True, text=True, cwd=any_workflow.parents[2]
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_does_catch_mistakes(actionlint, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n")
    assert subprocess.run([actionlint, str(bad)], check=False, capture_output=True).returncode != 0


def test_workflow_builds_with_the_pages_base_url_and_deploys(workflow):
    flow = yaml.safe_load(workflow.read_text())
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = [s for job in flow["jobs"].values() for s in job["steps"]]
    uses = " ".join(s.get("uses", "") for s in steps)
    for action in OFFICIAL:
        assert action in uses
    assert flow["concurrency"]["group"] and flow["concurrency"]["cancel-in-progress"] is False
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key 'on' as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    pages = next(s for s in steps if s.get("uses", "").startswith("actions/configure-pages@"))
    assert pages["id"] == "pages"
    build = next(s for s in steps if "cvsite build" in s.get("run", ""))
    assert "steps.pages.outputs.base_url" in build["env"]["BASE_URL"] and '--base-url "$BASE_URL/"' in build["run"]
    upload = next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "output"
    assert flow["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    install = next(s for s in steps if "pip install" in s.get("run", ""))["run"]
    assert install.endswith("pip install .") if workflow.is_relative_to(REPO) else "requirements.txt" in install
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))["with"]
    assert re.fullmatch(r"3\.\d+", python["python-version"])  # one Python, not "3.x"
    assert python["cache"] == "pip"  # the cache is keyed on the file the install reads
    assert python["cache-dependency-path"] == ("pyproject.toml" if workflow.is_relative_to(REPO) else "requirements.txt")


def test_the_new_site_workflow_is_the_repository_workflow_but_for_the_install():
    ours = (REPO / ".github/workflows/pages.yml").read_text().splitlines()
    theirs = scaffold_files()[".github/workflows/pages.yml"].decode().splitlines()
    differ = [(a, b) for a, b in zip(ours, theirs) if a != b]
    assert len(ours) == len(theirs)
    assert [b.strip() for _, b in differ if "pip install" in b] == ["run: python -m pip install -r requirements.txt"]
    assert [b.strip() for _, b in differ if "cache" in b] == [
        "cache: pip  # downloads are reused until requirements.txt changes",
        "cache-dependency-path: requirements.txt",
    ]
    assert all(a.startswith("#") for a, b in differ if "pip install" not in b and "cache" not in b)  # and the opening comment


def _triggers(flow: dict) -> dict:
    return flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key 'on' as true


def test_ci_runs_the_ci_script_on_push_and_pull_request_on_two_pythons():
    flow = yaml.safe_load((REPO / ".github/workflows/ci.yml").read_text())
    assert {"push", "pull_request"} <= set(_triggers(flow))
    (job,) = flow["jobs"].values()
    assert job["runs-on"].startswith("ubuntu-")
    assert job["strategy"]["matrix"]["python-version"] == ["3.10", "3.13"]
    setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["python-version"] == "${{ matrix.python-version }}"
    assert job["steps"][-1]["run"] == ".ci/run"
    assert os.access(REPO / ".ci/run", os.X_OK)


def test_release_builds_checks_and_publishes_with_trusted_publishing_on_a_version_tag():
    flow = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text())
    assert _triggers(flow)["push"]["tags"] == ["v*"] and set(_triggers(flow)) == {"push"}
    build, publish = flow["jobs"]["build"], flow["jobs"]["publish"]
    runs = " && ".join(s.get("run", "") for s in build["steps"])
    assert "python -m build" in runs and "twine check --strict dist/*" in runs
    assert runs.index("python -m build") < runs.index("twine check")
    # trusted publishing: an OIDC token for the publishing job only, no stored password
    assert flow["permissions"] == {"contents": "read"} and publish["permissions"] == {"id-token": "write"}
    assert publish["needs"] == "build" and publish["environment"]["name"] == "pypi"
    (upload,) = [s for s in publish["steps"] if s.get("uses", "").startswith("pypa/gh-action-pypi-publish@")]
    assert "password" not in upload.get("with", {})

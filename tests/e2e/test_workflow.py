"""The GitHub Pages workflows (this repository's and the one cvsite new writes) pass actionlint
and use GitHub's official Pages actions with the permissions they need."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.scaffold import scaffold_files

REPO = Path(__file__).resolve().parents[2]
OFFICIAL = ("actions/checkout@", "actions/configure-pages@", "actions/upload-pages-artifact@", "actions/deploy-pages@")


@pytest.fixture(params=["repository", "new site"])
def workflow(request, tmp_path) -> Path:
    if request.param == "repository":
        return REPO / ".github/workflows/pages.yml"
    path = tmp_path / ".github/workflows/pages.yml"
    path.parent.mkdir(parents=True)
    path.write_bytes(scaffold_files()[".github/workflows/pages.yml"])
    return path


def test_actionlint_finds_nothing(workflow):
    if not shutil.which("actionlint"):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("actionlint must be installed in CI (pip install -e '.[test]')")
        pytest.skip("actionlint is not installed")
    result = subprocess.run(["actionlint", "-no-color", str(workflow)], capture_output=True, text=True, cwd=workflow.parents[2])
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_does_catch_mistakes(tmp_path):
    if not shutil.which("actionlint"):
        pytest.skip("actionlint is not installed")
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n")
    assert subprocess.run(["actionlint", str(bad)], capture_output=True).returncode != 0


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


def test_the_new_site_workflow_is_the_repository_workflow_but_for_the_install():
    ours = (REPO / ".github/workflows/pages.yml").read_text().splitlines()
    theirs = scaffold_files()[".github/workflows/pages.yml"].decode().splitlines()
    differ = [(a, b) for a, b in zip(ours, theirs) if a != b]
    assert len(ours) == len(theirs)
    assert [b.strip() for _, b in differ if "pip install" in b] == ["run: python -m pip install -r requirements.txt"]
    assert all(a.startswith("#") for a, b in differ if "pip install" not in b)  # only the opening comment differs

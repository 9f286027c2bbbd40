"""The package as PyPI would get it: complete metadata, and a wheel that carries everything a fresh
install needs (templates, themes and data) and builds a site in a fresh venv."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import trove_classifiers

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    return dist.wheel


def test_wheel_ships_templates_themes_and_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (REPO / "templates").rglob("*"):
        if template.is_file():
            assert f"generator/_builtin/templates/{template.relative_to(REPO / 'templates').as_posix()}" in names
    for theme in (REPO / "themes").rglob("*"):  # both built-in themes, so an installed cvsite offers `theme: classic`
        if theme.is_file():
            assert f"generator/_builtin/themes/{theme.relative_to(REPO / 'themes').as_posix()}" in names
    assert "generator/data/arxiv_categories.yaml" in names
    assert "generator/new_site/pages.yml" in names and "generator/new_site/content/profile.md" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "cvsite = generator.cli:run" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_builds_a_site_from_any_folder(wheel, tmp_path, example_copy):
    target = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True, capture_output=True
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(target))
    where = subprocess.run(
        [sys.executable, "-c", "import generator; print(generator.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(target))  # the installed copy, not the checkout
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site", str(example_copy), "--output", str(tmp_path / "out")],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Liang Song" in home and "assets/style.css" in home
    assert (tmp_path / "out" / "assets" / "style.css").is_file()


def test_twine_accepts_the_sdist_and_the_wheel(dist):
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(dist.sdist), str(dist.wheel)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_wheel_metadata_is_complete_for_pypi(dist):
    meta = dist.metadata()
    assert meta["Name"] == "cvsite" and meta["Summary"] and meta["Description-Content-Type"] == "text/markdown"
    assert meta["Requires-Python"] == ">=3.10"
    classifiers = meta.get_all("Classifier")
    assert classifiers and set(classifiers) <= trove_classifiers.classifiers  # PyPI refuses unknown ones
    versions = {c.rsplit(" :: ", 1)[1] for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    assert "3.10" in versions and "3.13" in versions  # the versions CI tests
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Source", "Issues"} <= set(urls) and all(u.startswith("https://") for u in urls.values())
    assert meta["License-Expression"] == "MIT" and meta.get_all("License-File") == ["LICENSE"]
    license_text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License")
    with zipfile.ZipFile(dist.wheel) as wheel:
        (shipped,) = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert wheel.read(shipped).decode("utf-8") == license_text
    with tarfile.open(dist.sdist) as sdist:
        assert any(n.endswith("/LICENSE") for n in sdist.getnames())


def _imported_packages(folder: Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"generator", "__future__"}


def test_every_package_the_code_imports_is_declared(dist):
    imported = _imported_packages(REPO / "generator")
    assert {"jinja2", "markupsafe", "yaml", "watchdog"} <= imported  # the scan sees imports at all

    def name(requirement: str) -> str:
        return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    declared = {name(r) for r in dist.requires()}
    # an optional feature's package (typst for cv.pdf) is declared in its extra, never in "test"
    every = dist.metadata().get_all("Requires-Dist") or []
    optional = {name(r) for r in every if "extra ==" in r and 'extra == "test"' not in r}
    providers = metadata.packages_distributions()
    for module in sorted(imported):
        names = {d.lower().replace("_", "-") for d in providers.get(module, [])}
        assert names & (declared | optional), f"generator imports {module} (from {names or 'nothing installed'}), not in dependencies"


def test_the_wheel_in_a_fresh_venv_builds_the_example_site(wheel_venv, example_copy, tmp_path):
    assert wheel_venv.direct_url()["url"].endswith(".whl")  # this venv runs the wheel, not the checkout
    result = wheel_venv.cvsite("build", "--site", str(example_copy), "--output", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Liang Song" in home and (tmp_path / "out" / "assets" / "style.css").is_file()
    papers = list((example_copy / "content" / "papers").glob("*.md"))
    assert len(list((tmp_path / "out" / "papers").glob("*/index.html"))) == len(papers)

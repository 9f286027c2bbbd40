"""The wheel carries everything a fresh install needs: templates, themes and data ship inside it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
                   check=True, capture_output=True)
    return next(dist.glob("cvsite-*.whl"))


def test_wheel_ships_templates_themes_and_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (REPO / "templates").rglob("*"):
        if template.is_file():
            assert f"generator/_builtin/templates/{template.relative_to(REPO / 'templates').as_posix()}" in names
    assert "generator/_builtin/themes/default/static/assets/style.css" in names
    assert "generator/data/arxiv_categories.yaml" in names
    assert "generator/new_site/pages.yml" in names and "generator/new_site/content/profile.md" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "cvsite = generator.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_builds_a_site_from_any_folder(wheel, tmp_path, example_copy):
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(target))
    where = subprocess.run([sys.executable, "-c", "import generator; print(generator.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(target))  # the installed copy, not the checkout
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(example_copy),
                             "--output", str(tmp_path / "out")], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Liang Song" in home and "assets/style.css" in home
    assert (tmp_path / "out" / "assets" / "style.css").is_file()

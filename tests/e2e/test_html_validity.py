"""The W3C Nu HTML Checker (npm vnu-jar) finds no errors in the built test sites, in both built-in themes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .sites import SITES, THEMES, write_site
from .test_interface_text import chinese_copy

REPO = Path(__file__).resolve().parents[2]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="module")
def vnu():
    missing = None if shutil.which("java") else "java"
    missing = missing or (None if VNU.is_file() else "node_modules/vnu-jar (npm ci --ignore-scripts)")
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the HTML checker must run in CI: {missing} is missing")
        pytest.skip(f"{missing} is missing")

    def check(*args: str) -> list[dict]:
        result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", *args], capture_output=True, text=True, timeout=300)
        return json.loads(result.stderr or result.stdout)["messages"]

    return check


@pytest.fixture(scope="module")
def published_sites(tmp_path_factory) -> list[Path]:
    """Every test site (tests/e2e/sites.py: the example, the rich site, the full CV of `cvsite new`,
    a site long enough for paginated listings) in each built-in theme, and the example in Chinese,
    built for https://user.github.io/repo/ as the Pages workflow builds them: with base_url the head
    carries canonical URLs, feeds, OpenGraph, Scholar tags and JSON-LD, which a local build leaves out."""
    from generator.pipeline import BuildOptions, build

    root = tmp_path_factory.mktemp("validity")
    built = []
    for theme in THEMES:
        for name in SITES:
            out = root / f"{name}-{theme}-output"
            build(
                BuildOptions(write_site(name, root / f"{name}-{theme}", theme), out, base_url="https://user.github.io/repo/", cache=False)
            )
            built.append(out)
    chinese = chinese_copy(root)  # root/zh: language zh, with a CV, a photo and every link label
    build(BuildOptions(chinese, root / "zh-output", base_url="https://user.github.io/repo/", cache=False))
    built.append(root / "zh-output")
    return built


def test_every_page_is_valid_html(example_site, published_sites, vnu):
    """Every page of the local build of the example site and of every published test site, in one checker run."""
    messages = vnu("--skip-non-html", str(example_site), *map(str, published_sites))
    # The checker's language guess is a heuristic on the page's words: a page that is mostly a list
    # of romanised author names reads to it as Tagalog; `lang` comes from site.yaml on purpose.
    guesses = [m for m in messages if m.get("message", "").startswith("This document appears to be written in")]
    problems = [m for m in messages if (m.get("type") == "error" or m.get("subType") == "warning") and m not in guesses]
    assert problems == [], "\n".join(f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in problems)


@pytest.mark.parametrize("stylesheet", ["themes/default/static/assets/style.css", "themes/classic/static/assets/classic.css"])
def test_the_stylesheets_are_valid_css(vnu, stylesheet):
    # checked on their own: with --also-check-css this checker misreports HTML line numbers
    messages = vnu("--css", str(REPO / stylesheet))
    errors = [m for m in messages if m.get("type") == "error"]
    assert errors == [], "\n".join(f"{stylesheet}:{m.get('lastLine')}: {m.get('message')}" for m in errors)


def test_the_checker_does_catch_errors(tmp_path, vnu):
    """Guards the two tests above against a checker that silently passes everything."""
    (tmp_path / "bad.html").write_text("<!DOCTYPE html><html lang=en><title>x</title><p><div></span>")
    assert any(m.get("type") == "error" for m in vnu("--skip-non-html", str(tmp_path)))


def test_the_css_checker_does_catch_errors(tmp_path, vnu):
    (tmp_path / "bad.css").write_text("a { colr: red; width: 10pz }\n")
    assert any(m.get("type") == "error" for m in vnu("--css", str(tmp_path / "bad.css")))

"""Lighthouse 12.8 (mobile preset, served without compression) on the example site's home, a
category and a year page, in both built-in themes: accessibility, best practices and SEO at 100,
and the page facts that make its performance score."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"


def lighthouse(url: str, profile: Path) -> dict:
    flags = " ".join([*CHROMIUM_ARGS, f"--user-data-dir={profile}"])
    result = subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", "--quiet", f"--chrome-flags={flags}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert not report.get("runtimeError"), report["runtimeError"]
    return report


@pytest.fixture(scope="module")
def site_url(published):
    """site_url(theme): the example site in a theme, built for a project site at /repo/."""
    if not LIGHTHOUSE.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Lighthouse must be installed in CI (npm ci --ignore-scripts)")
        pytest.skip("node_modules/.bin/lighthouse is missing (npm ci --ignore-scripts)")
    return lambda theme: published("example", theme)[1]


@pytest.mark.parametrize("path", ["", "categories/cv/", "years/2025/"])
@pytest.mark.parametrize("theme", ["default", "classic"])
def test_lighthouse_scores_the_example_site(site_url, tmp_path, theme, path):
    report = lighthouse(site_url(theme) + path, tmp_path / "profile")
    scores = {name: round(category["score"] * 100) for name, category in report["categories"].items()}
    assert scores["accessibility"] == scores["best-practices"] == scores["seo"] == 100, scores
    # The performance score is a timing: 100 on a quiet machine, 81 on one busy with other test
    # runs, so it is measured by bench/bench_listings.py, not asserted here. What makes it, is:
    # nothing shifts, the page is small, nothing blocks the main thread.
    audits = report["audits"]
    assert audits["cumulative-layout-shift"]["numericValue"] == 0
    assert audits["total-byte-weight"]["numericValue"] < 150_000
    assert audits["dom-size"]["numericValue"] <= 1400

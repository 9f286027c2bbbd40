"""The README's quick start works as written, on a fresh copy of the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .conftest import clean_env, snapshot_repository

REPO = Path(__file__).resolve().parents[2]


def section(markdown: str, title: str) -> str:
    start = markdown.index(f"\n## {title}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end >= 0 else None]


def fenced_commands(markdown: str) -> list[str]:
    return [block.strip() for block in re.findall(r"^```sh\n(.*?)^```$", markdown, re.MULTILINE | re.DOTALL)]


def test_the_quick_start_commands_work_as_written(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = fenced_commands(section(readme, "Quick start"))
    assert len(blocks) == 2, blocks
    setup, tests = blocks
    # Running the test suite from inside the test suite would recurse: CI runs that command instead,
    # verbatim (.ci/run, which .github/workflows/ci.yml runs on every push).
    assert "pytest" in tests and tests in (REPO / ".ci/run").read_text(encoding="utf-8").splitlines()

    # The README says later commands run in the quick start's venv; the first of them makes a site.
    (first_site,) = re.findall(r"^1\. `(cvsite new [^`]+)`", section(readme, "Publish on GitHub Pages"), re.MULTILINE)
    clone = snapshot_repository(tmp_path / "cvsite")
    script = f"set -e\n{setup}\n{first_site}\n"
    result = subprocess.run(["bash", "-c", script], cwd=clone, env=clean_env(), capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (clone / "output/index.html").is_file() and (clone / ".venv/bin/cvsite").is_file()
    built = [line for line in result.stdout.splitlines() if line.startswith("Built ")]
    assert len(built) == 2 and "2 papers" in built[1], result.stdout
    site = clone / first_site.split()[2]
    assert (site / "output/index.html").is_file() and (site / "requirements.txt").is_file()

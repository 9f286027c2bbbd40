"""Start-up: `cvsite build` imports a text library only when a record needs it (markdown-it for
Markdown, pylatexenc for LaTeX commands, latex2mathml for formulas) and multiprocessing only
when it forks workers; a small site of plain text needs none of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PAPER, REPO

LIBRARIES = ("markdown_it", "pylatexenc", "latex2mathml", "multiprocessing")
PROBE = """
import json, sys
from generator.cli import main
assert main(["build", "--site", sys.argv[1], *sys.argv[2:]]) == 0
print(json.dumps(sorted(name for name in {libraries!r} if name in sys.modules)))
"""


def imported_by_build(site: Path, cache: bool = False) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(libraries=LIBRARIES), str(site), *([] if cache else ["--no-cache"])],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        timeout=120,
        check=True,
    )
    return json.loads(run.stdout.splitlines()[-1])


def test_plain_records_need_no_text_library(make_site):
    site = make_site({"content/papers/a.md": PAPER, "content/papers/b.md": PAPER.replace("A Paper", "Another (Longer) Paper")})
    assert imported_by_build(site) == []
    assert "<h1>Another (Longer) Paper" in (site / "output/papers/b/index.html").read_text(encoding="utf-8")


def test_each_library_comes_with_the_first_record_that_needs_it(make_site):
    latex = PAPER.replace("  - Charles Babbage", '  - "Kurt G{\\\\\\"o}del"')  # a LaTeX accent in a name
    site = make_site({"content/papers/a.md": latex})
    assert imported_by_build(site) == ["pylatexenc"]
    assert "Kurt Gödel" in (site / "output/index.html").read_text(encoding="utf-8")
    # (simple inline Markdown, as *emphasis*, is answered without the parser: a list needs it)
    (site / "content/papers/b.md").write_text(PAPER.replace("An abstract.", "An abstract:\n\n- with\n- a list"), encoding="utf-8")
    assert imported_by_build(site) == ["markdown_it", "pylatexenc"]
    (site / "content/papers/c.md").write_text(PAPER.replace("An abstract.", "Costs $O(n^2)$ steps."), encoding="utf-8")
    assert imported_by_build(site) == ["latex2mathml", "markdown_it", "pylatexenc"]
    assert "<math" in (site / "output/index.html").read_text(encoding="utf-8")


def test_a_cached_build_after_a_title_edit_renders_no_abstract_again(make_site, edit):
    """An abstract's rendering is kept under its text: a build after an edit of another field
    makes the paper's entry again without parsing the abstract, nor loading the libraries for
    its Markdown and formulas; the page still shows both."""
    abstract = "Costs $O(n^2)$ steps:\n\n- with\n- a list"
    site = make_site({"content/papers/a.md": PAPER.replace("An abstract.", abstract)})
    assert {"latex2mathml", "markdown_it"} <= set(imported_by_build(site, cache=True))
    edit(site / "content/papers/a.md", "title: A Paper", "title: A Retitled Paper")
    assert imported_by_build(site, cache=True) == []
    page = (site / "output/papers/a/index.html").read_text(encoding="utf-8")
    assert "A Retitled Paper" in page and "<math" in page and "<li>a list</li>" in page
    edit(site / "content/papers/a.md", "- a list", "- a longer list")  # the abstract itself: rendered again
    assert {"latex2mathml", "markdown_it"} <= set(imported_by_build(site, cache=True))
    assert "<li>a longer list</li>" in (site / "output/papers/a/index.html").read_text(encoding="utf-8")

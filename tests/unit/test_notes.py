"""Warnings name the line of the record where the text they quote is, however much blank space
the Markdown body starts with (records keep their body stripped: load.parse_record)."""

from __future__ import annotations

import pytest

from generator.pipeline import BuildOptions, render_site
from tests.conftest import PAPER, PROFILE

BROKEN = "Second paragraph with $a^$ math."


def _line_of(text: str, part: str) -> int:
    return text[: text.index(part)].count("\n") + 1


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("space", ["", "\n", "\n\n   \n\t\n", "  "])
def test_an_abstract_warning_names_its_line_after_blank_lines(make_site, space, newline):
    record = PAPER.replace("---\nAn abstract.", f"---\n{space}An abstract.\n\n{BROKEN}").replace("\n", newline)
    root = make_site({"content/papers/p.md": record})
    warnings = render_site(BuildOptions(root, jobs=1)).warnings
    assert [(w.path, w.line, w.field) for w in warnings] == [("content/papers/p.md", _line_of(record, BROKEN), "abstract")]


def test_a_bio_warning_names_its_line_after_blank_lines(make_site):
    profile = PROFILE.replace("---\nWrites", "---\n\n\nWrites").replace("engines.", f"engines.\n\n{BROKEN}")
    root = make_site({"content/profile.md": profile, "content/papers/p.md": PAPER})
    warnings = render_site(BuildOptions(root, jobs=1)).warnings
    assert [(w.path, w.line, w.field) for w in warnings] == [("content/profile.md", _line_of(profile, BROKEN), "bio")]

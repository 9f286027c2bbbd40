"""Warnings name the line of the record where the text they quote is, however much blank space
the Markdown body starts with (records keep their body stripped: load.parse_record)."""

from __future__ import annotations

import pytest

from generator import parallel
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


def test_a_warning_names_its_line_when_workers_parsed_the_records(make_site, monkeypatch):
    """Records parsed by forked workers come back packed and, once validated, keep only that
    (load.RawRecord.release): the warning's line is read from them unpacked again."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    record = PAPER.replace("---\nAn abstract.", f"---\n\n\nAn abstract.\n\n{BROKEN}")
    files = {f"content/papers/p{i}.md": PAPER.replace("A Paper", f"Paper {i}") for i in range(4)}
    root = make_site(files | {"content/papers/p.md": record})
    rendered = render_site(BuildOptions(root, jobs=2), defer=True)  # a build: records parsed on every core
    assert rendered.raw is not None
    assert [r.path for r in rendered.raw.papers if "_content" in vars(r)] == ["content/papers/p.md"]  # unpacked for its warning only
    assert [(w.path, w.line, w.field) for w in rendered.warnings] == [("content/papers/p.md", _line_of(record, BROKEN), "abstract")]

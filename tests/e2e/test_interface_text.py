"""Interface text comes from the catalogue of the site's language, and site.yaml can reword any
single string; what the numbers mean is part of it."""

from __future__ import annotations

import pytest

from generator.errors import ContentError
from generator.pipeline import BuildOptions, build

from .helpers import parse_strict

PAPER = "---\ntitle: A\nauthors: [Ada Lovelace]\ndate: 2020\ncategory: CV\nscore: 7.5\n---\nx\n"


def notes(out):
    tree = parse_strict(out / "index.html")
    (explain,) = [d for d in tree.iter("details") if d.attrib.get("class") == "explain"]
    return dict(zip(("".join(e.itertext()) for e in explain.iter("dt")), ("".join(e.itertext()) for e in explain.iter("dd"))))


def test_the_numbers_are_explained_in_the_site_s_own_words(make_site, tmp_path):
    root = make_site({"site.yaml": "strings:\n  note_score: Reviewer score from our lab's reading group.\n", "content/papers/a.md": PAPER})
    out = tmp_path / "out"
    build(BuildOptions(root, out))
    explained = notes(out)
    assert explained["Score"] == "Reviewer score from our lab's reading group."
    assert explained["Papers"] == "Papers listed on this site."  # the default for the rest
    paper = "".join(parse_strict(out / "papers/a/index.html").itertext())
    assert "Reviewer score from our lab's reading group." in paper


def test_chinese_sites_get_chinese_interface_text_whatever_the_machine_s_locale(make_site, tmp_path, monkeypatch):
    root = make_site({"site.yaml": "language: zh-CN\n", "content/papers/a.md": PAPER})
    pages = []
    for locale in ("C", "de_DE.UTF-8"):
        monkeypatch.setenv("LANG", locale)
        monkeypatch.setenv("LC_ALL", locale)
        out = tmp_path / f"out-{locale}"
        build(BuildOptions(root, out))
        pages.append((out / "index.html").read_bytes())
    assert pages[0] == pages[1]
    assert notes(tmp_path / "out-C")["Papers"] == "本站列出的论文数。"


def test_an_unknown_string_name_is_an_error_on_its_line(make_site, tmp_path):
    root = make_site({"site.yaml": "title: T\nstrings:\n  note_scroe: x\n"})
    with pytest.raises(ContentError) as raised:
        build(BuildOptions(root, tmp_path / "out"))
    (problem,) = raised.value.problems
    assert str(problem).startswith("site.yaml:3: strings") and "note_score" in str(problem)

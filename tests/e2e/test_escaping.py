"""Record text is data: hostile text in every field comes out as text, never as markup."""

from __future__ import annotations

import json

from generator.pipeline import BuildOptions, build

from .helpers import html_pages, parse_strict

EVIL = '<script>alert(1)</script>"><img src=x onerror=alert(1)> & {{ 7*7 }}'


def q(value: str) -> str:
    return json.dumps(value)  # a YAML double-quoted string


def test_hostile_text_in_every_field_is_escaped(make_site, tmp_path):
    root = make_site({
        "site.yaml": f"title: {q('Site ' + EVIL)}\nauthor: {q('Eve ' + EVIL)}\nextra: {{note: {q(EVIL)}}}\n",
        "content/profile.md": f"---\nname: {q('Eve ' + EVIL)}\nheadline: {q(EVIL)}\naffiliation: {q(EVIL)}\n"
                              f"email: {q(EVIL)}\nlinks:\n  {q('Home ' + EVIL)}: https://example.org/\n"
                              f"---\nBio {EVIL}\n",
        "content/papers/evil.md": f"---\ntitle: {q('Title ' + EVIL)}\nauthors: [{q('Eve ' + EVIL)}, {q(EVIL)}]\n"
                                  f"date: 2022\ncategory: CV\naffiliation: {q(EVIL)}\nvenue: {q(EVIL)}\n"
                                  f"tags: [{q(EVIL)}]\nscore: 1\nlinks:\n  {q('x' + EVIL)}: https://example.org/?a=1&b=2\n"
                                  f"---\nAbstract {EVIL}\n",
    })
    out = tmp_path / "out"
    build(BuildOptions(root, out))
    pages = html_pages(out)
    assert len(pages) >= 7
    for page in pages:
        tree = parse_strict(page)
        for script in tree.iter("script"):
            # the only scripts are JSON-LD data, which record text must not be able to close
            assert script.attrib.get("type") == "application/ld+json", page
            assert "<" not in script.text and json.loads(script.text)
        assert not [i for i in tree.iter("img") if "onerror" in i.attrib], page
        assert "<script>alert" not in page.read_text(encoding="utf-8")
        assert "{{ 7*7 }}" in "".join(tree.itertext())  # shown as typed, never evaluated
    paper = parse_strict(out / "papers/evil/index.html")
    visible = " ".join(paper.itertext())
    assert "Title <script>alert(1)</script>" in visible and "Abstract <script>" in visible
    (data,) = [json.loads(s.text) for s in paper.iter("script")]
    assert data["headline"].startswith("Title <script>alert(1)</script>\"><img src=x onerror=alert(1)> &")

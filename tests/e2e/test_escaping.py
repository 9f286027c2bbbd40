"""Record text is data: hostile text in every field comes out as text, never as markup."""

from __future__ import annotations

import json

import pytest

from generator.pipeline import BuildOptions, build

from .helpers import html_pages, is_cite_script, parse_strict

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
EVIL = f"{SCRIPT}{IMG} & {{{{ 7*7 }}}}"
URL_EVIL = 'https://example.org/"><script>alert(1)</script>'  # a valid URL: no spaces


def q(value: str) -> str:
    return json.dumps(value)  # a YAML double-quoted string


YAML_TITLE = "Yaml " + EVIL + " $\\text{" + SCRIPT + "}$"


def hostile_files(allow_html: bool = False) -> dict[str, str]:
    return {
        "site.yaml": f"title: {q('Site ' + EVIL)}\nauthor: {q('Eve ' + EVIL)}\nallow_html: {str(allow_html).lower()}\n"
        f"categories:\n  QX: {q('Cat ' + EVIL)}\nextra: {{note: {q(EVIL)}}}\n",
        "content/profile.md": f"---\nname: {q('Eve ' + EVIL)}\nheadline: {q('Head ' + EVIL)}\naffiliation: {q('Aff ' + EVIL)}\n"
        f"email: {q(EVIL)}\nphoto: {q('me.jpg?' + SCRIPT)}\n"
        f"links:\n  {q('Home ' + EVIL)}: {q(URL_EVIL)}\n---\nBio {EVIL}\n\n[x](javascript:alert(1))\n",
        "content/papers/evil.md": f"---\ntitle: {q('Title ' + EVIL)}\nauthors: [{q('Eve ' + EVIL)}, {q('Other ' + EVIL)}]\net_al: true\n"
        f"date: 2022\ncategory: QX\naffiliation: {q('Aff ' + EVIL)}\nvenue: {q('Venue ' + EVIL)}\n"
        f"tags: [{q('Tag ' + EVIL)}]\nscore: 1\ncitations: 3\nextra: {{x: {q(EVIL)}}}\n"
        f"links:\n  {q('Label ' + EVIL)}: {q(URL_EVIL)}\n  code: {q(URL_EVIL)}\n"
        f"---\nAbstract {EVIL}\n\n$\\text{{{SCRIPT}}}$ and \\textbf{{{SCRIPT}}}\n",
        "content/papers/evil-yaml.yaml": f"title: {q(YAML_TITLE)}\nauthors: [{q(EVIL)}]\n"
        f"date: 2023-01\ncategory: CV\nabstract: {q('Yabstract ' + EVIL)}\n",
        "static/me.jpg": "a photo, which must exist",
    }


def elements(tree) -> list:
    return [e for e in tree.iter() if isinstance(e.tag, str)]


def own_script(element) -> bool:
    """The theme's scripts: assets/site.js and the colour-scheme snippet, with no record text in it."""
    src, text = element.attrib.get("src", ""), element.text or ""
    if src:
        return src.endswith("assets/site.js") and not text
    return (
        text.startswith('document.documentElement.classList.add("js");try{var t=localStorage.getItem("cvsite-theme")')
        and "alert" not in text
        and "Eve" not in text
    )


def injected(tree) -> list[str]:
    """Elements or attributes that only record text could have put there."""
    found = []
    for element in elements(tree):
        tag = element.tag.rpartition("}")[2]
        if (
            tag == "script"
            and element.attrib.get("type") != "application/ld+json"
            and not own_script(element)
            and not is_cite_script(element)
        ):
            found.append("script")
        if tag in ("img", "iframe", "svg", "object", "embed") and not {"avatar", "chart-svg"} & set(
            element.attrib.get("class", "").split()
        ):
            found.append(tag)
        found += [f"{tag}@{name}" for name in element.attrib if name.lower().startswith("on")]
        found += [f"{tag}@{name}" for name, value in element.attrib.items() if value.strip().lower().startswith("javascript:")]
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("evil")
    for rel, text in hostile_files().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("evil-out") / "out"
    build(BuildOptions(root, out, base_url="https://user.github.io/repo/"))
    return out


def test_no_element_or_attribute_comes_from_record_text(built):
    pages = html_pages(built)
    assert len(pages) == 6 + 2 + 2 + 2  # home, categories, years, CV, search, 404; 2 papers; QX, CV; 2022, 2023
    for page in pages:
        tree = parse_strict(page)
        assert injected(tree) == [], page
        for script in tree.iter("script"):
            if script.attrib.get("type") == "application/ld+json":
                assert "<" not in script.text and json.loads(script.text)  # record text cannot close it


def test_hostile_text_is_shown_as_typed(built):
    for page in html_pages(built):
        text = "".join(parse_strict(page).itertext())
        assert "{{ 7*7 }}" in text, page  # the profile name, in every footer: shown, never evaluated
        assert "49" not in text.replace("2049", ""), page
        assert SCRIPT in text, page
    paper = "".join(parse_strict(built / "papers/evil/index.html").itertext())
    for label in ("Eve ", "Aff ", "Venue ", "Tag ", "Label ", "Cat "):  # plain text fields
        assert label + SCRIPT + IMG + " & {{ 7*7 }}" in paper, label
    # title, authors and abstract may hold LaTeX, where {...} is a group: the braces go, the text stays
    for label in ("Title ", "Other ", "Abstract "):
        assert label + SCRIPT + IMG + " & 7*7" in " ".join(paper.split()).replace("&  7", "& 7"), label
    assert paper.count(SCRIPT) >= 10  # also from the math \text{} and \textbf{} in the abstract
    home = "".join(parse_strict(built / "index.html").itertext())
    for label in ("Eve ", "Head ", "Aff ", "Home ", "Bio ", "Title ", "Yaml ", "Yabstract "):
        assert label + SCRIPT in home, label


def test_hostile_urls_stay_inside_their_attribute(built):
    paper = parse_strict(built / "papers/evil/index.html")
    assert sum(a.attrib.get("href") == URL_EVIL for a in paper.iter("a")) == 2
    home = parse_strict(built / "index.html")
    assert any(a.attrib.get("href") == URL_EVIL for a in home.iter("a"))
    (avatar,) = [i for i in home.iter("img")]
    assert avatar.attrib["src"].endswith("me.jpg?" + SCRIPT)
    assert any(a.attrib.get("href") == "mailto:" + EVIL for a in home.iter("a"))


def test_raw_html_gets_through_only_when_the_site_allows_it(make_site, tmp_path):
    """Guards the tests above: with allow_html the same checker does see the bio's elements."""
    root = make_site(hostile_files(allow_html=True))
    out = tmp_path / "out"
    build(BuildOptions(root, out))
    found = injected(parse_strict(out / "index.html"))
    assert "script" in found and "img" in found
    # record fields outside Markdown stay escaped even then
    paper = parse_strict(out / "papers/evil/index.html")
    for css_class, label in (("venue", "Venue "), ("affiliation", "Aff "), ("authors", "Other "), ("tags", "Tag ")):
        (element,) = [e for e in paper.iter() if css_class in e.attrib.get("class", "").split()]
        assert label + SCRIPT in "".join(element.itertext()), css_class

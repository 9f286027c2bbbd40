"""Rebuilds with a memo (what cvsite serve keeps) redo only what changed, and give exactly what a
clean build gives."""

from __future__ import annotations

from generator.memo import Memo
from generator.pipeline import BuildOptions, render_site


def keep_all(served: dict[str, bytes]):
    """What the preview does: pages it already has with these bytes are not rendered again."""
    import hashlib

    digests = {rel: hashlib.sha256(data).hexdigest() for rel, data in served.items()}
    return lambda rel, sha: digests.get(rel) == sha


def test_unchanged_site_renders_nothing_again(example_copy):
    memo = Memo()
    first = render_site(BuildOptions(example_copy), memo)
    second = render_site(BuildOptions(example_copy), memo, keep_all(first.files))
    assert second.files.keys() <= {".nojekyll"}  # nothing rendered but the fixed marker file
    assert second.digests == first.digests


def test_editing_one_paper_matches_a_clean_build(example_copy, edit):
    memo = Memo()
    first = render_site(BuildOptions(example_copy), memo)
    paper = example_copy / "content/papers/prototype-rectification-for-few-shot-learning.md"
    edit(paper, "title: Prototype Rectification", "title: Prototype Rectification Revisited")

    incremental = render_site(BuildOptions(example_copy), memo, keep_all(first.files))
    clean = render_site(BuildOptions(example_copy))
    assert incremental.digests == clean.digests
    assert {rel: clean.files[rel] for rel in incremental.files} == incremental.files
    assert "Prototype Rectification Revisited" in incremental.files["index.html"].decode()
    # the paper and its .bib, the listings and the CV (/cv/) that show it (and the search index, the
    # bibliography files, resume.json and cv.pdf, which any paper may change), not the other 26 paper pages
    html = {rel for rel in incremental.files if rel.endswith(".html") and (not rel.startswith("search/") or rel == "search/index.html")}
    assert 1 < len(html) < 10
    assert {rel for rel in html if rel.startswith("papers/")} == {"papers/prototype-rectification-for-few-shot-learning/index.html"}
    assert "papers/prototype-rectification-for-few-shot-learning/prototype-rectification-for-few-shot-learning.bib" in incremental.files
    assert {"papers.bib", "papers.json", "papers.ris"} <= incremental.files.keys()


def test_moving_a_paper_to_another_category_and_deleting_one_match_a_clean_build(example_copy, edit):
    memo = Memo()
    render_site(BuildOptions(example_copy), memo)
    edit(example_copy / "content/papers/prototype-rectification-for-few-shot-learning.md", "category: CV", "category: LG")
    (example_copy / "content/papers/korgym-a-dynamic-game-platform-for-llm-reasoning.md").unlink()

    incremental = render_site(BuildOptions(example_copy), memo)
    clean = render_site(BuildOptions(example_copy))
    assert incremental.files == clean.files
    assert not any("korgym" in path for path in incremental.files)


def test_a_new_site_template_reaches_the_pages(example_copy):
    memo = Memo()
    render_site(BuildOptions(example_copy), memo)
    (example_copy / "templates").mkdir()
    (example_copy / "templates" / "404.html").write_text("{% extends 'builtin/404.html' %}{% block title %}Lost{% endblock %}")
    rebuilt = render_site(BuildOptions(example_copy), memo)
    assert "<title>Lost</title>" in rebuilt.files["404.html"].decode()
    assert rebuilt.files == render_site(BuildOptions(example_copy)).files


def override_listing_item(site, addition: str) -> None:
    """A site-level partials/papers.html: the built-in one with something more in every item."""
    from tests.conftest import REPO

    builtin = (REPO / "templates/partials/papers.html").read_text(encoding="utf-8")
    assert '<article class="paper">' in builtin
    (site / "templates/partials").mkdir(parents=True, exist_ok=True)
    (site / "templates/partials/papers.html").write_text(
        builtin.replace('<article class="paper">', f'<article class="paper">{addition}'), encoding="utf-8"
    )


def set_headline(site, headline: str) -> None:
    profile = site / "content/profile.md"
    lines = [line for line in profile.read_text(encoding="utf-8").splitlines() if not line.startswith("headline:")]
    lines.insert(1, f"headline: {headline}")
    profile.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_listing_override_showing_the_profile_follows_profile_edits(example_copy):
    """Listing items are kept per paper; one that shows the profile must not keep the old one."""
    memo = Memo()
    override_listing_item(example_copy, '<p class="by">{{ profile.headline }}</p>')
    set_headline(example_copy, "Tinkerer")
    first = render_site(BuildOptions(example_copy), memo)
    assert '<p class="by">Tinkerer</p>' in first.files["index.html"].decode()
    set_headline(example_copy, "Keeper of Engines")
    rebuilt = render_site(BuildOptions(example_copy), memo, keep_all(first.files))
    assert rebuilt.digests == render_site(BuildOptions(example_copy)).digests
    home = rebuilt.files["index.html"].decode()
    assert '<p class="by">Keeper of Engines</p>' in home and "Tinkerer" not in home


def test_a_paper_taking_another_papers_citation_key_rebuilds_that_papers_pages(example_copy, edit):
    """Citation keys depend on the papers that want the same key, not only on their own record."""
    memo = Memo()
    first = render_site(BuildOptions(example_copy), memo)
    edit(
        example_copy / "content/papers/baichuan-m1-pushing-the-medical-capability-of.md",
        "date: 2025-02-18",
        "date: 2025-02-18\nextra:\n  citation_key: yang2023baichuan",
    )

    incremental = render_site(BuildOptions(example_copy), memo, keep_all(first.files))
    assert incremental.digests == render_site(BuildOptions(example_copy)).digests
    other = "papers/baichuan-2-open-large-scale-language-models/"
    assert "@misc{yang2023baichuanb," in incremental.files[other + "index.html"].decode()
    assert incremental.files[other + "baichuan-2-open-large-scale-language-models.bib"].startswith(b"@misc{yang2023baichuanb,")


def test_a_page_key_changes_with_each_of_its_inputs_and_with_the_page():
    """A page is rendered again when any record it shows changes, whether it shows a few papers
    or every paper (whose list is hashed once per build and shared by the pages showing it)."""
    from generator.incremental import SHARED_INPUTS, page_key
    from generator.model import Page

    every = tuple(f"content/papers/p{i}.md" for i in range(SHARED_INPUTS * 3))
    few = every[:2]
    digests = {src: f"{i:040x}" for i, src in enumerate(every)}
    pages = [Page("/cv/", "cv.html", "cv", inputs=every), Page("/papers/p0/", "paper.html", "paper", "p0", few)]
    hashed: dict[tuple[str, ...], str] = {}
    keys = [page_key(page, "shared", digests, hashed) for page in pages]
    assert keys == [page_key(page, "shared", digests) for page in pages]  # keeping a long list's hash changes no key
    assert len(set(keys)) == 2
    for page, key in zip(pages, keys):
        for src in (page.inputs[0], page.inputs[-1]):
            assert page_key(page, "shared", digests | {src: "f" * 40}, {}) != key
        assert page_key(page, "other", digests, {}) != key  # templates, config, profile, the site's shape
        assert page_key(Page(page.url, page.template, page.kind, page.key, page.inputs[:-1]), "shared", digests, {}) != key
    # the same inputs under another page, or read from another kind of file, are another key
    assert page_key(Page("/papers/p1/", "paper.html", "paper", "p1", few), "shared", digests) != keys[1]
    assert page_key(Page("/papers/p0/p0.bib", "", "paper_bibtex", "p0", few), "shared", digests) != keys[1]
    # a list of exactly one more than SHARED_INPUTS is hashed on its own, still by content
    long = every[: SHARED_INPUTS + 1]
    page = Page("/x/", "x.html", "x", inputs=long)
    assert page_key(page, "shared", digests, {}) != page_key(page, "shared", digests | {long[-1]: "0" * 40}, {})


def test_the_cvs_joined_citations_are_the_per_paper_citations(example_copy):
    """The built-in CV joins each paper's cached citation in Python (cached_citations); a site
    template calling cached_citation once per paper in a Jinja loop gets the same page, so the
    join neither drops, reorders nor escapes a citation again."""
    from tests.conftest import REPO

    builtin = (REPO / "templates/cv.html").read_text(encoding="utf-8")
    looped = builtin.replace(
        "{{ cached_citations(site.featured, false) }}",
        "    {% for entry in site.featured %}{{ cached_citation(entry, false) }}{% endfor %}",
    ).replace(
        "{{ cached_citations(group.entries, true) }}", "    {% for entry in group.entries %}{{ cached_citation(entry, true) }}{% endfor %}"
    )
    assert looped.count("cached_citation(entry") == 2
    paper = example_copy / "content/papers/prototype-rectification-for-few-shot-learning.md"
    paper.write_text(paper.read_text(encoding="utf-8").replace("---\n", "---\nfeatured: true\n", 1), encoding="utf-8")
    joined = render_site(BuildOptions(example_copy)).files["cv/index.html"]
    (example_copy / "templates").mkdir()
    (example_copy / "templates" / "cv.html").write_text(looped, encoding="utf-8")
    for memo in (None, Memo()):  # without a cache, and with one (where each citation is kept)
        assert render_site(BuildOptions(example_copy), memo).files["cv/index.html"] == joined
    papers = len(list((example_copy / "content/papers").iterdir()))
    featured = joined.decode().split('class="cv-selected"')[1].split("</section>")[0]
    assert 0 < featured.count("<li") < papers <= joined.decode().count("<li")


def test_long_input_lists_of_the_same_length_keep_their_own_hash_within_a_build():
    """The once-per-build hash of a long input list is found by the list itself: two pages whose
    lists have the same length (a category and a year of as many papers) never share it, and a
    path holding the separators' neighbours (a space, a \\x01 is a legal file name character)
    is told from the paths it could be confused with."""
    from generator.incremental import SHARED_INPUTS, page_key
    from generator.model import Page

    papers = [f"content/papers/p{i}.md" for i in range(SHARED_INPUTS * 2)]
    odd = ["content/papers/a\1b.md", "content/papers/a", "content/papers/a b.md"]
    digests = {src: f"{i:040x}" for i, src in enumerate(papers + odd)}
    first, second = tuple(papers[: SHARED_INPUTS + 1]), tuple(papers[1 : SHARED_INPUTS + 2])
    hashed: dict[tuple[str, ...], str] = {}
    pages = [Page("/categories/cv/", "category.html", "category", "cv", first), Page("/years/2024/", "year.html", "year", "2024", second)]
    keys = [page_key(page, "shared", digests, hashed) for page in pages]
    same_url = [
        page_key(Page("/categories/cv/", "category.html", "category", "cv", inputs), "shared", digests, hashed)
        for inputs in (first, second)
    ]
    assert len(hashed) == 2 and same_url[0] != same_url[1] and keys[0] != keys[1]
    assert keys == [page_key(page, "shared", digests) for page in pages]
    few = [page_key(Page("/papers/a/", "paper.html", "paper", "a", (src,)), "shared", digests) for src in odd]
    assert len(set(few)) == len(odd)


def test_a_site_override_of_the_citation_partial_reaches_every_citation_of_the_cv(example_copy):
    """The CV joins its citations in Python, each rendered by partials/cv.html's citation macro:
    a site's own partial restyles every one of them, and a change to it is seen by the next
    build with the same cache (the templates are part of each cached citation's key)."""
    from tests.conftest import REPO

    builtin = (REPO / "templates/partials/cv.html").read_text(encoding="utf-8")
    assert builtin.count('<li class="cv-entry{%') == 1
    (example_copy / "templates/partials").mkdir(parents=True)
    override = example_copy / "templates/partials/cv.html"
    papers = len(list((example_copy / "content/papers").iterdir()))
    memo = Memo()
    render_site(BuildOptions(example_copy), memo)  # the built-in citations in the cache
    for mark in ("first-style", "second-style"):
        override.write_text(builtin.replace('<li class="cv-entry{%', f'<li data-style="{mark}" class="cv-entry{{%'), encoding="utf-8")
        page = render_site(BuildOptions(example_copy), memo).files["cv/index.html"].decode()  # it starts and finishes the memo
        assert page.count(f'data-style="{mark}"') == papers and "data-style" not in page.replace(f'data-style="{mark}"', "")
        assert render_site(BuildOptions(example_copy)).files["cv/index.html"].decode() == page

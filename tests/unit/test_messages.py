"""Common mistakes get a message that says how to fix them (issue 11's table), as validation
reports them: located errors, or warnings that never stop the build."""

from __future__ import annotations

import pytest

from generator.errors import ContentError
from generator.fields import LINK_KINDS
from generator.load import load_site
from generator.validate import validate_site
from generator.yamlio import YamlProblem, parse_mapping
from tests.samples import TINYSEG

PAPER = TINYSEG


def messages(make_site, text: str, rel: str = "content/papers/p.md") -> tuple[list[str], list[str]]:
    """(errors, warnings) of a site with this one paper, as printed."""
    root = make_site({rel: text})
    try:
        site = validate_site(load_site(root))
    except ContentError as exc:
        return [str(p) for p in exc.problems], [str(p) for p in exc.warnings]
    return [], [str(p) for p in site.warnings]


def test_the_good_paper_has_no_problem(make_site):
    assert messages(make_site, PAPER) == ([], [])


def test_unquoted_colon_says_to_quote_and_gives_the_fixed_line(make_site):
    errors, _ = messages(make_site, PAPER.replace("title: TinySeg", "title: TinySeg: Real-Time Segmentation"))
    assert errors == [
        (
            "content/papers/p.md:2: title: invalid YAML: the value contains ': ', so it must be in quotes; "
            "write the line as: title: 'TinySeg: Real-Time Segmentation'"
        )
    ]


@pytest.mark.parametrize(
    "text, field, path, value",
    [
        ("title: It's: here\n", "title", ("title",), "It's: here"),  # a quote inside is doubled
        ("links:\n  pdf: see: here\n", "links.pdf", ("links", "pdf"), "see: here"),
        ("authors:\n  - Ada\n  - Mira: Okonkwo: x\n", "authors", ("authors", 1), "Mira: Okonkwo: x"),
    ],
)
def test_the_fixed_line_reads_as_the_value_meant(text, field, path, value):
    with pytest.raises(YamlProblem) as caught:
        parse_mapping(text)
    assert caught.value.field == field
    fixed = caught.value.message.split("write the line as: ", 1)[1]
    lines = text.splitlines()
    bad = lines[caught.value.line - 1]
    lines[caught.value.line - 1] = bad[: len(bad) - len(bad.lstrip())] + fixed
    data = parse_mapping("\n".join(lines)).data
    for key in path:
        data = data[key]
    assert data == value


def test_a_link_kind_at_the_top_level_belongs_under_links(make_site):
    errors, _ = messages(make_site, PAPER.replace("  code: https", "code: https"))
    assert errors == [
        (
            "content/papers/p.md:9: code: 'code' is a link kind, not a field: it belongs under 'links:', "
            "indented by two spaces ('links:' on a line of its own, then '  code: https://…')"
        )
    ]


def test_a_link_line_indented_below_an_unindented_one(make_site):
    text = PAPER.replace("  code: https", "code: https").replace("tinyseg\n", "tinyseg\n  pdf: https://x.org/a.pdf\n")
    errors, _ = messages(make_site, text)
    assert len(errors) == 1 and errors[0].startswith("content/papers/p.md:10: file: invalid YAML: 'pdf:' is not allowed here")
    assert "indented deeper than line 9 ('code: …')" in errors[0] and "'code' is a link kind" in errors[0]


def test_an_author_indented_too_far_is_a_warning(make_site):
    errors, warnings = messages(make_site, PAPER.replace("  - Mira", "    - Mira"))
    assert errors == []
    assert warnings == [
        (
            "content/papers/p.md:3: authors: warning: author 1 'Priya Raman - Mira Okonkwo' looks like two "
            "names run together: put each '- ' at the same indentation as the first"
        )
    ]


def test_a_web_address_without_scheme_is_a_warning_with_the_fix(make_site):
    errors, warnings = messages(make_site, PAPER.replace("https://github.com", "github.com"))
    assert errors == []
    assert warnings == [
        (
            "content/papers/p.md:9: links.code: warning: 'github.com/x/tinyseg' has no https://, so it would "
            "be a link inside the site; write 'https://github.com/x/tinyseg'"
        )
    ]


@pytest.mark.parametrize(
    "target",
    [
        "slides/talk.pdf",
        "/files/paper.pdf",
        "paper.pdf",
        "../x.html",
        "mailto:a@b.org",
        "https://github.com/x",
        "v1.0/notes.pdf",
        "files.zip/readme",
    ],
)
def test_site_paths_and_full_addresses_are_not_warned_about(make_site, target):
    assert messages(make_site, PAPER.replace("https://github.com/x/tinyseg", target)) == ([], [])


def test_profile_links_without_scheme_are_warned_about_too(make_site):
    root = make_site({"content/profile.md": "---\nname: Ada\nlinks:\n  GitHub: www.github.com/ada\n---\nBio.\n"})
    site = validate_site(load_site(root))
    assert [str(w) for w in site.warnings] == [
        (
            "content/profile.md:4: links.GitHub: warning: 'www.github.com/ada' has no https://, so it would be a link inside "
            "the site; write 'https://www.github.com/ada'"
        )
    ]


def test_a_link_kind_typo_is_a_warning_with_did_you_mean(make_site):
    errors, warnings = messages(make_site, PAPER.replace("  code:", "  cod:"))
    assert errors == []
    assert warnings == [
        (
            "content/papers/p.md:9: links.cod: warning: unknown link kind 'cod' (did you mean 'code'?); "
            "it is shown as a button labelled 'Cod'"
        )
    ]


@pytest.mark.parametrize("kind", [*LINK_KINDS, "Code", "huggingface", "homepage", "github"])
def test_known_and_own_link_kinds_are_not_warned_about(make_site, kind):
    assert messages(make_site, PAPER.replace("  code:", f"  {kind}:")) == ([], [])


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("ML", "'LG' (Machine Learning) or 'stat.ML' (Machine Learning)"),
        ("computer vision", "'CV' (Computer Vision and Pattern Recognition)"),
        ("Machine Learning", "'LG' (Machine Learning)"),
        ("CVV", "'CV' (Computer Vision and Pattern Recognition)"),
    ],
)
def test_an_unknown_category_suggests_by_code_and_by_name_and_says_where_the_list_is(make_site, typed, meant):
    errors, _ = messages(make_site, PAPER.replace("category: CV", f"category: {typed}"))
    (error,) = errors
    assert error.startswith(f"content/papers/p.md:7: category: unknown category '{typed}' (did you mean {meant}")
    assert "https://arxiv.org/category_taxonomy" in error and "under 'categories' in site.yaml" in error


@pytest.mark.parametrize("written, value", [('"46%"', 46), ("'46.5 %'", 46.5), ("46", 46)])
def test_percentage_metrics_accept_a_percent_sign(make_site, written, value):
    root = make_site({"content/profile.md": f"---\nname: Ada\nmetrics:\n  novelty: {written}\n  ai_score: '50%'\n---\n"})
    metrics = validate_site(load_site(root)).profile.metrics
    assert metrics.novelty == value and metrics.ai_score == 50


@pytest.mark.parametrize("written, message", [('"146%"', "must be at most 100"), ('"a lot%"', "expected a number")])
def test_a_bad_percentage_is_still_an_error(make_site, written, message):
    root = make_site({"content/profile.md": f"---\nname: Ada\nmetrics:\n  novelty: {written}\n---\n"})
    with pytest.raises(ContentError) as caught:
        validate_site(load_site(root))
    (problem,) = caught.value.problems
    assert str(problem).startswith("content/profile.md:4: metrics.novelty: ") and message in str(problem)


def test_h_index_is_no_percentage(make_site):
    root = make_site({"content/profile.md": '---\nname: Ada\nmetrics:\n  h_index: "12%"\n---\n'})
    with pytest.raises(ContentError) as caught:
        validate_site(load_site(root))
    assert "expected a whole number" in str(caught.value.problems[0])


def test_warnings_are_listed_beside_errors(make_site):
    root = make_site(
        {"content/papers/a.md": PAPER.replace("  code:", "  cod:"), "content/papers/b.md": PAPER.replace("category: CV", "category: CVV")}
    )
    with pytest.raises(ContentError) as caught:
        validate_site(load_site(root))
    assert [p.path for p in caught.value.problems] == ["content/papers/b.md"]
    assert [(p.path, p.field, p.warning) for p in caught.value.warnings] == [("content/papers/a.md", "links.cod", True)]


def test_latex_emphasis_and_bold_become_em_and_strong_in_html_and_plain_elsewhere():
    from generator.markup import render

    html, text = render(r"\emph{Fast} \textbf{M}odel in $O(n \log n)$ for Schr{\"o}dinger", inline=True)
    assert html.startswith('<em>Fast</em> <strong>M</strong>odel in <span class="math inline"><math')
    assert html.endswith(" for Schrödinger")
    assert text == "Fast Model in O(n log n) for Schrödinger"


@pytest.mark.parametrize(
    "source, html, text",
    [
        (r"\textit{a \textbf{b} c}", "<em>a <strong>b</strong> c</em>", "a b c"),
        (r"\emph{<b>x</b>}", "<em>&lt;b&gt;x&lt;/b&gt;</em>", "<b>x</b>"),  # record text stays data
        (r"\emph{unclosed", "unclosed", "unclosed"),
        (r"an \emph{}", "an <em></em>", "an"),
    ],
)
def test_emphasis_nests_escapes_and_survives_bad_braces(source, html, text):
    from generator.markup import render

    assert render(source, inline=True) == (html, text)


@pytest.mark.parametrize(
    "tex, text",
    [
        (r"O(n \log n)", "O(n log n)"),
        (r"\alpha + \beta", "α + β"),
        (r"\mathbb{R}^n", "ℝ^n"),
        (r"\leq 5", "≤ 5"),
    ],
)
def test_math_in_plain_text_is_unicode(tex, text):
    from generator.markup import render

    assert render(f"Runs in ${tex}$.")[1] == f"Runs in {text}."

"""Record text to HTML: LaTeX becomes Unicode, math becomes MathML, raw HTML and bad links stay inert."""

from __future__ import annotations

import html5lib

from generator.markup import latex_text, render, render_block, render_inline


def text_of(fragment: str) -> str:
    return "".join(html5lib.parseFragment(fragment, namespaceHTMLElements=False).itertext())


def test_latex_text_commands_become_unicode():
    assert latex_text(r"\textbf{M}odel \textbf{E}xclusive") == "Model Exclusive"
    assert latex_text(r"Schr{\"o}dinger and G{\"o}del") == "Schrödinger and Gödel"
    assert latex_text(r"\emph{pages} 10--20") == "pages 10–20"


def test_plain_text_is_untouched_by_latex_conversion():
    for plain in ("AUCs of 98.1% and 89.8% on Ped2", "see https://github.com/a_b/c~d", "A & B # C"):
        assert latex_text(plain) == plain


def test_percent_is_literal_not_a_latex_comment():
    html, text = render(r"We reach 98.1% \textbf{here} %We make contributions.")
    assert "98.1%" in text and "%We make contributions." in text and "here" in text


def test_dollar_math_becomes_mathml_without_javascript():
    html = render_block(r"On PASCAL-$5^i$ and COCO-$20^i$.")
    assert html.count("<math") == 2 and "<msup>" in html
    assert "<script" not in html and "$" not in text_of(html)


def test_display_math_block():
    html = render_block("Before\n\n$$\n\\sum_{i=1}^n x_i\n$$\n\nafter")
    assert 'display="block"' in html


def test_prices_are_not_math():
    html = render_block("It costs $5 and $10 per run.")
    assert "<math" not in html and "$5" in html


def test_raw_html_is_escaped_unless_allowed():
    source = "Hello <script>alert(1)</script> <b>bold</b>"
    escaped = render_block(source, allow_html=False)
    assert "<script>" not in escaped and "&lt;script&gt;" in escaped
    assert "<b>bold</b>" in render_block(source, allow_html=True)


def test_javascript_links_are_not_made_into_links():
    html = render_block("[click](javascript:alert(1)) and [data](data:text/html,x) and [ok](https://ok.org)")
    assert 'href="javascript' not in html.lower() and 'href="data' not in html
    assert '<a href="https://ok.org">ok</a>' in html


def test_bare_urls_in_abstracts_become_links_without_trailing_period():
    html = render_block("Code is available at https://github.com/Terry9a/DSRC.")
    assert '<a href="https://github.com/Terry9a/DSRC">' in html


def test_title_renders_inline_without_paragraph():
    html = render_inline(r"A \emph{Study} of $\alpha$")
    assert not html.startswith("<p>") and "<math" in html and "Study" in html

"""Record text to HTML: LaTeX becomes Unicode, math becomes MathML, raw HTML and bad links stay inert."""

from __future__ import annotations

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.markup import latex_text, render, render_block, render_inline, render_noted


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


def elements(fragment: str) -> list[str]:
    tree = html5lib.parseFragment(fragment, namespaceHTMLElements=False)
    return [e.tag.rpartition("}")[2] for e in tree.iter() if isinstance(e.tag, str)]


def test_math_text_cannot_smuggle_in_markup():
    # latex2mathml put \text{...} content into the MathML unescaped
    for source in (
        r"$\text{<script>alert(1)</script>}$",
        r"$\mbox{<img src=x onerror=alert(1)>}$",
        r"$\textbf{<b>x</b>}$",
        r"$$\text{<script>alert(1)</script>}$$",
    ):
        html = render_block(source)
        tags = elements(html)
        assert "math" in tags, html
        assert not {"script", "img", "b"} & set(tags), html
        assert "<script" in text_of(html) or "<img" in text_of(html) or "<b>" in text_of(html)


def test_math_links_are_dropped():
    html = render_block(r"$\href{javascript:alert(1)}{x}$")
    assert "javascript" not in html and "<math" in html


def test_math_symbols_survive_escaping():
    html = render_block(r"$a < b \leq c$ and $x \& y$")
    assert "a<b≤c" in text_of(html).replace(" ", "")
    assert html.count("<math") == 2


def test_latex_commands_in_a_sentence():
    html, text = render(r"\textbf{M}odel \textbf{E}xclusive \textbf{T}ask \textbf{A}rithmetic for Schr{\"o}dinger, 1--2")
    assert text == "Model Exclusive Task Arithmetic for Schrödinger, 1–2"
    assert "\\" not in html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "<javascript:alert(1)>",
        "![x](javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "[x][r]\n\n[r]: javascript:alert(1)",
    ],
)
def test_unsafe_markdown_links_are_not_links(source):
    html = render_block(source)
    assert not {"a", "img"} & set(elements(html)), html


def test_percent_signs_in_abstracts_stay(tmp_path):
    html, text = render("AUCs of 98.1% and 89.8% on Ped2 and CUHK, 100% of the time")
    assert "98.1% and 89.8% on Ped2" in text and "100% of the time" in text


def test_raw_html_in_markdown_never_becomes_elements_unless_allowed():
    source = 'Hi <img src=x onerror=alert(1)> <iframe src="https://x.org"></iframe>\n\n<div onclick="x()">block</div>'
    assert not {"img", "iframe", "div"} & set(elements(render_block(source)))
    assert {"img", "iframe", "div"} <= set(elements(render_block(source, allow_html=True)))


def _parsed(source: str, allow_html: bool):
    from generator.markup import _text_of, markdown

    md = markdown(allow_html)
    env: dict = {}
    tokens = md.parse(source, env)
    return md.renderer.render(tokens, md.options, env), _text_of(tokens)


def _parsed_inline(source: str, allow_html: bool, links: bool) -> tuple[str, str]:
    from generator.markup import _text_of, markdown

    md = markdown(allow_html, links)
    env: dict = {}
    tokens = md.parseInline(source, env)
    return md.renderer.render(tokens, md.options, env).strip(), _text_of(tokens)


def test_text_without_markdown_skips_the_parser_with_the_same_output():
    """render() answers plain prose without markdown-it; on thousands of texts built from prose and
    every Markdown, LaTeX and link trigger, whenever it does, the parser gives the very same."""
    import random

    from generator.markup import _plain

    pieces = [
        *"abcXYZéß1209",
        " ",
        " ",
        "\n",
        "\n\n",
        "\n\n\n",
        ".",
        ",",
        ";",
        ":",
        "'",
        '"',
        "(",
        ")",
        "?",
        "/",
        "%",
        "-",
        "--",
        "1.",
        "2)",
        "www.",
        "://",
        "a.com",
        "x@y",
        "*",
        "_",
        "`",
        "$",
        "\\",
        "#",
        ">",
        "<",
        "&",
        "[",
        "]",
        "  \n",
        "\n    ",
        "\t",
        "+",
        "=",
        "|",
        "~",
        "!",
        "{",
        "}",
        "http",
        "e.g.",
        "Fig. 1",
        "\n-",
        "\n1.",
        "\n(",
        '\n"',
        "\n'",
        "example.org",
        "http:x",
        "\u00a0",
    ]
    rng = random.Random(9)
    skipped = skipped_inline = 0
    for _ in range(40000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))).strip()
        fast = _plain(text) if text else None
        if fast is not None:
            skipped += 1
            for allow_html in (False, True):
                assert (str(fast[0]), fast[1]) == _parsed(text, allow_html), text
        fast = _plain(text, inline=True) if text else None  # a title, a CV line
        if fast is not None:
            skipped_inline += 1
            for allow_html, links in ((False, True), (True, True), (False, False)):
                assert (str(fast[0]), fast[1]) == _parsed_inline(text, allow_html, links), text
    assert skipped > 500 and skipped_inline > 500  # the check covers many texts that take the short way
    abstract = 'We propose a "simple" method.\nIt works (mostly); see Fig. 2 / 3.\n\nA second paragraph: 95% better.'
    assert _plain(abstract) is not None and str(render(abstract)[0]) == _parsed(abstract, False)[0]


def test_non_ascii_words_numbers_and_domains_take_the_short_way_only_when_the_parser_agrees():
    """Beyond ASCII: letters and digits of other scripts, superscripts, ligatures, internationalised
    domains (linkify knows .рф), times and ratios with ':'; the short way gives the parser's output."""
    import random

    from generator.markup import _plain

    pieces = [
        *"aXéßЖяπΩ日本ǅⅫ²١ⓐℌﬁİµºª½",
        " ",
        "  ",
        "\n",
        "\n\n",
        *".,;:'\"()?/%-",
        "пример.рф",
        "a.co",
        "x.io",
        "mailto",
        "https",
        "a@b",
        "e.g.",
        "1.",
        "(a)",
        "10:30",
        "U.S.A.",
        ":/",
        "//",
        "%20",
    ]
    rng = random.Random(3)
    checked = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))).strip()
        fast = _plain(text) if text else None
        if fast is not None:
            checked += 1
            assert (str(fast[0]), fast[1]) == _parsed(text, False), text
        fast = _plain(text, inline=True) if text else None
        if fast is not None:
            checked += 1
            for allow_html, links in ((False, True), (True, True), (False, False)):
                assert (str(fast[0]), fast[1]) == _parsed_inline(text, allow_html, links), text
    assert checked > 1000


def test_operator_names_are_upright_and_spaced_like_tex():
    from generator.markup import math_to_mathml

    mathml = math_to_mathml(r"O(n \log n)", False)
    assert '<mi>n</mi><mspace width="0.1667em" /><mi mathvariant="normal">log</mi><mspace width="0.1667em" /><mi>n</mi>' in mathml
    assert '<mi mathvariant="normal">log</mi><mo stretchy="false">(</mo>' in math_to_mathml(r"\log(x)", False)  # none before a bracket
    assert '<mi mathvariant="normal">ℝ</mi>' in math_to_mathml(r"\mathbb{R}^d", False)
    assert "<mspace" not in math_to_mathml(r"x_i + y", False)


def _parsed_noted(source: str, allow_html: bool) -> tuple[str, str, tuple]:
    """markdown-it's HTML, text and the notes of malformed LaTeX or math, as render_noted had them."""
    from generator.markup import _notes, _text_of, markdown

    md = markdown(allow_html)
    env: dict = {}
    notes: list = []
    token = _notes.set(notes)
    try:
        tokens = md.parse(source, env)
        html_out = md.renderer.render(tokens, md.options, env)
    finally:
        _notes.reset(token)
    return html_out, _text_of(tokens), tuple(dict.fromkeys(notes))


def _fast_noted(source: str, allow_html: bool) -> tuple[str, str, tuple] | None:
    from generator.markup import _notes, _simple

    notes: list = []
    token = _notes.set(notes)
    try:
        fast = _simple(source, allow_html)
    finally:
        _notes.reset(token)
    return None if fast is None else (str(fast[0]), fast[1], tuple(dict.fromkeys(notes)))


_WORDS = ["We", "propose", "a", "method", "on", "ImageNet", "é", "model", "x2", "3D", "top-1", "98.1%", "Fig.", "e.g.", "and/or"]
_CONSTRUCTS = [
    "*robust*",
    "*cross-modal*",
    "**GenBright**",
    "_fast_",
    "__both__",
    "`net.wrap(model)`",
    '`a_b < c & "d"`',
    "[github.com/org/net](https://github.com/org/net)",
    "[paper](https://example.org/a_b/c?x=1#y)",
    "[mail](mailto:me@example.org)",
    "[rel](papers/other.html)",
    "[ünï](https://xn--n-x.org/ä%20b)",
    "$O(n \\log n)$",
    "$\\mathbb{R}^d$",
    "$x_t$",
    "$\\frac{a$",
    "$a^$",
    "$\\text{<b>}$",
    "*two\nwords*",
    "**a few\nbold words**",
    "[the a_b\npaper](https://x.org/a_b)",
    "[a_b](https://x.org/a_b)",
    "`a | b`",
    "$|x|$",
    "(*see*)",
    '"*quoted*"',
    "snake_case",
    "recall@10",
]
# each breaks one rule of the short way, or only nearly: the parser must decide, or agree
_NEAR_MISSES = [
    "*",
    "**",
    "***",
    "_",
    "__",
    "* ",
    " *",
    "*a",
    "a*",
    "a*b",
    "_a",
    "a_",
    "*a**",
    "**a*",
    "*a_",
    "_a*",
    "`",
    "``",
    "` a`",
    "`a `",
    "```",
    "[",
    "]",
    "[a]",
    "[a](",
    "](",
    "[a](b c)",
    "[a](<b>)",
    '[a](b "t")',
    "[a](javascript:alert(1))",
    "[a](JavaScript:x)",
    "[a](data:text/html,x)",
    "[a](vbscript:x)",
    "[a](b&amp;c)",
    "[a](b(c))",
    "[a]: https://x.org",
    "![a](b)",
    "!",
    "$",
    "$$",
    "$ x$",
    "$x $",
    "5$x$",
    "$x$5",
    "$a\\$",
    "\\$a$",
    "&",
    "&amp;",
    "&#106;",
    "<",
    ">",
    "<b>",
    "<https://x.org>",
    '"',
    "'",
    "\\",
    "\\emph{x}",
    '{\\"o}',
    "--",
    "~",
    "#",
    "\n#",
    "\n>",
    "\n-",
    "\n- ",
    "\n* ",
    "\n+ ",
    "\n1. ",
    "\n2) ",
    "\n1.5",
    "\n=",
    "\n---",
    "\n    ",
    "  \n",
    " \n",
    "\n ",
    "\t",
    "\n\n\n",
    "|",
    "\n|a|",
    "www.x.org",
    "https://x.org",
    "x.org",
    "a@b.org",
    "@",
    "\u00a0",
    "\u2028",
    "é*",
    "*é",
    "(",
    ")",
    ":",
    ".",
    "%",
]


def _abstract_like(rng) -> str:
    """An abstract made of prose and the constructs the short way answers, with the odd near-miss."""
    paragraphs = []
    for _ in range(rng.randint(1, 3)):
        words = [rng.choice(_CONSTRUCTS) if rng.random() < 0.2 else rng.choice(_WORDS) for _ in range(rng.randint(1, 25))]
        words = [w + rng.choice(".,;:") if rng.random() < 0.1 else w for w in words]
        text = "".join(w + rng.choice(" " * 8 + "\n") for w in words).strip()
        paragraphs.append(text)
    text = "\n\n".join(paragraphs)
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        at = rng.randint(0, len(text))
        text = text[:at] + rng.choice(_NEAR_MISSES) + text[at:]
    return text


def test_simple_inline_markdown_skips_the_parser_with_the_same_output():
    """Emphasis, code, links and $math$ in plain prose are answered without markdown-it; on
    thousands of texts built from them and their near-misses (unbalanced, nested, adjacent or
    punctuation-flanked delimiters, odd or unsafe link targets, entities, HTML, list and heading
    starts, hard breaks), whenever the short way answers, the parser gives the very same HTML,
    text and notes; and it does answer for most of them."""
    import random

    rng = random.Random(11)
    answered = total = 0
    for _ in range(4000):
        text = _abstract_like(rng)
        total += 1
        for allow_html in (False, True):
            fast = _fast_noted(text, allow_html)
            parsed = _parsed_noted(text, allow_html)
            if fast is not None:
                answered += allow_html is False
                assert fast == parsed, text
            html_out, plain, notes = render_noted(text, allow_html)  # whichever way it takes
            assert (str(html_out), plain, notes) == parsed, text
    assert answered > total // 3  # the short way keeps applying to typical abstracts


def test_near_misses_alone_and_in_pairs_match_the_parser():
    import itertools

    checked = 0
    for a, b in itertools.product(["", "a ", "*a* ", "x"], _NEAR_MISSES):
        for text in (a + b, b + a, f"We *use* {b}it", f"{b}*a* and `c`", f"a [b](https://x.org/{b})", f"{b}: [c](https://x.org) {a}"):
            fast = _fast_noted(text, False)
            if fast is not None:
                checked += 1
                assert fast == _parsed_noted(text, False), text
    assert checked > 50


def test_typical_abstracts_take_the_short_way():
    abstract = (
        "We propose *GenBright*, a **training-free** method (see `gen.wrap(model)`)\n"
        "that runs in $O(n \\log n)$ time with recall@10 of 98.1%.\n\n"
        "Our code is at [github.com/org/gen](https://github.com/org/gen), recall@10 too.\n"
    )
    fast = _fast_noted(abstract, False)
    assert fast is not None and fast == _parsed_noted(abstract, False)
    assert '<a href="https://github.com/org/gen">' in fast[0] and "<em>GenBright</em>" in fast[0]
    html, text = render(abstract)
    assert str(html) == fast[0] and text == fast[1]


def test_text_the_link_detector_would_link_goes_to_the_parser():
    for source in (
        "See x.org and [c](https://c.org).",
        "Mail a@b.org, [c](https://c.org).",
        "See [c](https://c.org) or X.COM/path",
        "See x.org\nand [c](https://c.org).",  # a host at the end of a line
        "We release it\nat x.org\nfor all, see [c](https://c.org).",  # on a line of its own, in a wrapped paragraph
        "See\nhttps://x.org/a\nand [c](https://c.org).",
        "See *x.org* and [c](https://c.org).",  # in emphasis
    ):
        assert _fast_noted(source, False) is None
        assert render_block(source).count("<a ") == 2


def test_unsafe_or_odd_links_never_take_the_short_way_as_links():
    for source in ("[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x](data:text/html,x)", "[x](&#106;avascript:x)"):
        assert _fast_noted(source, False) is None
        assert "<a" not in render_block(source)


def test_malformed_math_notes_are_kept_on_the_short_way():

    source = "We use $a^$ and $x_$ here."
    fast = _fast_noted(source, False)
    assert fast is not None and fast[2] and fast == _parsed_noted(source, False)
    assert render_noted(source)[2] == fast[2]
    given_up = "We use $x_$ and $a^$ here <b>."  # the short way meets the math, then gives up
    assert _fast_noted(given_up, False) is None
    assert (
        render_noted(given_up)[2]
        == _parsed_noted(given_up, False)[2]
        == (
            ("$x_$", "malformed math (MissingSuperScriptOrSubscriptError)"),
            ("$a^$", "malformed math (MissingSuperScriptOrSubscriptError)"),
        )
    )


# The short way's checks as single patterns, as first written: the checks searched in parts must
# take the same texts (a part searched wrongly would send prose to the parser, or worse, Markdown
# past it)
_PLAIN_AS_ONE = r"[^\w \n.,;:'\"()?/%-]|_|--|://|www\.|\n[^\n(\"'\w]|\n[\d_]| \n|\n "
_LINE_START_AS_ONE = r"(?:^|\n)(?:(?![\w(\"'*`\[$\n])|\d+[.)](?![^ \t\n]))"
_TRIGGERS = [*"aZé٣²_ \n\t.,;:'\"()?/%-*`[$#1-", "--", "://", "www.", "\n\n", "2.", "3)", "\u00a0"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_TRIGGERS), max_size=30).map("".join))
def test_the_short_ways_checks_searched_in_parts_take_the_same_texts(text):
    import re

    from generator.markup import _SIMPLE_FIRST_LINE, _SIMPLE_LINE_START, _markdown_free

    assert _markdown_free(text) == (re.search(_PLAIN_AS_ONE, text) is None), repr(text)
    in_parts = bool(_SIMPLE_FIRST_LINE.match(text) or _SIMPLE_LINE_START.search(text))
    assert in_parts == bool(re.search(_LINE_START_AS_ONE, text)), repr(text)

"""Record text to safe HTML: Markdown (markdown-it-py), LaTeX text commands to Unicode
(pylatexenc) and $...$ math to MathML (latex2mathml), all at build time.

Each library is imported when the first text needing it comes (start-up time): plain text needs
none of them, text without a LaTeX command no pylatexenc, text without a formula no latex2mathml.
"""

from __future__ import annotations

import html
import re
from contextvars import ContextVar
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup

from .schema import SAFE_SCHEMES

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from pylatexenc.latex2text import LatexNodes2Text


class _Latex:
    """pylatexenc's converters and macro table, made on first use (built once: pylatexenc
    rebuilds the table per call otherwise)."""

    def __init__(self) -> None:
        from pylatexenc.latex2text import LatexNodes2Text
        from pylatexenc.latexwalker import LatexWalker, LatexWalkerError, get_default_latex_context_db

        self.text = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
        self.math_text: LatexNodes2Text = LatexNodes2Text(math_mode="text", strict_latex_spaces="based-on-source")
        self.context = get_default_latex_context_db()
        self.Walker, self.WalkerError = LatexWalker, LatexWalkerError

    def nodes(self, source: str, tolerant: bool):
        return self.Walker(source, latex_context=self.context, tolerant_parsing=tolerant).get_latex_nodes()[0]


@lru_cache(maxsize=1)
def _latex() -> _Latex:
    return _Latex()


_LATEX_HINT = re.compile(r"\\[A-Za-z\"'`^~=.]|[{}]|--|``")
# In prose these characters are literal; LaTeX would read them as comment, tab, parameter.
_LITERAL = str.maketrans({"%": r"\%", "&": r"\&", "#": r"\#", "~": r"\textasciitilde{}", "$": r"\$"})


# (source text, what is wrong) of malformed LaTeX met while rendering: shown as typed, and
# reported as a warning by whoever set this list (render_noted), never failing the build.
_notes: ContextVar[list | None] = ContextVar("latex_notes", default=None)


def _note(source: str, message: str) -> None:
    notes = _notes.get()
    if notes is not None:
        notes.append((source, message))


def _walker_message(exc: Exception) -> str:
    first = (str(exc).splitlines() or [""])[0]
    return re.sub(r"\s*@\(\d+,\d+\)$", "", first).strip() or type(exc).__name__


@lru_cache(maxsize=65536)
def latex_text_noted(value: str) -> tuple[str, str | None]:
    """The Unicode text of value and, for malformed LaTeX, what is wrong with it."""
    if not _LATEX_HINT.search(value):
        return value, None
    escaped = value.translate(_LITERAL)
    latex = _latex()
    try:
        return latex.text.nodelist_to_text(latex.nodes(escaped, tolerant=False)), None
    except latex.WalkerError as exc:
        issue = f"malformed LaTeX ({_walker_message(exc)})"
    except Exception as exc:  # pylatexenc's own failures: show the text as typed
        return value, f"malformed LaTeX ({_walker_message(exc)})"
    try:  # render what can be rendered, as before; the warning says what was wrong
        return latex.text.nodelist_to_text(latex.nodes(escaped, tolerant=True)), issue
    except Exception:
        return value, issue


def latex_text(value: str) -> str:
    """Render LaTeX text commands ({\\"o}, \\emph{x}, --) as Unicode; plain text passes unchanged."""
    text, issue = latex_text_noted(value)
    if issue:
        _note(value, issue)
    return text


def math_to_mathml(tex: str, display: bool) -> str:
    mathml, issue = _mathml_noted(tex, display)
    if issue:
        _note(f"$${tex}$$" if display else f"${tex}$", issue)
    return mathml


@lru_cache(maxsize=4096)  # the same formula ($O(n \log n)$, $\ell_2$) comes back across abstracts
def _mathml_noted(tex: str, display: bool) -> tuple[str, str | None]:
    """The MathML of tex and, for malformed math, what is wrong with it."""
    # imported on the first formula: latex2mathml reads its symbol table on import (a tenth of a
    # second), which a build making no formula need not spend
    from xml.etree.ElementTree import tostring

    from latex2mathml.converter import convert_to_element as latex_to_mathml

    try:
        root = latex_to_mathml(tex, display="block" if display else "inline")
    except Exception as exc:
        return f'<code class="math">{html.escape(tex)}</code>', f"malformed math ({_walker_message(exc)})"
    # latex2mathml's own serialisation unescapes its output, so \text{<script>} came out as a
    # live element; serialise escaped instead, and drop links (\href{javascript:...}).
    for element in root.iter():
        for name in [a for a in element.attrib if a == "href" or a.lower().startswith(("on", "xlink"))]:
            del element.attrib[name]
        element.text = html.unescape(element.text) if element.text else element.text
        element.tail = html.unescape(element.tail) if element.tail else element.tail
    _space_operator_names(root)
    return tostring(root, encoding="unicode"), None


_OPENING = {"(", "[", "{", "|", "\u2016", "\u27e8"}


def _space_operator_names(root) -> None:
    """latex2mathml writes \\log as a bare <mi>log</mi>, so "n \\log n" ran together as "nlogn".
    Mark such names upright and give them TeX's thin spaces (none before an opening bracket)."""
    from xml.etree.ElementTree import Element

    for parent in list(root.iter()):
        children = list(parent)
        for i in reversed(range(len(children))):
            name = children[i]
            if name.tag == "mi" and name.text and len(name.text) == 1 and "\u2100" <= name.text <= "\u214f":
                name.set("mathvariant", "normal")  # ℝ, ℕ, ℓ: letter-like symbols stay upright
            if name.tag != "mi" or not name.text or len(name.text) < 2 or not name.text.isalpha():
                continue
            name.set("mathvariant", "normal")
            after = children[i + 1] if i + 1 < len(children) else None
            if after is not None and not (after.tag == "mo" and (after.text or "") in _OPENING):
                parent.insert(i + 1, Element("mspace", width="0.1667em"))
            if i > 0 and children[i - 1].tag != "mo":
                parent.insert(i, Element("mspace", width="0.1667em"))


def _safe_link(url: str) -> bool:
    url = url.strip().lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", url)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


# LaTeX's emphasis and bold become <em> and <strong> in HTML (plain text everywhere else)
_STYLED = re.compile(r"\\(emph|textit|textsl|textbf)\s*\{")
_STYLE_TAGS = {"emph": "em", "textit": "em", "textsl": "em", "textbf": "strong"}


def _closing_brace(text: str, opening: int) -> int | None:
    depth, i = 0, opening
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return i
        i += 1
    return None


def _text_token(content: str) -> Token:
    from markdown_it.token import Token

    return Token("text", "", 0, content=latex_text(content))


def _styled_tokens(text: str) -> list[Token]:
    """text as text tokens (LaTeX to Unicode), with \\emph{x}, \\textit{x} and \\textbf{x} as
    em/strong tokens around their (possibly nested) argument; unbalanced braces stay text."""
    from markdown_it.token import Token  # called by markdown-it's own parse: imported already

    tokens: list[Token] = []
    done = 0
    for match in _STYLED.finditer(text):
        if match.start() < done:
            continue  # inside an argument handled already
        close = _closing_brace(text, match.end() - 1)
        if close is None:
            break
        if match.start() > done:
            tokens.append(_text_token(text[done : match.start()]))
        tag = _STYLE_TAGS[match[1]]
        tokens.append(Token(f"{tag}_open", tag, 1))
        tokens += _styled_tokens(text[match.end() : close])
        tokens.append(Token(f"{tag}_close", tag, -1))
        done = close + 1
    if done < len(text):
        tokens.append(_text_token(text[done:]))
    return tokens


def _latex_in_text(state) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            children = []
            for child in token.children:
                if child.type == "text" and _STYLED.search(child.content):
                    children += _styled_tokens(child.content)
                else:
                    if child.type == "text":
                        child.content = latex_text(child.content)
                    children.append(child)
            token.children = children


@lru_cache(maxsize=65536)
def math_text(tex: str) -> str:
    """Math as plain Unicode text, for feeds and descriptions: O(n \\log n) -> O(n log n), \\alpha -> α."""
    latex = _latex()
    try:
        return " ".join(latex.math_text.nodelist_to_text(latex.nodes(tex, tolerant=True)).split())
    except Exception:  # noqa: BLE001 -- malformed math stays as typed, whatever pylatexenc raises
        return tex


@lru_cache(maxsize=4)
def markdown(allow_html: bool, links: bool = True) -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": allow_html, "linkify": True, "typographer": False})
    md.enable(["table", "linkify"])  # bare URLs in abstracts become links
    # Backslashes belong to LaTeX in abstracts (\"o, \textbf), not to Markdown escapes.
    md.disable("escape")
    dollarmath_plugin(
        md,
        allow_space=False,
        allow_digits=False,
        double_inline=False,
        renderer=lambda tex, opts: math_to_mathml(tex, opts.get("display_mode", False)),
    )
    md.core.ruler.push("latex_text", _latex_in_text)
    md.validateLink = _safe_link  # type: ignore[method-assign]  # markdown-it's documented per-instance hook
    # linkify-it's pretest regex is slow on long abstracts; most have no URL at all.
    assert md.linkify is not None  # set by the "linkify": True option above
    full_pretest = md.linkify.pretest
    md.linkify.pretest = lambda text: ("://" in text or "www." in text or "@" in text) and full_pretest(text)
    if not links:  # a title is itself a link in listings: a link inside it would nest <a> in <a>
        md.disable(["link", "autolink", "image", "linkify"])
    return md


def _text_of(tokens) -> str:
    parts = []
    for token in tokens:
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type.startswith("math_inline"):
                parts.append(math_text(child.content))
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        if token.type in ("paragraph_close", "heading_close") or token.type.startswith("math_block"):
            parts.append(" " + (math_text(token.content) if token.type.startswith("math_block") else ""))
    return " ".join("".join(parts).split())


# Text no Markdown rule, LaTeX command or link detector acts on: words, spaces, plain punctuation,
# lines that start with a letter (no list, heading, quote or code), no trailing spaces (no hard
# breaks), no "--", no URL. markdown-it would only wrap its paragraphs in <p> and escape '"'
# (tests/unit/test_markup.py checks this against the parser on thousands of texts).
# (searched as its parts: one pattern of all of them tried each alternative at every character,
# a fifth of an abstract's time; a character class, substrings and a pattern led by "\n" are each
# found by a fast scan)
_PLAIN_CHARS = re.compile(r"[^\w \n.,;:'\"()?/%-]")
_PLAIN_LINE_START = re.compile(r"\n(?:[^\n(\"'\w]|[\d_])")
_PLAIN_SUBSTRINGS = ("_", "--", "://", "www.", " \n", "\n ")


def _markdown_free(source: str) -> bool:
    """Whether source has none of the characters, substrings and line starts listed above."""
    if _PLAIN_CHARS.search(source):
        return False
    for part in _PLAIN_SUBSTRINGS:
        if part in source:
            return False
    return "\n" not in source or not _PLAIN_LINE_START.search(source)


def _plain(source: str, inline: bool = False) -> tuple[Markup, str] | None:
    """The parser's output for Markdown-free text, without the parser (None: not that simple).
    Inline (titles): one line of such text, which the parser only escapes."""
    if not _markdown_free(source) or source != source.strip() or not (source[0].isalpha() or source[0] in "(\"'"):
        return None
    if inline:
        return None if "\n" in source else (Markup(source.replace('"', "&quot;")), " ".join(source.split()))
    paragraphs = [p for p in source.split("\n\n") if p]
    if any(p.startswith("\n") or p.endswith("\n") for p in paragraphs):  # three newlines or more: parse
        return None
    body = "".join("<p>" + p.replace('"', "&quot;") + "</p>\n" for p in paragraphs)
    return Markup(body), " ".join(source.split())


# The common inline Markdown of abstracts, answered without the parser when it is unambiguous:
# *em*, **strong** (and the _ forms) around plain words, `code`, and [text](url) links, in
# paragraphs whose lines start as plain prose does. Anything else, or any doubt, goes to the
# parser (tests/unit/test_markup.py checks the output against markdown-it on thousands of texts,
# near-misses included). One token per match; a character no alternative takes ends the try.
_SIMPLE_TOKEN = re.compile(
    r"(?P<code>`[^`\x00-\x1f\x7f ](?:[^`\x00-\x1f\x7f]*[^`\x00-\x1f\x7f ])?`)"
    r"|\[(?P<label>[^\[\]`*_\n]+(?:(?<=[A-Za-z0-9])_(?=[A-Za-z0-9])[^\[\]`*_\n]+)*)\]\((?P<url>[^\s()<>\"'\\&`\x00-\x1f\x7f]+)\)"
    r"|(?P<math>\$[^$\x00-\x1f\x7f\x85\u2028\u2029]+\$)"
    r"|(?P<delim>\*+|_+)"
    r"|(?P<text>[^`\[\]*_$\n]+(?:(?:(?<=[A-Za-z0-9])_(?=[A-Za-z0-9])|\n)[^`\[\]*_$\n]+)*)"
    r"|\n"
)
# Prose characters no inline rule acts on ("_" only inside a word: snake_case is text); a text
# token runs on over line breaks (the parser's softbreaks: "\n" in the HTML, a space in the text)
_SIMPLE_TEXT = re.compile(r"[\w .,;:'\"()?/%@\n-]+")
# Each line starts as prose: not a list, heading, quote, fence, table, HTML, indented code or
# list number ("2.5" is prose, "2." and "2)" are not)
_LINE_START_NOT_PROSE = r"(?:(?![\w(\"'*`\[$\n])|\d+[.)](?![^ \t\n]))"
_SIMPLE_FIRST_LINE = re.compile(_LINE_START_NOT_PROSE)
_SIMPLE_LINE_START = re.compile("\n" + _LINE_START_NOT_PROSE)  # led by "\n": found by a fast scan, not tried at every character
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_OPENER_AFTER = frozenset(" \n(\"'")  # what may precede an opening delimiter (start counts as space)
_CLOSER_BEFORE = frozenset(" \n.,;:)'\"?/%-")  # what may follow a closing one (end counts as space)


def _escape(text: str) -> str:
    """markdown-it's escapeHtml: & < > and double quotes (single quotes stay)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _simple_paragraph(content: str, allow_html: bool, html_parts: list[str], text_parts: list[str]) -> bool:
    """Append the parser's HTML and text of one paragraph of simple inline Markdown; False: not simple."""
    if "``" in content:
        return False  # a code span ends at a run of as many backticks as opened it
    outside: list[str] = []  # text tokens outside links, which the link detector reads
    opened = ""  # the delimiter run of the emphasis open at this point
    pos = 0
    for match in _SIMPLE_TOKEN.finditer(content):
        if match.start() != pos:
            return False  # a character no simple token takes: a lone ` [ ] or an odd link
        pos = match.end()
        kind = "label" if match["label"] is not None else match.lastgroup
        if kind == "text" or kind == "label":
            text = match["text"] or match["label"]
            # of _LATEX_HINT only "--" can occur in these characters (no \ { } `); of escapeHtml's, '"'
            if not _SIMPLE_TEXT.fullmatch(text) or "--" in text or "://" in text or "www." in text:
                return False
            if kind == "text":
                outside.append(text)
                html_parts.append(text.replace('"', "&quot;"))
                text_parts.append(text)
                continue
            if opened:
                return False
            md = markdown(allow_html)
            href = md.normalizeLink(match["url"])
            if not md.validateLink(href):
                return False  # the parser shows it as text; leave that to the parser
            html_parts += ('<a href="', _escape(href), '">', text.replace('"', "&quot;"), "</a>")
            text_parts.append(text)
        elif kind == "code":
            if opened:
                return False
            html_parts.append(f"<code>{_escape(match['code'][1:-1])}</code>")
            text_parts.append(match["code"][1:-1])
        elif kind == "math":
            # the dollarmath rule as markdown() sets it: no space inside either dollar, no digit
            # outside either (before the first, Python's index -1 is the paragraph's last
            # character, as in the plugin), no backslash before either dollar
            tex = match["math"][1:-1]
            if opened or tex[0].isspace() or tex[-1].isspace() or tex[-1] == "\\":
                return False
            before = content[match.start() - 1]
            if before.isdigit() or before == "\\" or (pos < len(content) and content[pos].isdigit()):
                return False
            html_parts.append(f'<span class="math inline">{math_to_mathml(tex, False)}</span>')
            text_parts.append(math_text(tex))
        elif kind == "delim":
            run = match["delim"]
            before = content[match.start() - 1] if match.start() else " "
            after = content[pos] if pos < len(content) else " "
            if len(run) > 2:
                return False
            tag = "em" if len(run) == 1 else "strong"
            if not opened and before in _OPENER_AFTER and after in _ASCII_ALNUM:
                opened = run  # left-flanking only: opens, cannot close
                html_parts.append(f"<{tag}>")
            elif opened == run and before in _ASCII_ALNUM and after in _CLOSER_BEFORE:
                opened = ""  # right-flanking only, closing the run just opened
                html_parts.append(f"</{tag}>")
            else:
                return False
        else:  # a line break inside the paragraph
            html_parts.append("\n")
            text_parts.append(" ")
    if pos != len(content) or opened:
        return False
    if "://" in content or "www." in content or "@" in content:  # the link detector may act
        linkify = markdown(allow_html).linkify
        assert linkify is not None
        # The parser links the text tokens (outside links) that linkify.test accepts, if
        # linkify.pretest accepts the whole paragraph. Any such token at all: leave it to the
        # parser. test() is slow (20 µs a token), so only the tokens that pass one of its own
        # first checks are tested: a scheme (all of them hold ":" or "//"), its host test, "@".
        # One search of the tokens joined by line breaks finds every host a token holds (the
        # pattern ends a host at a line break as at the end of the text)
        host = _host_fuzzy_test(linkify.re["host_fuzzy_test"])
        joined = "\n".join(outside)
        if ":" in joined or "/" in joined or "@" in joined or host.search(joined):
            lines = joined.split("\n")  # the parser's text tokens end at line breaks
            candidates = (t for t in lines if ":" in t or "/" in t or "@" in t or host.search(t))
            if any(linkify.test(text) for text in candidates):
                return False
    return True


@lru_cache(maxsize=2)
def _host_fuzzy_test(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)  # as linkify-it's test() searches it


def _simple(source: str, allow_html: bool) -> tuple[Markup, str] | None:
    """The parser's output for paragraphs of prose with simple inline Markdown (None: not that simple)."""
    source = source.strip("\n")
    if not source or source[0] == " " or source[-1] == " " or " \n" in source or "\n " in source:
        return None
    if _SIMPLE_FIRST_LINE.match(source) or _SIMPLE_LINE_START.search(source):
        return None
    html_parts: list[str] = []
    text_parts: list[str] = []
    for paragraph in source.split("\n\n"):
        if not paragraph or paragraph[0] == "\n" or paragraph[-1] == "\n":
            return None  # three newlines or more: parse
        html_parts.append("<p>")
        if not _simple_paragraph(paragraph, allow_html, html_parts, text_parts):
            return None
        html_parts.append("</p>\n")
        text_parts.append(" ")
    return Markup("".join(html_parts)), " ".join("".join(text_parts).split())


@lru_cache(maxsize=65536)  # a rebuild while serving re-renders only the texts that changed
def render_noted(source: str, allow_html: bool = False, inline: bool = False, links: bool = True) -> tuple[Markup, str, tuple]:
    """Parse once; return the HTML, the plain text (for descriptions, feeds, citation tags) and
    the (source text, problem) of any malformed LaTeX or math in it."""
    if not source.strip():
        return Markup(""), "", ()
    plain = _plain(source, inline)
    if plain is not None:
        return (*plain, ())
    notes: list = []
    token = _notes.set(notes)
    try:
        simple = _simple(source, allow_html) if not inline and links else None
        if simple is not None:
            return (*simple, tuple(dict.fromkeys(notes)))
        notes.clear()  # of math the short way met before giving up: the parser notes them again
        md = markdown(allow_html, links)
        env: dict = {}
        tokens = md.parseInline(source, env) if inline else md.parse(source, env)
        html_out = md.renderer.render(tokens, md.options, env)
    finally:
        _notes.reset(token)
    return Markup(html_out.strip() if inline else html_out), _text_of(tokens), tuple(dict.fromkeys(notes))


def render(source: str, allow_html: bool = False, inline: bool = False) -> tuple[Markup, str]:
    html_out, text, _ = render_noted(source, allow_html, inline)
    return html_out, text


def render_block(source: str, allow_html: bool = False) -> Markup:
    return render(source, allow_html)[0]


def render_inline(source: str, allow_html: bool = False) -> Markup:
    return render(source, allow_html, inline=True)[0]

"""Record text to safe HTML: Markdown (markdown-it-py), LaTeX text commands to Unicode
(pylatexenc) and $...$ math to MathML (latex2mathml), all at build time."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pylatexenc.latex2text import LatexNodes2Text

from .schema import SAFE_SCHEMES

_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
_LATEX_HINT = re.compile(r"\\[A-Za-z\"'`^~=.]|[{}]|--|``")
# In prose these characters are literal; LaTeX would read them as comment, tab, parameter.
_LITERAL = str.maketrans({"%": r"\%", "&": r"\&", "#": r"\#", "~": r"\textasciitilde{}", "$": r"\$"})


def latex_text(value: str) -> str:
    """Render LaTeX text commands ({\\"o}, \\emph{x}, --) as Unicode; plain text passes unchanged."""
    if not _LATEX_HINT.search(value):
        return value
    try:
        return _LATEX.latex_to_text(value.translate(_LITERAL))
    except Exception:  # malformed LaTeX is shown as typed rather than failing the build
        return value


def math_to_mathml(tex: str, display: bool) -> str:
    try:
        return latex_to_mathml(tex, display="block" if display else "inline")
    except Exception:
        return f'<code class="math">{html.escape(tex)}</code>'


def _safe_link(url: str) -> bool:
    url = url.strip().lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", url)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


def _latex_in_text(state) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "text":
                    child.content = latex_text(child.content)


@lru_cache(maxsize=2)
def markdown(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "linkify": True, "typographer": False})
    md.enable(["table", "linkify"])  # bare URLs in abstracts become links
    # Backslashes belong to LaTeX in abstracts (\"o, \textbf), not to Markdown escapes.
    md.disable("escape")
    dollarmath_plugin(md, allow_space=False, allow_digits=False, double_inline=False,
                      renderer=lambda tex, opts: math_to_mathml(tex, opts.get("display_mode", False)))
    md.core.ruler.push("latex_text", _latex_in_text)
    md.validateLink = _safe_link
    return md


def render_block(source: str, allow_html: bool = False) -> Markup:
    return Markup(markdown(allow_html).render(source)) if source.strip() else Markup("")


def render_inline(source: str, allow_html: bool = False) -> Markup:
    return Markup(markdown(allow_html).renderInline(source).strip())


def plain_text(source: str) -> str:
    """Text for meta descriptions, feeds and citation tags: LaTeX resolved, markup dropped."""
    tokens = markdown(False).parseInline(source)
    parts = []
    for token in tokens:
        for child in token.children or ():
            if child.type in ("text", "code_inline", "math_inline", "math_inline_double"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    return " ".join("".join(parts).split())

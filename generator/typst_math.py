"""LaTeX math ($...$ in titles) to Typst math, for cv.pdf.

A small translator for the math that appears in paper and talk titles: letters, digits,
operators, Greek letters and symbols, sub- and superscripts, \\frac, \\sqrt, \\mathcal-style
alphabets, \\text and named operators such as \\log. Its output uses only a safe alphabet
(single letters, numbers, known function names, escaped operators, quoted strings), so record
text can never become Typst code. Anything it does not know becomes plain text; None means
"give up": the caller then shows the formula as Unicode text instead.
"""

from __future__ import annotations

import re

from pylatexenc.latex2text import LatexNodes2Text

_UNICODE = LatexNodes2Text(math_mode="text")
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([A-Za-z])|([0-9]+(?:\.[0-9]+)?)|(\s+)|(.)", re.DOTALL)

ALPHABETS = {
    "mathcal": "cal",
    "mathbb": "bb",
    "mathbf": "bold",
    "boldsymbol": "bold",
    "bm": "bold",
    "mathfrak": "frak",
    "mathsf": "sans",
    "mathit": "italic",
    "mathrm": "upright",
    "mathscr": "cal",
}
TEXT = {"text", "textrm", "textit", "textbf", "mbox", "operatorname"}
OPERATORS = {
    "log",
    "ln",
    "exp",
    "sin",
    "cos",
    "tan",
    "max",
    "min",
    "lim",
    "sup",
    "inf",
    "det",
    "arg",
    "dim",
    "deg",
    "gcd",
    "ker",
    "Pr",
    "tanh",
    "sinh",
    "cosh",
    "limsup",
    "liminf",
    "arcsin",
    "arccos",
    "arctan",
}
ACCENTS = {
    "hat": "hat",
    "bar": "overline",
    "overline": "overline",
    "tilde": "tilde",
    "vec": "arrow",
    "dot": "dot",
    "ddot": "dot.double",
    "widehat": "hat",
    "widetilde": "tilde",
    "underline": "underline",
}
SPACING = {",", ";", ":", "!", "quad", "qquad", " ", "enspace", "thinspace"}
IGNORED = {"left", "right", "big", "Big", "bigg", "Bigg", "displaystyle", "textstyle", "limits", "nolimits"}
_PLAIN = set("()[]+-=<>,.;:!|'*")  # Typst math reads these as themselves
_ESCAPED = set('/_^#$&"\\@~`{}%')  # and these would mean something else


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _symbol(command: str) -> str | None:
    """\\alpha -> α, \\leq -> ≤ (through pylatexenc's table); None when unknown."""
    text = _UNICODE.latex_to_text(f"\\{command}").strip()
    if not text or text.startswith("\\") or text == command or any(c.isascii() and c.isalpha() for c in text):
        return None
    return text


class _Tokens:
    def __init__(self, source: str):
        self.items = [m for m in _TOKEN.finditer(source)]
        self.i = 0

    def next(self):
        item = self.items[self.i] if self.i < len(self.items) else None
        self.i += 1
        return item

    def peek(self):
        return self.items[self.i] if self.i < len(self.items) else None


def _group(tokens: _Tokens) -> str | None:
    """The next argument: a {...} group or a single token."""
    while (t := tokens.peek()) is not None and t.group(4):
        tokens.next()
    t = tokens.peek()
    if t is None:
        return None
    if t.group(5) == "{":
        tokens.next()
        return _sequence(tokens, closing="}")
    return _atom(tokens)


def _raw_group(tokens: _Tokens) -> str:
    """The text of a {...} group, for \\text{...}."""
    t = tokens.next()
    if t is None or t.group(5) != "{":
        return t.group(0) if t is not None else ""
    depth, parts = 1, []
    while (t := tokens.next()) is not None:
        if t.group(5) == "{":
            depth += 1
        elif t.group(5) == "}":
            depth -= 1
            if depth == 0:
                break
        parts.append(t.group(1) if t.group(1) and not t.group(1).isalpha() else t.group(0))
    return "".join(parts)


def _atom(tokens: _Tokens) -> str | None:
    t = tokens.next()
    if t is None:
        return None
    command, letter, number, space, other = t.groups()
    if letter:
        return letter
    if number:
        return number
    if space:
        return " "
    if other:
        if other == "{":
            return _sequence(tokens, closing="}")
        if other in "^_":
            arg = _group(tokens)
            return None if arg is None else f"{other}({arg})"
        if other in _PLAIN:
            return other
        if other in _ESCAPED:
            return "\\" + other if other not in "\\{}%" else None
        return _string(other)
    if not command.isalpha():  # \{ \% \, ...
        return " " if command in SPACING else ("\\" + command if command in _ESCAPED else _string(command))
    if command in SPACING:
        return " "
    if command in IGNORED:
        return ""
    if command in OPERATORS:
        return command
    if command in ALPHABETS:
        arg = _group(tokens)
        return None if arg is None else f"{ALPHABETS[command]}({arg})"
    if command in ACCENTS:
        arg = _group(tokens)
        return None if arg is None else f"{ACCENTS[command]}({arg})"
    if command in TEXT:
        return f"upright({_string(_raw_group(tokens))})"
    if command in ("frac", "dfrac", "tfrac"):
        top, bottom = _group(tokens), _group(tokens)
        return None if top is None or bottom is None else f"frac({top}, {bottom})"
    if command == "sqrt":
        arg = _group(tokens)
        return None if arg is None else f"sqrt({arg})"
    symbol = _symbol(command)
    if symbol is None:
        return None
    return symbol if len(symbol) == 1 and not symbol.isascii() else _string(symbol)


def _sequence(tokens: _Tokens, closing: str = "") -> str | None:
    parts: list[str] = []
    while (t := tokens.peek()) is not None:
        if closing and t.group(5) == closing:
            tokens.next()
            break
        atom = _atom(tokens)
        if atom is None:
            return None
        parts.append(atom)
    # adjacent letters are separate variables in Typst ("ab" would be one unknown name), so
    # two word-like parts are kept apart by a space; anything else is written as it came
    out = ""
    for part in parts:
        if out and part and (out[-1].isalnum() or out[-1] == '"') and (part[0].isalnum() or part[0] == '"'):
            out += " "
        out += part
    return " ".join(out.split())


def to_typst(latex: str) -> str | None:
    """Typst math source for a LaTeX formula, or None when it cannot be translated safely."""
    try:
        result = _sequence(_Tokens(latex))
    except RecursionError:
        return None
    return result if result and result.count("(") == result.count(")") else None


def to_text(latex: str) -> str:
    """The formula as Unicode text: what cv.pdf shows when to_typst gives up."""
    return " ".join(_UNICODE.latex_to_text(latex).split())

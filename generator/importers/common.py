"""Helpers every importer shares: decoding bytes, LaTeX tidying, names, dates and links.

Everything here turns source values into the record vocabulary of the README (title, authors,
date, venue, links, tags, ...); nothing here reads or writes files.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import urlsplit

from ..markup import latex_text

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


class EntryIssue(ValueError):
    """One field of one source entry cannot be imported; the importer locates it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def decode(data: bytes) -> str:
    """Text of an export file: BOMs first (UTF-16 and UTF-32 exports carry one), then UTF-8, then Latin-1."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if data[:200].count(b"\x00") > len(data[:200]) // 4:  # UTF-16 without a BOM
        return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Windows' Latin-1, what old exports use


def clean_space(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


_SPECIAL = re.compile(r"\\([&%#_])")


def _outside_math(value: str, fn) -> str:
    """Apply fn to the parts of value outside $...$ and $$...$$ (math keeps its braces and escapes)."""
    if "$" not in value:
        return fn(value)
    parts = re.split(r"(\$\$.+?\$\$|(?<!\\)\$.+?(?<!\\)\$)", value, flags=re.DOTALL)
    return "".join(part if i % 2 else fn(part) for i, part in enumerate(parts))


def _strip_braces(text: str) -> str:
    """Drop {...} groups that only protect case ({BERT}); keep command arguments (\\emph{x},
    \\"{o}, \\href{u}{t}) and groups that start with a command ({\\em x}, {\\"o})."""
    out: list[str] = []
    stack: list[tuple[bool, bool]] = []  # per open brace: (kept, is an argument)
    last = "other"  # 'command', 'arg_close' or 'other': what a following { would belong to
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            command = re.match(r"\\([A-Za-z@]+\*?|.)", text[i:], re.DOTALL)
            assert command is not None  # a backslash and one more character always match
            word = command.group(0)
            out.append(word)
            last = "other" if word[1:] in ("&", "%", "#", "_", "$", "\\") else "command"
            i += len(word)
            continue
        if ch == "{":
            is_argument = last in ("command", "arg_close")
            keep = is_argument or text[i + 1 : i + 2] == "\\"
            stack.append((keep, is_argument))
            if keep:
                out.append("{")
            last = "other"
        elif ch == "}" and stack:
            keep, is_argument = stack.pop()
            if keep:
                out.append("}")
            last = "arg_close" if keep and is_argument else "other"
        else:
            out.append(ch)
            if not (ch.isspace() and last == "command"):
                last = "other"
        i += 1
    return "".join(out)


def latex_field(value: str) -> str:
    """Title/abstract text: keep LaTeX, drop case-protecting braces, unescape \\& \\% \\# \\_."""

    def tidy(part: str) -> str:
        if "{" in part or "}" in part:
            part = _strip_braces(part)
        return _SPECIAL.sub(lambda m: m.group(1), part) if "\\" in part else part

    return _outside_math(value, tidy).strip()


def plain_text(value: str) -> str:
    """LaTeX to Unicode, for names and other plain fields (M{\\"u}ller -> Müller)."""
    if "\\" not in value and "{" not in value and "$" not in value:
        return clean_space(value)
    return clean_space(latex_text(value).replace("{", "").replace("}", ""))


def display_name(first: str = "", von: str = "", last: str = "", jr: str = "") -> str:
    """'First von Last Jr.': how the README writes authors, and what BibTeX reads back the same."""
    return plain_text(" ".join(p for p in (first, von, last, jr) if p and p.strip()))


def parse_month(value: str | int) -> int:
    """sep, Sep., September, 9, '09' -> 9; raises ValueError otherwise."""
    text = str(value).strip().strip('{}"').strip().rstrip(".").lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    if text[:3] in MONTHS and (text in MONTHS or text == "sept" or text == _MONTH_NAMES[MONTHS.index(text[:3])]):
        return MONTHS.index(text[:3]) + 1
    raise ValueError(f"not a month: {value!r}")


def make_date(year, month=0, day=0) -> str:
    """YYYY[-MM[-DD]] at the precision given; raises ValueError for a missing or odd year."""
    y = int(str(year).strip())
    text = f"{y:04d}"
    if month:
        text += f"-{int(month):02d}"
        if day:
            text += f"-{int(day):02d}"
    return text


_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def iso_date(value: str) -> str:
    """'2023-09-19', '2023-09', '2023', '2023-09-19T12:00:00Z' -> the same precision."""
    found = _ISO.match(str(value))
    if not found:
        raise ValueError(f"not a date: {value!r}")
    year, month, day = found.groups()
    return make_date(year, month or 0, day or 0)


ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf|html)/(\S+?)(?:\.pdf)?/?$", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)


def arxiv_id(value: str) -> str:
    """An arXiv id without its version from an id, an arXiv URL or the arXiv DOI; '' if none."""
    value = (value or "").strip()
    for pattern in (_ARXIV_URL, _ARXIV_DOI):
        found = pattern.search(value)
        if found:
            value = found.group(1)
            break
    value = re.sub(r"^arxiv:\s*", "", value, flags=re.IGNORECASE)
    found = ARXIV_ID.fullmatch(value)
    return found.group(1) if found else ""


def arxiv_url(identifier: str) -> str:
    return f"https://arxiv.org/abs/{identifier}"


def bare_doi(value: str) -> str:
    """10.x/y from a DOI, doi:10.x/y or a doi.org URL; '' if it is none of those."""
    found = _DOI.match((value or "").strip())
    return found.group(1) if found else ""


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


_CODE_HOST = re.compile(r"^https?://(www\.)?(github\.com|gitlab\.com|codeberg\.org|bitbucket\.org)/[^/\s]+/[^/\s]+", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"https?://[^\s{}\\,;]+")


def is_code_url(value: str) -> bool:
    return bool(_CODE_HOST.match(value or ""))


def is_pdf_url(value: str) -> bool:
    return urlsplit(value or "").path.lower().endswith(".pdf")


def urls_in(text: str) -> list[str]:
    """http(s) URLs written inside free text (note, howpublished), including \\url{...}."""
    return [u.rstrip(".") for u in _URL_IN_TEXT.findall(text or "")]


class Links:
    """Collects an entry's links by kind; the first one found of a kind wins."""

    ORDER = ("pdf", "arxiv", "doi", "code", "project")

    def __init__(self):
        self.found: dict[str, str] = {}

    def add(self, kind: str, value: str) -> None:
        if value and kind not in self.found:
            self.found[kind] = value.strip()

    def add_arxiv(self, value: str) -> None:
        identifier = arxiv_id(value)
        if identifier:
            self.add("arxiv", arxiv_url(identifier))

    def add_doi(self, value: str) -> None:
        doi = bare_doi(value) or (value.strip() if (value or "").strip().startswith("10.") else "")
        if doi and arxiv_id(doi):
            self.add_arxiv(doi)  # the arXiv DOI is the arXiv paper, not a journal DOI
        elif doi:
            self.add("doi", doi_url(doi))

    def add_url(self, value: str, default: str = "project", code: bool = True) -> None:
        """Sort a URL of unknown kind: arXiv, DOI, code host (unless code=False), PDF, else `default`."""
        value = (value or "").strip()
        if not value:
            return
        if arxiv_id(value) and "arxiv.org" in value.lower():
            self.add_arxiv(value)
        elif bare_doi(value):
            self.add_doi(value)
        elif code and is_code_url(value):
            self.add("code", value)
        elif is_pdf_url(value):
            self.add("pdf", value)
        elif default:
            self.add(default, value)

    def result(self) -> dict[str, str]:
        ordered = {k: self.found[k] for k in self.ORDER if k in self.found}
        ordered.update((k, v) for k, v in self.found.items() if k not in ordered)
        return ordered


def split_keywords(value) -> list[str]:
    """'a, b; c' or a list -> ['a', 'b', 'c'] without blanks or repeats."""
    items = value if isinstance(value, list) else re.split(r"[;,]", str(value or ""))
    seen: list[str] = []
    for item in items:
        word = clean_space(str(item))
        if word and word not in seen:
            seen.append(word)
    return seen


def compact(fields: dict) -> dict:
    """Drop empty values so a record carries only what the source had."""
    return {k: v for k, v in fields.items() if v not in (None, "", [], {}, False)}

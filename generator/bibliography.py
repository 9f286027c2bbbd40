"""The site's papers as bibliography files: BibTeX, CSL-JSON and RIS.

Pure functions of the papers (and the site's base URL, which makes site paths absolute). The
citation key and BibTeX entry type of a record are `extra.citation_key` and `extra.entry_type`
when it has them (cvsite import keeps them there), so an imported paper is exported as it came.
Titles and abstracts are written as the record has them, LaTeX included, as arXiv's own
metadata does; BibTeX gets LaTeX's special characters escaped and keeps Unicode as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import count
from json.encoder import encode_basestring as _json_string  # how json.dumps(..., ensure_ascii=False) writes a str
from operator import attrgetter
from pathlib import Path

import rispy
from slugify import slugify

from . import urls
from .joined import JoinedFile, Layout
from .markup import latex_text
from .records import Paper
from .schema import CITATION_KEY

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
BOOKTITLE_TYPES = ("inproceedings", "incollection", "conference")  # the venue is the book, not a journal
CSL_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "incollection": "paper-conference",
    "conference": "paper-conference",
}
RIS_TYPES = {"article": "JOUR", "inproceedings": "CPAPER", "conference": "CPAPER", "incollection": "CHAP"}
ENTRY_TYPE_PATTERN = re.compile(r"^[A-Za-z]+$")

# words a citation key skips when it takes the first word of the title
_STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "on",
        "of",
        "for",
        "in",
        "and",
        "to",
        "with",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "via",
        "towards",
        "toward",
        "into",
        "over",
        "under",
    }
)
_ARXIV_ID = re.compile(r"arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$", re.IGNORECASE)
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "le", "la", "dos", "das", "ter", "ten", "zu"})


# -- what every format needs ------------------------------------------------------------------


def arxiv_id(paper: Paper) -> str:
    """The arXiv identifier of the paper's arxiv link, without its version (2309.10305)."""
    match = _ARXIV_ID.search(paper.link("arxiv"))
    return match.group(1) if match else ""


def bare_doi(paper: Paper) -> str:
    match = _DOI.match(paper.link("doi").strip())
    return match.group(1) if match else ""


def entry_type(paper: Paper) -> str:
    """extra.entry_type when given, else a journal article when there is a venue, else misc."""
    given = paper.extra.get("entry_type")
    if isinstance(given, str) and ENTRY_TYPE_PATTERN.match(given):
        return given.lower()
    return "article" if paper.venue else "misc"


@lru_cache(maxsize=8192)  # each paper's authors are split for BibTeX, CSL-JSON and RIS, and coauthors recur
def split_name(name: str) -> tuple[str, str, str]:
    """(given, family, suffix) of a display name; a one-word or {braced} name is all family."""
    name = " ".join(name.split())
    if name.startswith("{") and name.endswith("}"):
        return "", name[1:-1], ""
    if "," in name:  # already "Last, First" or "Last, Jr., First"
        parts = [p.strip() for p in name.split(",")]
        if len(parts) == 2:
            return parts[1], parts[0], ""
        return ", ".join(parts[2:]), parts[0], parts[1]
    words = name.split(" ")
    suffix = words.pop() if len(words) > 2 and words[-1].lower() in _SUFFIXES else ""
    if len(words) == 1:
        return "", words[0], suffix
    start = next((i for i in range(1, len(words) - 1) if words[i].lower() in _PARTICLES), len(words) - 1)
    return " ".join(words[:start]), " ".join(words[start:]), suffix


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _ascii_word(text: str) -> str:
    """Lowercase letters and digits only; other scripts and accents folded to ASCII (Müller: muller)."""
    if text.isascii():  # the common case, without python-slugify's transliteration
        return _NOT_ALNUM.sub("", text.lower())
    return slugify(text, separator="", lowercase=True)


def base_key(paper: Paper) -> str:
    """first author's family name + year + first significant title word: yang2023baichuan."""
    family = split_name(latex_text(paper.authors[0]))[1].split(" ")[-1] if paper.authors else ""
    words = (_ascii_word(raw) for raw in re.split(r"[\s\-/:]+", latex_text(paper.title)))  # lazily: the first will do
    word = next((w for w in words if w and w not in _STOP_WORDS), "")
    return f"{_ascii_word(family) or 'anon'}{paper.date.year}{word}"


def _suffix(n: int) -> str:
    """b, c, …, z, then 27, 28, … for the second, third, … paper with the same key."""
    return chr(ord("a") + n - 1) if n <= 26 else str(n)


def own_key(paper: Paper) -> str:
    """The record's extra.citation_key, when it is one BibTeX can use."""
    own = paper.extra.get("citation_key")
    return own if isinstance(own, str) and CITATION_KEY.match(own) else ""


def wanted_key(paper: Paper) -> str:
    """The key the paper gets unless another paper wants the same one."""
    return own_key(paper) or base_key(paper)


def citation_keys(papers: Iterable[Paper], wanted: Mapping[str, str] | None = None) -> dict[str, str]:
    """slug -> citation key, unique within the site and stable from build to build.

    A record's own extra.citation_key wins; otherwise a paper gets its wanted_key (or
    wanted[slug], when the caller has computed them already), and papers that want the same key
    are told apart by suffixes b, c, … in slug order, so a new paper can rename only papers
    that want its key.
    """
    ordered = sorted(papers, key=lambda p: p.slug)
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for paper in ordered:  # records that name their key first: they keep it
        own = own_key(paper)
        if own and own not in taken:
            keys[paper.slug] = own
            taken.add(own)
    for paper in ordered:
        if paper.slug in keys:
            continue
        base = wanted[paper.slug] if wanted is not None else wanted_key(paper)
        key = base if base not in taken else next(base + _suffix(n) for n in count(2) if base + _suffix(n) not in taken)
        keys[paper.slug] = key
        taken.add(key)
    return keys


def _link(paper: Paper, kind: str, base_url: str) -> str:
    target = paper.link(kind)
    return (urls.absolute(base_url, target) or target) if target else ""


def _date_parts(paper: Paper) -> list[int]:
    date = paper.date
    return [date.year, *([date.month] if date.month else []), *([date.day] if date.day else [])]


# -- BibTeX -------------------------------------------------------------------------------------

_SPECIAL = re.compile(r"\\.?|[$&%#_{}]", re.DOTALL)  # a backslash sequence, or one special character


def latex_escape(text: str) -> str:
    """Escape & % # _ outside $…$ math, and stray braces, so BibTeX and LaTeX read the text as written.

    Backslash commands the record already has (\\emph{x}, \\&) are kept; an odd number of $
    means money, not math, and every $ is escaped. Only the special characters are visited.
    """
    tokens = list(_SPECIAL.finditer(text))
    if not tokens:
        return text
    literal_dollars = sum(1 for m in tokens if m.group() == "$") % 2 == 1
    out: list[str] = []
    opened: list[int] = []  # indexes in out of { not yet closed
    in_math = False
    last = 0
    for match in tokens:
        out.append(text[last : match.start()])
        last = match.end()
        token = match.group()
        if token[0] == "\\":
            out.append(token if len(token) == 2 else "\\textbackslash{}")
        elif token == "$" and literal_dollars:
            out.append("\\$")
        elif token == "$":
            in_math = not in_math
            out.append("$")
        elif token == "{":
            opened.append(len(out))
            out.append("{")
        elif token == "}" and opened:
            opened.pop()
            out.append("}")
        elif token == "}":
            out.append("\\}")
        else:
            out.append(token if in_math else "\\" + token)
    out.append(text[last:])
    for index in opened:  # never closed
        out[index] = "\\{"
    return "".join(out)


def _author_field(paper: Paper) -> str:
    names = [f"{{{n}}}" if re.search(r"\sand\s", n, re.IGNORECASE) else n for n in paper.authors]
    return " and ".join(names + (["others"] if paper.et_al else []))


def bibtex_fields(paper: Paper, base_url: str = "") -> list[tuple[str, str]]:
    """(name, value as written) of the paper's BibTeX fields, braced except the month macro."""
    kind = entry_type(paper)
    found: list[tuple[str, str]] = []

    def add(name: str, value: str, escape: bool = True) -> None:
        if value:
            found.append((name, "{" + (latex_escape(value) if escape else value) + "}"))

    add("title", paper.title)
    add("author", latex_escape(_author_field(paper)), escape=False)
    add("year", str(paper.date.year))
    if paper.date.month:
        found.append(("month", MONTHS[paper.date.month - 1]))
    add("date", paper.date.iso())
    add("booktitle" if kind in BOOKTITLE_TYPES else "journal", paper.venue)
    if arxiv_id(paper):
        add("eprint", arxiv_id(paper), escape=False)
        add("archivePrefix", "arXiv", escape=False)
    add("primaryClass", paper.category.code, escape=False)
    add("doi", bare_doi(paper), escape=False)
    for kind_, name in (("pdf", "pdf"), ("code", "code"), ("project", "url")):
        add(name, _link(paper, kind_, base_url), escape=False)
    add("keywords", ", ".join(paper.tags))
    add("abstract", paper.abstract)
    return found


def bibtex_entry(paper: Paper, key: str, base_url: str = "") -> str:
    """One @type{key, ...} entry; every value is escaped and enclosed by bibtex_fields."""
    body = ",\n".join(f"  {name} = {value}" for name, value in bibtex_fields(paper, base_url))
    return f"@{entry_type(paper)}{{{key},\n{body}\n}}\n"


# -- CSL-JSON -----------------------------------------------------------------------------------


def csl_item(paper: Paper, key: str, base_url: str = "", abstract: str | None = None) -> dict:
    """The paper as a CSL-JSON item (abstract: what stands for the paper's abstract, if it has one)."""
    kind = entry_type(paper)
    item: dict = {"id": key, "type": CSL_TYPES.get(kind, "article"), "title": paper.title}
    names = []
    for name in paper.authors:
        given, family, suffix = split_name(name)
        if not given:
            names.append({"literal": family})
        else:
            names.append({"family": family, "given": given, **({"suffix": suffix} if suffix else {})})
    item["author"] = names
    item["issued"] = {"date-parts": [_date_parts(paper)]}
    if paper.venue:
        item["container-title"] = paper.venue
    if bare_doi(paper):
        item["DOI"] = bare_doi(paper)
    arxiv = arxiv_id(paper)
    url = f"https://arxiv.org/abs/{arxiv}" if arxiv else _link(paper, "pdf", base_url) or _link(paper, "project", base_url)
    if url:
        item["URL"] = url
    if arxiv:
        item["number"] = f"arXiv:{arxiv}"
    if paper.abstract:
        item["abstract"] = paper.abstract if abstract is None else abstract
    if paper.tags:
        item["keyword"] = ", ".join(paper.tags)
    return item


# -- RIS ----------------------------------------------------------------------------------------


class _RisWriter(rispy.RisWriter):
    def set_header(self, count: int) -> str:  # rispy numbers each record ("1."); RIS has no such line
        return ""


_SPLITS = "\t\r\x0b\x0c\x1c\x1d\x1e\x1f"  # ASCII characters str.split() splits at, besides space and newline


def _one_line(text: str) -> str:
    """text on one line (RIS is one line per tag): its words, one space apart. An ASCII text
    whose only breaks are newlines between words, one or two (lines and paragraphs: most
    abstracts), is that with each break made a space, which costs a tenth of splitting it."""
    flat = text.replace("\n\n", " ").replace("\n", " ")
    if flat.isascii() and "  " not in flat and flat[:1] != " " and flat[-1:] != " " and not any(c in flat for c in _SPLITS):
        return flat
    return " ".join(text.split())


def ris_record(paper: Paper, key: str, base_url: str = "", abstract: str | None = None) -> dict:
    """The paper as a RIS record (abstract: what stands for the paper's one-line abstract, if it has one)."""
    kind = entry_type(paper)
    record: dict = {"type_of_reference": RIS_TYPES.get(kind, "GEN"), "id": key, "title": _one_line(paper.title)}
    record["authors"] = [", ".join(filter(None, (family, suffix, given))) for given, family, suffix in map(split_name, paper.authors)]
    record["date"] = "/".join(f"{part:02d}" if i else f"{part:04d}" for i, part in enumerate(_date_parts(paper)))
    record["year"] = str(paper.date.year)
    if paper.venue:
        record["journal_name" if kind == "article" else "secondary_title"] = _one_line(paper.venue)
    if bare_doi(paper):
        record["doi"] = bare_doi(paper)
    arxiv = arxiv_id(paper)
    url = f"https://arxiv.org/abs/{arxiv}" if arxiv else _link(paper, "project", base_url)
    if url:
        record["urls"] = [url]
    if _link(paper, "pdf", base_url):
        record["file_attachments1"] = _link(paper, "pdf", base_url)
    if paper.abstract:
        record["abstract"] = _one_line(paper.abstract) if abstract is None else abstract
    if paper.tags:
        record["keywords"] = list(paper.tags)
    return record


def ris_entry(paper: Paper, key: str, base_url: str = "", abstract: str | None = None) -> str:
    return rispy.dumps([ris_record(paper, key, base_url, abstract)], implementation=_RisWriter)


# -- whole files --------------------------------------------------------------------------------


# Where the abstract goes in a paper's CSL-JSON item and RIS record: record text never holds a NUL
# (load.py refuses control characters), so the mark cannot be met in a paper's own text.
_ABSTRACT = "\0abstract\0"
ExportParts = tuple[str, tuple[str, str], tuple[str, str]]  # a PaperExport but its abstract


@dataclass(frozen=True)
class PaperExport:
    """One paper in each format, under its citation key: what the bibliography files are made of.

    The CSL-JSON item and the RIS record are kept as the text before and after their abstract,
    which is the paper's own string, written into them (JSON-escaped, on one line) as the files
    are joined: the abstract is most of both, and holding each paper's twice more was a fifth of
    a 10,000-paper build's memory and of its cache. (BibTeX escapes LaTeX's special characters,
    so its entry keeps an abstract of its own.)"""

    bibtex: str  # the @type{key, ...} entry
    csl_parts: tuple[str, str]  # the CSL-JSON item as one line of JSON (C encoder), before and after its abstract
    ris_parts: tuple[str, str]  # the TY ... ER record, before and after its abstract
    abstract: str = ""  # the paper's abstract, the very string (model._exports swaps a worker's copy for it)

    @classmethod
    def of(cls, paper: Paper, key: str, base_url: str = "") -> PaperExport:
        return cls(*cls.parts_of(paper, key, base_url), paper.abstract)

    @staticmethod
    def parts_of(paper: Paper, key: str, base_url: str = "") -> ExportParts:
        """What of() keeps but the abstract (a forked worker sends it back; this process has the paper)."""
        item = csl_item(paper, key, base_url, _ABSTRACT)
        return (
            bibtex_entry(paper, key, base_url),
            _around(json.dumps(item, ensure_ascii=False), _json_string(_ABSTRACT)),
            _around(ris_entry(paper, key, base_url, _ABSTRACT), _ABSTRACT),
        )

    @property
    def csl(self) -> str:
        head, tail = self.csl_parts
        return head + _json_string(self.abstract) + tail if self.abstract else head

    @property
    def ris(self) -> str:
        head, tail = self.ris_parts
        return head + _one_line(self.abstract) + tail if self.abstract else head


def _around(text: str, mark: str) -> tuple[str, str]:
    """text before and after mark (text whole and "" when it holds none: a paper without abstract)."""
    head, found, tail = text.partition(mark)
    return (head, tail) if found else (text, "")


# The files of the whole bibliography come in pieces of a few hundred papers each, in UTF-8 (at
# 10,000 papers a file is some 18 MB, which the build writes piece by piece instead of holding it
# as text and again as bytes), each paper's text made as its piece is (a CSL-JSON item or RIS
# record is joined with its abstract then), and after an edit copied from the file as last
# written when the paper did not change (joined.py).
_FORMS: dict[str, tuple[Callable[[PaperExport], str], str, str, str, str]] = {  # kind -> (text, head, sep, tail, empty)
    "bibtex": (attrgetter("bibtex"), "", "\n", "", ""),
    "csl_json": (attrgetter("csl"), "[\n", ",\n", "\n]\n", "[]\n"),  # a JSON array, one paper a line
    "ris": (attrgetter("ris"), "", "\n", "", ""),
}


def joined_file(
    kind: str, exports: Sequence[PaperExport], ids: bytes | None = None, previous: tuple[Path, Layout] | None = None
) -> JoinedFile:
    """The bibliography file of kind (bibtex, csl_json, ris) in pieces; ids: what each export
    was made from (model.export_id, packed), by which the file as last written (previous) lends
    the papers it holds."""
    text, head, sep, tail, empty = _FORMS[kind]
    return JoinedFile(len(exports), lambda i: text(exports[i]), ids, head, sep, tail, empty, previous)


def _whole(kind: str, exports: Sequence[PaperExport]) -> str:
    """A bibliography file of kind, as text."""
    return b"".join(joined_file(kind, exports)).decode("utf-8")


def exports_of(papers: Sequence[Paper], keys: Mapping[str, str] | None = None, base_url: str = "") -> list[PaperExport]:
    """Every paper in every format; keys default to citation_keys(papers)."""
    keys = keys if keys is not None else citation_keys(papers)
    return [PaperExport.of(p, keys[p.slug], base_url) for p in papers]


def bibtex(papers: Sequence[Paper], keys: Mapping[str, str] | None = None, base_url: str = "") -> str:
    """A .bib file of the papers, in the order given."""
    return _whole("bibtex", exports_of(papers, keys, base_url))


def csl_json(papers: Sequence[Paper], keys: Mapping[str, str] | None = None, base_url: str = "") -> str:
    return _whole("csl_json", exports_of(papers, keys, base_url))


def ris(papers: Sequence[Paper], keys: Mapping[str, str] | None = None, base_url: str = "") -> str:
    return _whole("ris", exports_of(papers, keys, base_url))

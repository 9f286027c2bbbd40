"""BibTeX and biblatex (.bib) -> record fields, parsed by bibtexparser 2.

bibtexparser splits the file into blocks and reports broken ones; @string macros, `#`
concatenation and crossref inheritance are resolved here, since bibtexparser 2 leaves them.
"""

from __future__ import annotations

import logging
import re

import bibtexparser
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import DuplicateBlockKeyBlock, Entry

from . import Imported
from .common import (
    MONTHS,
    EntryIssue,
    Links,
    arxiv_id,
    clean_space,
    compact,
    decode,
    display_name,
    iso_date,
    latex_field,
    make_date,
    parse_month,
    split_keywords,
    urls_in,
)

# bibtexparser logs each broken block; cvsite reports them itself, located, in one list
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

_MONTH_MACROS = {m: m for m in MONTHS}  # month = sep stays a month name for parse_month
_CONTAINERS = {"proceedings", "mvproceedings", "book", "mvbook", "collection", "mvcollection", "periodical"}


class _Undefined(ValueError):
    pass


def _split_concatenation(value: str) -> list[str]:
    """a # "b" # {c} -> ['a', '"b"', '{c}'], splitting only outside braces and quotes."""
    if "#" not in value:
        return [value]
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(value):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0 and (i == 0 or value[i - 1] != "\\"):
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(value[start:i].strip())
            start = i + 1
    parts.append(value[start:].strip())
    return parts


def _resolve(value: str, strings: dict[str, str]) -> str:
    """The text of a raw field value: macros looked up, pieces concatenated, enclosures removed."""
    out = []
    for piece in _split_concatenation(value.strip()):
        if len(piece) >= 2 and piece[0] == "{" and piece[-1] == "}" or len(piece) >= 2 and piece[0] == '"' and piece[-1] == '"':
            out.append(piece[1:-1])
        elif piece.isdigit():
            out.append(piece)
        elif piece.lower() in strings:
            out.append(strings[piece.lower()])
        elif piece.lower() in _MONTH_MACROS:
            out.append(piece.lower())
        else:
            raise _Undefined(f'undefined @string macro {piece!r}: define it with @string{{{piece} = "..."}} or put the value in braces')
    return "".join(out)


def _strings(library) -> dict[str, str]:
    known: dict[str, str] = {}
    for block in library.strings:  # in file order: a macro may use the ones defined before it
        try:
            known[block.key.lower()] = _resolve(block.value, known)
        except _Undefined:
            known[block.key.lower()] = block.value.strip().strip('{}"')
    return known


def _names(value: str) -> tuple[list[str], bool]:
    names, et_al = [], False
    for person in split_multiple_persons_names(clean_space(value)):
        if person.strip().lower() == "others":
            et_al = True
            continue
        try:
            parts = parse_single_name_into_parts(person, strict=False)
        except InvalidNameError as exc:
            raise EntryIssue("authors", f"cannot read the name {person!r}: {exc}") from None
        name = display_name(" ".join(parts.first), " ".join(parts.von), " ".join(parts.last), " ".join(parts.jr))
        if name:
            names.append(name)
    return names, et_al


def _date(f: dict[str, str]) -> str:
    if f.get("date"):
        try:
            return iso_date(f["date"].split("/")[0])  # biblatex ranges: the start
        except ValueError:
            raise EntryIssue("date", f"cannot read date {f['date']!r}: expected YYYY, YYYY-MM or YYYY-MM-DD") from None
    year = re.match(r"^\s*(\d{4})\b", f.get("year", ""))
    if not year:
        if f.get("year"):
            raise EntryIssue("date", f"cannot read year {f['year']!r}: expected four digits")
        return ""
    month = day = 0
    if f.get("month"):
        try:
            month = parse_month(f["month"])
        except ValueError:
            raise EntryIssue("date", f"cannot read month {f['month']!r}: use jan..dec, a month name or 1..12") from None
        if f.get("day", "").strip().isdigit():
            day = int(f["day"])
    return make_date(year.group(1), month, day)


def entry_fields(f: dict[str, str], key: str, entry_type: str) -> dict:
    """Record fields of one entry whose values are already resolved text (keys lowercased)."""
    authors, et_al = _names(f.get("author") or f.get("editor") or "")
    links = Links()
    links.add("code", f.get("code", ""))
    links.add("pdf", f.get("pdf", ""))
    prefix = (f.get("archiveprefix") or f.get("eprinttype") or "").lower()
    if f.get("eprint") and (prefix == "arxiv" or (not prefix and arxiv_id(f["eprint"]))):
        links.add_arxiv(f["eprint"])
    links.add_doi(f.get("doi", ""))
    venue = f.get("journal") or f.get("journaltitle") or f.get("booktitle") or ""
    if "arxiv" in venue.lower() and arxiv_id(venue.split(":")[-1].strip()):  # Scholar: "arXiv preprint arXiv:2309.10305"
        links.add_arxiv(venue.split(":")[-1].strip())
    links.add_url(f.get("url", ""), code="code" not in f)  # beside a code field, url is the project page
    for text_field in ("note", "howpublished"):
        for found in urls_in(f.get(text_field, "")):
            links.add_url(found, default="")
    return compact(
        {
            "title": latex_field(clean_space(f.get("title", ""))),
            "authors": authors,
            "date": _date(f),
            "category": (f.get("primaryclass") or f.get("eprintclass") or "").strip(),
            "et_al": et_al,
            "venue": latex_field(clean_space(venue)),
            "links": links.result(),
            "tags": split_keywords(f.get("keywords", "")),
            "abstract": latex_field(f.get("abstract", "")),
            "extra": {"citation_key": key, "entry_type": entry_type},
        }
    )


def _inherit(key: str, raw: dict[str, dict[str, str]], types: dict[str, str]) -> dict[str, str]:
    """Fields of `key` with what its crossref parents add (biblatex: a parent's title is the booktitle)."""
    merged, seen, current = dict(raw[key]), [key], key
    while raw[current].get("crossref"):
        parent = raw[current]["crossref"].strip()
        match = next((k for k in raw if k.lower() == parent.lower()), None)
        if match is None:
            raise EntryIssue("crossref", f"crossref {parent!r} is not an entry of this file")
        if match in seen:
            raise EntryIssue("crossref", "crossref cycle: " + " -> ".join([*seen, match]))
        seen.append(match)
        for name, value in raw[match].items():
            if name == "title" and types[match] in _CONTAINERS:
                merged.setdefault("booktitle", value)
            elif name not in ("crossref", "ids"):
                merged.setdefault(name, value)
        current = match
    merged.pop("crossref", None)
    return merged


def _reason(block) -> str:
    error = block.error
    return clean_space(getattr(error, "abort_reason", "") or str(error) or type(error).__name__).rstrip(".")


def _fields(key: str, raw, types) -> dict:
    """An entry's fields, with what it inherits through crossref (a cycle is this entry's issue)."""
    return entry_fields(_inherit(key, raw, types), key, types[key])


def parse(data: bytes, source: str) -> list[Imported]:
    library = bibtexparser.parse_string(decode(data), parse_stack=[])
    strings = _strings(library)
    found: list[Imported] = []
    raw: dict[str, dict[str, str]] = {}
    types: dict[str, str] = {}
    pending: list[tuple[Imported, Entry]] = []
    for entry in library.entries:
        assert entry.start_line is not None  # the parser sets it on every block it reads
        item = Imported(source, entry.start_line + 1, entry.key)
        values: dict[str, str] = {}
        for fld in entry.fields:
            try:
                values[fld.key.lower()] = _resolve(str(fld.value), strings)
            except _Undefined as exc:
                item.issues.append((fld.key.lower(), str(exc)))
        raw[entry.key] = values
        types[entry.key] = entry.entry_type.lower()
        pending.append((item, entry))
    parents = {v["crossref"].strip().lower() for v in raw.values() if v.get("crossref")}
    for item, entry in pending:
        if types[entry.key] in _CONTAINERS and entry.key.lower() in parents:
            continue  # a proceedings volume that papers cross-reference is not a paper itself
        item.read(_fields, entry.key, raw, types)
        found.append(item)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            first = next((i.line for i in found if i.key == block.key), None)
            where = f" (first on line {first})" if first else ""
            found.append(Imported(source, line, block.key, issues=[("key", f"duplicate citation key{where}; give each entry its own key")]))
        else:
            key = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]*)", block.raw or "")
            found.append(
                Imported(
                    source,
                    line,
                    key.group(1) if key and key.group(1) else "?",
                    issues=[("entry", f"cannot parse this entry ({_reason(block)}); check its braces, quotes and commas")],
                )
            )
    found.sort(key=lambda i: i.line)
    return found

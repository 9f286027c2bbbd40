"""RIS (Zotero, EndNote, Google Scholar, publishers) -> record fields, parsed by rispy.

Each TY ... ER block is handed to rispy on its own, so one broken entry is reported at its line
and the others still import.
"""

from __future__ import annotations

import re

import rispy

from . import Imported
from .common import (
    EntryIssue,
    Links,
    clean_space,
    compact,
    decode,
    make_date,
    split_keywords,
)

# RIS reference types -> the BibTeX entry type kept in `extra` for BibTeX export
BIBTEX_TYPES = {
    "JOUR": "article",
    "JFULL": "article",
    "EJOUR": "article",
    "CONF": "inproceedings",
    "CPAPER": "inproceedings",
    "CHAP": "incollection",
    "BOOK": "book",
    "THES": "phdthesis",
    "RPRT": "techreport",
    "UNPB": "unpublished",
    "PREPRINT": "misc",
    "GEN": "misc",
}
_TY = re.compile(r"^[ \t]*TY  -", re.MULTILINE)


def person(name: str) -> str:
    """'Last, First' or 'Last, Jr., First' or 'First Last' -> 'First Last Jr.'."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2:
        return clean_space(f"{parts[1]} {parts[0]}")
    if len(parts) >= 3:
        return clean_space(f"{parts[2]} {parts[0]} {parts[1]}")
    return clean_space(name)


def ris_date(record: dict) -> str:
    """DA 2023/09/19 or 2023/09// or PY 2023/// -> 2023-09-19, 2023-09, 2023."""
    for key in ("date", "year", "publication_year"):
        value = str(record.get(key) or "").strip()
        if not value:
            continue
        pieces = re.split(r"[/-]", value) + ["", ""]
        if not re.fullmatch(r"\d{4}", pieces[0].strip()):
            raise EntryIssue("date", f"cannot read {key.upper()[:2]} {value!r}: expected YYYY/MM/DD")
        month = int(pieces[1]) if pieces[1].strip().isdigit() else 0
        day = int(pieces[2]) if month and pieces[2].strip().isdigit() else 0
        return make_date(pieces[0], month, day)
    return ""


def record_fields(record: dict) -> dict:
    names = record.get("authors") or record.get("first_authors") or []
    authors = [person(n) for n in names if n.strip() and n.strip().lower() not in ("others", "et al.")]
    et_al = any(n.strip().lower() in ("others", "et al.") for n in names)
    links = Links()
    links.add(
        "pdf", str(record.get("file_attachments1") or "").strip() if str(record.get("file_attachments1") or "").startswith("http") else ""
    )
    links.add_doi(str(record.get("doi") or ""))
    for url in record.get("urls") or []:
        links.add_url(url)
    kind = str(record.get("type_of_reference") or "").upper()
    venue = record.get("journal_name") or record.get("secondary_title") or record.get("alternate_title3") or ""
    return compact(
        {
            "title": clean_space(str(record.get("title") or record.get("primary_title") or "")),
            "authors": authors,
            "date": ris_date(record),
            "et_al": et_al,
            "venue": clean_space(str(venue)),
            "links": links.result(),
            "tags": split_keywords(record.get("keywords") or []),
            "abstract": str(record.get("abstract") or record.get("notes_abstract") or "").strip(),
            "extra": compact(
                {"citation_key": clean_space(str(record.get("id") or "")), "entry_type": BIBTEX_TYPES.get(kind, "misc") if kind else ""}
            ),
        }
    )


def parse(data: bytes, source: str) -> list[Imported]:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    starts = [m.start() for m in _TY.finditer(text)]
    if not starts:
        return [Imported(source, 1, "?", issues=[("file", "no RIS entries: each starts with a 'TY  - ' line")])]
    found = []
    for n, start in enumerate(starts):
        chunk = text[start : starts[n + 1] if n + 1 < len(starts) else len(text)]
        line = text.count("\n", 0, start) + 1
        entry = Imported(source, line, f"entry {n + 1}")
        if not re.search(r"^\s*ER  -", chunk, re.MULTILINE):
            entry.issues.append(("entry", "no 'ER  - ' line ends this entry"))
            found.append(entry)
            continue
        try:
            records = rispy.loads(chunk.strip() + "\n")
        except (ValueError, KeyError, IndexError, TypeError, OSError) as exc:  # rispy on malformed tags
            entry.issues.append(("entry", f"cannot parse this entry: {clean_space(str(exc))}"))
            found.append(entry)
            continue
        record = records[0] if records else {}
        entry.key = clean_space(str(record.get("id") or "")) or entry.key
        entry.read(record_fields, record)
        found.append(entry)
    return found

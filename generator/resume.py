"""resume.json: the CV as a JSON Resume document (https://jsonresume.org/schema), and back.

Sections JSON Resume has a place for map onto it: basics (the profile), work (positions),
education, awards, volunteer (service) and publications (the papers). What it has no field for
(an education's advisor and thesis, every entry's links, `end: present`, and the talks, grants,
teaching, students and news sections) is kept under "x-cvsite" keys, which the schema allows,
so that reading a resume.json back gives the same cv.yaml (see cv_from_resume).
"""

from __future__ import annotations

import json
from typing import Any

from . import fields, paper_blocks, urls
from .cv_records import PRESENT
from .memo import cached
from .records import PartialDate

SCHEMA = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"
EXTRA = "x-cvsite"

# cv.yaml section -> (JSON Resume section, {cv.yaml field: JSON Resume field})
MAPPED = {
    "positions": (
        "work",
        {"organization": "name", "title": "position", "location": "location", "start": "startDate", "end": "endDate", "note": "summary"},
    ),
    "education": (
        "education",
        {"institution": "institution", "field": "area", "degree": "studyType", "start": "startDate", "end": "endDate"},
    ),
    "awards": ("awards", {"name": "title", "date": "date", "by": "awarder", "note": "summary"}),
    "service": ("volunteer", {"venue": "organization", "role": "position", "note": "summary"}),
}
UNMAPPED = ("grants", "talks", "teaching", "students", "news")  # kept whole under x-cvsite


def _plain(value: Any) -> Any:
    """A record value as cv.yaml would write it."""
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return dict(value)  # links
    return value


def entry_fields(section: str, entry: Any) -> dict[str, Any]:
    """The fields of one cv.yaml entry that were given, in the field table's order."""
    table = fields.CV_FILE[section].fields
    assert table is not None  # every CV section is a list of entries with fields
    found = {}
    for name, spec in table.items():
        value = getattr(entry, name)
        if value != spec.default and value not in ("", (), None):
            found[name] = _plain(value)
    return found


def _mapped_entry(section: str, entry: Any) -> dict[str, Any]:
    plain = entry_fields(section, entry)
    _, names = MAPPED[section]
    out: dict[str, Any] = {}
    for ours, theirs in names.items():
        if ours in plain and plain[ours] != PRESENT:  # JSON Resume: no endDate means it goes on
            out[theirs] = plain.pop(ours)
    if plain.get("links"):
        out["url"] = next(iter(plain["links"].values()))
    if plain:
        out[EXTRA] = plain
    return out


def _paper(entry, base_url: str) -> dict[str, Any]:
    paper = entry.paper
    link = paper.link("doi") or paper.link("arxiv") or paper.link("pdf") or urls.absolute(base_url, entry.url)
    out = {"name": entry.title_text, "publisher": paper.venue, "releaseDate": paper.date.iso(), "url": link, "summary": entry.abstract_text}
    return {k: v for k, v in out.items() if v}


def resume(model, pieces: bool = False) -> dict[str, Any]:
    """The site model as a JSON Resume document (with pieces, the papers are left to resume_json)."""
    profile, cv = model.profile, model.cv.record
    base = urls.absolute_base(model.config.base_url)  # a path-only base_url names no address
    basics: dict[str, Any] = {"name": profile.name}
    if profile.headline:
        basics["label"] = profile.headline
    if profile.photo and urls.absolute(base, profile.photo):
        basics["image"] = urls.absolute(base, profile.photo)
    if profile.email:
        basics["email"] = profile.email
    if base:
        basics["url"] = base
    if model.bio_html:
        basics["summary"] = profile.bio
    profiles = [{"network": label, "url": target} for label, target in profile.links if urls.is_external(target)]
    if profiles:
        basics["profiles"] = profiles
    data: dict[str, Any] = {"$schema": SCHEMA, "basics": basics}
    for section, (theirs, _) in MAPPED.items():
        entries = getattr(cv, section)
        if entries:
            data[theirs] = [_mapped_entry(section, e) for e in entries]
    if model.entries:
        data["publications"] = [PUBLICATIONS] if pieces else [_paper(e, base) for e in model.entries]
    extra = {section: [entry_fields(section, e) for e in getattr(cv, section)] for section in UNMAPPED if getattr(cv, section)}
    if extra:
        data[EXTRA] = extra
    newest = model.entries[0].paper.date if model.entries else None  # entries come newest first
    data["meta"] = {"version": "v1.0.0"} | ({"lastModified": newest.iso()} if newest else {})
    if base:
        data["meta"]["canonical"] = urls.absolute(base, urls.RESUME)
    return data


# Where the papers go in the document as first written: a string no record can hold (raw control
# characters are refused when records are read), replaced by the papers' own pieces of JSON.
PUBLICATIONS = "\0cvsite-publications\0"
_MARK = f"\n    {json.dumps(PUBLICATIONS)}\n"


def _publication(entry, base_url: str) -> bytes:
    """One paper as the document shows it: a JSON object indented as an item of "publications",
    in UTF-8 (joined as bytes: encoding the whole document once more cost as much as the join)."""
    text = json.dumps(_paper(entry, base_url), ensure_ascii=False, indent=2)
    return ("    " + text.replace("\n", "\n    ")).encode("utf-8")


def resume_json(model) -> bytes:
    """The document, with the papers' parts made once and kept in the build cache (memo.py) a
    block of papers at a time (paper_blocks.py): after an edit only the edited paper's block is
    made again. The result is the bytes json.dumps gives for the whole document (a test compares them)."""
    return b"".join(resume_pieces(model))


def resume_pieces(model) -> list[bytes]:
    """resume_json's bytes in pieces, most of them the blocks of papers' parts as the cache keeps
    them: the build writes them one after the other rather than join megabytes first."""
    data = resume(model, pieces=True)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if model.entries:
        if text.count(_MARK) != 1:  # cannot happen (see PUBLICATIONS); the whole document, then
            return [(json.dumps(resume(model), ensure_ascii=False, indent=2) + "\n").encode("utf-8")]
        base = urls.absolute_base(model.config.base_url)
        before, after = text.split(_MARK)
        pieces = [before.encode("utf-8"), b"\n"]
        for i, (block, key) in enumerate(paper_blocks.blocks(model.entries)):
            if i:
                pieces.append(b",\n")
            pieces.append(_publications(block, key, base))
        return [*pieces, b"\n", after.encode("utf-8"), b"\n"]
    return [(text + "\n").encode("utf-8")]


def _publications(block, key: str, base_url: str) -> bytes:
    """A block of papers as the document shows them, one after the other (key: paper_blocks.blocks's)."""

    def make() -> bytes:
        return b",\n".join([_publication(entry, base_url) for entry in block])

    return cached("resume", f"{key}\0{base_url}", make) if key else make()


# -- back: a JSON Resume document to cv.yaml's sections ----------------------------------------------


def entry_from_item(section: str, item: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """One cv.yaml entry of `section` from one JSON Resume item, and where each field came from
    (cv.yaml field -> the item's key, e.g. start -> startDate, advisor -> x-cvsite.advisor)."""
    origin: dict[str, str] = {}
    entry: dict[str, Any] = {}
    if section in MAPPED:
        _, names = MAPPED[section]
        for ours, key in names.items():
            if item.get(key) not in (None, ""):
                entry[ours], origin[ours] = item[key], key
        extra = item.get(EXTRA)
        if isinstance(extra, dict):
            for name, value in extra.items():
                entry[name], origin[name] = value, f"{EXTRA}.{name}"
        if item.get("url") not in (None, "") and "links" not in entry:
            entry["links"], origin["links"] = {"web": item["url"]}, "url"
        if section in ("positions", "education") and "start" in entry and "end" not in entry:
            entry["end"], origin["end"] = PRESENT, "endDate"  # JSON Resume: a period without endDate goes on
        if section == "service" and "years" not in entry and item.get("startDate"):
            first, last = str(item["startDate"])[:4], str(item.get("endDate") or "")[:4]
            entry["years"], origin["years"] = (f"{first}–{last}" if last and last != first else first), "startDate"
    else:  # kept whole under the document's x-cvsite key, in cv.yaml's own vocabulary
        entry = {k: v for k, v in item.items() if v is not None}
        origin = {k: k for k in entry}
    return _ordered(section, entry), origin


def resume_items(data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(cv.yaml section, where in the document, item) for every item with a cv.yaml section, in
    the field table's order of sections; items are as found (not checked to be objects)."""
    found = []
    held = data.get(EXTRA)
    unmapped: dict[str, Any] = held if isinstance(held, dict) else {}
    for section in fields.CV_FILE:
        if section in MAPPED:
            where, items = MAPPED[section][0], data.get(MAPPED[section][0])
        else:
            where, items = f"{EXTRA}.{section}", unmapped.get(section)
        if isinstance(items, list):
            found += [(section, f"{where}[{i + 1}]", item) for i, item in enumerate(items)]
    return found


def cv_from_resume(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """cv.yaml sections (plain dicts, in the field table's order) from a JSON Resume document.

    Standard fields are read from any JSON Resume; the x-cvsite keys written by resume() restore
    what JSON Resume has no place for. The result is validated like a hand-written cv.yaml
    (`cvsite import resume.json` does that, and reports what is not a JSON object).
    """
    sections: dict[str, list[dict[str, Any]]] = {}
    for section, _, item in resume_items(data):
        if isinstance(item, dict):
            sections.setdefault(section, []).append(entry_from_item(section, item)[0])
    return sections


def _ordered(section: str, entry: dict[str, Any]) -> dict[str, Any]:
    """Fields in the table's order; unknown ones last, for the validator to report."""
    table = fields.CV_FILE[section].fields
    assert table is not None  # every CV section is a list of entries with fields
    return {k: entry[k] for k in table if k in entry} | {k: v for k, v in entry.items() if k not in table}

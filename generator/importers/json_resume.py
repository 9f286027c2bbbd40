"""JSON Resume (resume.json) -> entries of content/cv.yaml, each knowing where it came from.

The mapping is resume.py's, the one that writes resume.json, so a site's own resume.json reads back
to the same cv.yaml. Only the CV's sections come in: `basics` belongs in content/profile.md and
`publications` carry no authors or category, so they cannot make paper records (import papers
from papers.bib instead); those and the sections cvsite has no place for are named, not guessed.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem
from ..resume import EXTRA, MAPPED, UNMAPPED, entry_from_item, resume_items
from ..schema import suggestion
from .common import decode

# top-level keys of the JSON Resume schema: a JSON object with any of them is a resume
RESUME_KEYS = frozenset(
    {
        "basics",
        "work",
        "volunteer",
        "education",
        "awards",
        "certificates",
        "publications",
        "skills",
        "languages",
        "interests",
        "references",
        "projects",
    }
)
NOT_IMPORTED = ("basics", "publications", "certificates", "skills", "languages", "interests", "references", "projects")


def looks_like_resume(data: Any) -> bool:
    return isinstance(data, dict) and bool(RESUME_KEYS & data.keys())


@dataclass
class CvEntry:
    """One entry for a cv.yaml section, from one item of a JSON Resume document."""

    section: str
    fields: dict
    origin: dict[str, str]  # cv.yaml field -> the item's key
    source: str
    line: int  # the line where the item's object begins
    key: str  # where the item is, e.g. work[2]

    def problem(self, name: str, message: str) -> Problem:
        """A problem of a cv.yaml field, named as the source names it (positions' start is startDate)."""
        top, _, rest = name.partition(".")
        where = self.origin.get(top) or _default_origin(self.section, top)
        if rest and where != "url":  # url stands for links.web, a label the source does not have
            where += f".{rest}"  # x-cvsite.links.slides
        return Problem(self.source, self.line, f"{self.key}: {where}", message)


def _default_origin(section: str, name: str) -> str:
    """Where a field the item lacks would be: its JSON Resume key, else under x-cvsite."""
    if section in MAPPED:
        theirs = MAPPED[section][1].get(name)
        return theirs or f"{EXTRA}.{name}"
    return name


@dataclass
class ResumeSource:
    source: str
    entries: list[CvEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # "publications (27 entries)", "basics"


def _decode_with_lines(text: str) -> tuple[Any, dict[int, int]]:
    """json.loads, and the offset where each object begins (by id), for located messages."""
    starts: dict[int, int] = {}
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, *args):
        obj, end = json.decoder.JSONObject(s_and_end, *args)
        starts[id(obj)] = s_and_end[1] - 1
        return obj, end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text), starts


def parse(data: bytes, source: str) -> ResumeSource:
    text = decode(data)
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    found = ResumeSource(source)

    def line_at(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    try:
        document, starts = _decode_with_lines(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        found.problems.append(Problem(source, exc.lineno, "file", f"invalid JSON: {exc.msg}"))
        return found
    except RecursionError:
        found.problems.append(Problem(source, 1, "file", "invalid JSON: nested too deeply"))
        return found
    if not looks_like_resume(document):
        found.problems.append(Problem(source, 1, "file", "not a JSON Resume document (an object with basics, work, education, …)"))
        return found
    for name in [theirs for theirs, _ in MAPPED.values()] + [EXTRA]:
        value = document.get(name)
        if value is not None and not isinstance(value, dict if name == EXTRA else list):
            kind = "an object" if name == EXTRA else "a list"
            found.problems.append(Problem(source, 1, name, f"expected {kind}, got {type(value).__name__}"))
    extra = document.get(EXTRA)
    if isinstance(extra, dict):
        for section, items in extra.items():
            where = line_at(starts.get(id(extra), 0))
            if section not in UNMAPPED:
                found.problems.append(Problem(source, where, f"{EXTRA}.{section}", f"unknown section{suggestion(section, UNMAPPED)}"))
            elif items is not None and not isinstance(items, list):
                found.problems.append(Problem(source, where, f"{EXTRA}.{section}", "expected a list of entries"))
    for section, key, item in resume_items(document):
        if not isinstance(item, dict):
            found.problems.append(Problem(source, 1, key, f"expected a JSON object, got {type(item).__name__}"))
            continue
        if section in MAPPED and item.get(EXTRA) is not None and not isinstance(item[EXTRA], dict):
            found.problems.append(Problem(source, line_at(starts.get(id(item), 0)), f"{key}: {EXTRA}", "expected an object"))
            continue
        entry, origin = entry_from_item(section, item)
        found.entries.append(CvEntry(section, entry, origin, source, line_at(starts.get(id(item), 0)), key))
    for name in NOT_IMPORTED:
        value = document.get(name)
        if isinstance(value, list) and value:
            found.left_out.append(f"{name} ({len(value)} {'entry' if len(value) == 1 else 'entries'})")
        elif isinstance(value, dict) and value:
            found.left_out.append(name)
    return found

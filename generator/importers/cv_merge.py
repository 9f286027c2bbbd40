"""Imported CV entries against content/cv.yaml: never duplicated, never clobbered.

An entry is the entry the file already has when the fields of its section's KEY are the same
(ignoring case, accents, LaTeX and punctuation; dates by their year, so 2019-09 is 2019). An
existing entry is left as it is; with update, it gains the fields it lacks (and links whose
address it lacks) and each disagreement is listed. Before anything is written, the imported
entries are checked alone (so a problem is named where the source has it) and the file as it
would be written is read back by the build's loader and validated by the build's cv validator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..cv_records import CV_SECTIONS
from ..errors import Problem
from ..load import CV_FILE, RawRecord, parse_record
from ..validate_cv import validate_cv
from ..yamlio import YamlProblem
from . import cv_writer
from .json_resume import CvEntry
from .merge import normal_title

# the fields that say which entry an entry is (documented in the README's import section)
KEYS = {
    "education": ("institution", "degree", "start"),
    "positions": ("organization", "title", "start"),
    "awards": ("name", "date"),
    "grants": ("title", "funder", "start"),
    "talks": ("title", "event", "date"),
    "teaching": ("course", "institution", "term"),
    "service": ("role", "venue", "years"),
    "students": ("name", "level"),
    "news": ("date", "text"),
}
DATES = ("start", "end", "date")
_PROBLEM_FIELD = re.compile(r"^(?P<section>\w+)\[(?P<index>\d+)\](?:\.(?P<rest>.+))?$")


def entry_key(section: str, entry: dict) -> tuple[str, ...]:
    return tuple(str(entry.get(name) or "")[:4] if name in DATES else normal_title(str(entry.get(name) or "")) for name in KEYS[section])


@dataclass
class CvPlan:
    text: str = ""  # what cv.yaml would hold; "" when nothing changes
    new: bool = False  # the file does not exist yet
    added: list[CvEntry] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # positions[2], … (entries that gained fields)
    present: list[tuple[CvEntry, str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _same(name: str, mine: Any, theirs: Any) -> bool:
    if name in DATES:
        a, b = str(mine), str(theirs)
        return a.startswith(b) or b.startswith(a)  # 2019-09 and 2019: the same date, less precise
    return str(mine).strip() == str(theirs).strip()


def _check(text: str) -> list[Problem]:
    """Problems of a cv.yaml text, as `cvsite build` would report them."""
    try:
        raw = parse_record(CV_FILE, text.encode("utf-8"))
    except YamlProblem as issue:
        return [Problem(CV_FILE, issue.line, issue.field, issue.message)]
    return validate_cv(raw)[1]


def _check_alone(entries: list[CvEntry]) -> dict[int, list[Problem]]:
    """Each imported entry's problems, found by validating them as a cv.yaml of their own and
    named as the source names them; by the entry's position in entries."""
    sections: dict[str, list[int]] = {}
    for n, entry in enumerate(entries):
        sections.setdefault(entry.section, []).append(n)
    text = cv_writer.new_file({name: [entries[n].fields for n in numbers] for name, numbers in sections.items()})
    found: dict[int, list[Problem]] = {}
    for problem in _check(text):
        match = _PROBLEM_FIELD.match(problem.field)
        if match is None or match["section"] not in sections:
            continue  # the text is ours: any other problem would be a mistake of this module
        n = sections[match["section"]][int(match["index"]) - 1]
        name = match["rest"] or "entry"
        found.setdefault(n, []).append(entries[n].problem(name, problem.message))
    return found


def _update(section: str, index: int, mine: dict, theirs: dict) -> tuple[dict, list[str]]:
    """The fields `mine` lacks and `theirs` has, and where they disagree."""
    fills: dict[str, Any] = {}
    conflicts = []
    where = f"{CV_FILE}: {section}[{index + 1}]"
    for name, value in theirs.items():
        if name == "links" and isinstance(value, dict):
            held = mine.get("links")
            have: dict = held if isinstance(held, dict) else {}
            addresses = {str(v).strip() for v in have.values()}
            new = {k: v for k, v in value.items() if k not in have and str(v).strip() not in addresses}
            conflicts += [
                f"{where}.links.{k}: kept {have[k]!r}, source has {v!r}"
                for k, v in value.items()
                if k in have and str(have[k]).strip() != str(v).strip() and str(v).strip() not in addresses
            ]
            if new:
                fills["links"] = new
        elif _empty(mine.get(name)):
            fills[name] = value
        elif not _same(name, mine[name], value):
            conflicts.append(f"{where}.{name}: kept {mine[name]!r}, source has {value!r}")
    return fills, conflicts


def _expected(existing: dict, fills: dict[tuple[str, int], dict], appends: dict[str, list[dict]]) -> dict:
    """The data the edited file must hold: what the owner's file holds, plus the additions."""
    data = {k: ([dict(e) if isinstance(e, dict) else e for e in v] if isinstance(v, list) else v) for k, v in existing.items()}
    for (section, index), new in fills.items():
        entry = data[section][index]
        for name, value in new.items():
            entry[name] = {**entry["links"], **value} if name == "links" and isinstance(entry.get("links"), dict) else value
    for section, entries in appends.items():
        data[section] = (data.get(section) or []) + entries
    return data


def plan(raw: RawRecord | None, text: str, entries: list[CvEntry], update: bool, skip_invalid: bool) -> CvPlan:
    """What importing entries into the cv.yaml whose parsed record and text are given would do."""
    result = CvPlan(new=raw is None)
    alone = _check_alone(entries)
    bad = [p for n in sorted(alone) for p in alone[n] if not p.warning]
    if bad and not skip_invalid:
        result.problems = bad
        return result
    result.skipped = bad
    existing: dict = dict(raw.doc.data) if raw is not None else {}
    fills: dict[tuple[str, int], dict] = {}
    appends: dict[str, list[dict]] = {}
    seen: dict[tuple[str, tuple[str, ...]], int] = {}  # -> the existing entry's index, or -1: added by this run
    for section, items in existing.items():
        if section in KEYS and isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    seen.setdefault((section, entry_key(section, item)), i)
    for n, entry in enumerate(entries):
        if any(not p.warning for p in alone.get(n, [])):
            continue
        key = (entry.section, entry_key(entry.section, entry.fields))
        index = seen.get(key)
        if index is None:
            appends.setdefault(entry.section, []).append(entry.fields)
            seen[key] = -1
            result.added.append(entry)
            continue
        if index < 0:
            result.present.append((entry, f"{entry.section}: the same entry earlier in this import"))
            continue
        label = f"{entry.section}[{index + 1}]"
        if update:
            new, conflicts = _update(entry.section, index, existing[entry.section][index], entry.fields)
            result.conflicts += conflicts
            if new:
                fills[(entry.section, index)] = {**fills.get((entry.section, index), {}), **new}
                result.merged.append(label)
                continue
        result.present.append((entry, f"{CV_FILE}: {label}"))
    if not fills and not appends:
        return result
    try:
        updated, left_out = cv_writer.edit(text, fills, appends) if raw is not None else (cv_writer.new_file(_order(appends)), [])
    except (ValueError, AttributeError, IndexError):
        left_out, updated = ["entries"], text
    if left_out:
        where = ", ".join(left_out)
        result.problems.append(
            Problem(CV_FILE, 1, "file", f"cannot add {where}: written on one line ({{…}} or […]); write it as a block and import again")
        )
        return result
    try:
        holds = parse_record(CV_FILE, updated.encode("utf-8")).doc.data
    except YamlProblem:
        holds = None
    if holds != _expected(existing, fills, appends):  # never write a file that does not hold what it should
        result.problems.append(Problem(CV_FILE, 1, "file", "cannot add the entries in place without changing others; add them by hand"))
        return result
    result.problems += [p for p in _check(updated) if not p.warning]
    result.text = updated
    result.merged = sorted(set(result.merged), key=result.merged.index)
    return result


def _order(appends: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """A new file's sections in the CV's default order (positions first), as cvsite new writes them."""
    return {name: appends[name] for name in CV_SECTIONS if name in appends}

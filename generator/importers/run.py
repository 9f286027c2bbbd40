"""One import run: sources -> entries -> one record per paper -> checked -> written (or not).

Every problem of the run is collected first; files are written only when there are none (or
with skip_invalid, only the good records). Nothing is printed here: the CLI reports the result.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError, Problem, UsageError
from ..load import CV_FILE, load_site, parse_record
from ..records import Category
from ..validate import category_table, validate_config
from . import Imported, arxiv_atom, bibtex, csl_json, cv_merge, json_resume, openalex, orcid, ris
from .detect import FORMATS, detect
from .merge import (
    Existing,
    Group,
    find_existing,
    group_entries,
    index_existing,
    normal_title,
)
from .serialise import check, record_path, to_markdown, unique_slug
from .writer import NESTED, fill, write_atomic

PARSERS = {
    "bibtex": bibtex.parse,
    "csl-json": csl_json.parse,
    "ris": ris.parse,
    "arxiv-atom": arxiv_atom.parse,
    "orcid": orcid.parse,
    "openalex": openalex.parse,
}
IDENTIFIER = re.compile(r"^(arxiv|doi|orcid):\S+$", re.IGNORECASE)
FILLABLE = ("et_al", "affiliation", "venue", "links", "citations", "tags", "abstract", "extra")
COMPARED = ("title", "authors", "date", "venue", "citations", "tags")


@dataclass(frozen=True)
class ImportOptions:
    root: Path
    sources: tuple[str, ...]
    category: str = ""
    format: str = ""
    dry_run: bool = False
    update: bool = False
    skip_invalid: bool = False
    fetch: Callable[[str], list[tuple[str, bytes, str]]] | None = None  # identifier -> [(label, bytes, format)]


@dataclass
class ImportReport:
    new: list[tuple[str, Imported]] = field(default_factory=list)  # (record path, first entry)
    merged: list[str] = field(default_factory=list)  # existing records that gained fields
    present: list[tuple[Imported, str]] = field(default_factory=list)  # entry, the record it matched
    skipped: list[Problem] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    entries: int = 0
    cv_added: list[json_resume.CvEntry] = field(default_factory=list)  # new entries of content/cv.yaml
    cv_merged: list[str] = field(default_factory=list)  # its entries that gained fields: positions[2], …
    cv_present: list[tuple[json_resume.CvEntry, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a source holds that is not imported

    def files(self) -> list[str]:
        """The files the run writes (or would write, in a dry run)."""
        paths = [path for path, _ in self.new] + self.merged
        return paths + ([CV_FILE] if self.cv_added or self.cv_merged else [])


def read_sources(options: ImportOptions) -> tuple[list[Imported], list[json_resume.ResumeSource]]:
    """The papers of every source, and the CV entries of the JSON Resume ones."""
    entries: list[Imported] = []
    resumes: list[json_resume.ResumeSource] = []
    for source in options.sources:
        path = Path(source).expanduser()
        if IDENTIFIER.match(source) and not path.exists():
            from .fetch import fetch

            try:
                payloads = (options.fetch or fetch)(source)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        else:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
            fmt = options.format or detect(data)
            if fmt is None:
                raise UsageError(f"cannot tell the format of {source}; pass --format ({', '.join(FORMATS)})")
            payloads = [(source, data, fmt)]
        for label, data, fmt in payloads:
            if fmt == "json-resume":
                resumes.append(json_resume.parse(data, label))
            else:
                entries += PARSERS[fmt](data, label)
    return entries, resumes


def nearest_categories(fields: dict, table: dict[str, Category], used: list[str]) -> list[str]:
    """Codes whose names share words with the paper's title, venue and tags; else the site's own."""
    words = set(
        re.findall(
            r"[a-z]{4,}", " ".join([str(fields.get("title", "")), str(fields.get("venue", "")), " ".join(fields.get("tags", []))]).lower()
        )
    )
    scored = []
    for category in {c.code: c for c in table.values()}.values():
        name_words = set(re.findall(r"[a-z]{4,}", category.name.lower()))
        stems = {w[:6] for w in name_words}
        score = sum(1 for w in words if w[:6] in stems)
        if score:
            scored.append((-score, category.code))
    codes = [code for _, code in sorted(scored)[:3]]
    for code in used:
        if len(codes) >= 3:
            break
        if code not in codes:
            codes.append(code)
    return codes or ["cs.LG", "cs.CV", "cs.CL"]


def _site(root: Path):
    raw = load_site(root)
    config, config_problems = validate_config(raw.config)
    if config_problems:
        raise ContentError(config_problems)
    existing = [Existing(r.path, {**r.doc.data, "abstract": r.doc.data.get("abstract") or r.body}) for r in raw.papers]
    return raw, category_table(config), existing


def _show(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _same(key: str, mine, theirs, table) -> bool:
    if key == "title":
        return normal_title(mine) == normal_title(theirs)
    if key == "date":
        a, b = str(mine), str(theirs)
        return a.startswith(b) or b.startswith(a)  # 2023-09-19 and 2023: the same date, less precise
    if key == "category":
        return table.get(str(mine).lower()) == table.get(str(theirs).lower())
    if isinstance(mine, list) and isinstance(theirs, list):
        return [str(v).strip() for v in mine] == [str(v).strip() for v in theirs]
    return str(mine).strip() == str(theirs).strip()


def plan_update(record: Existing, fields: dict, table) -> tuple[dict, dict[str, dict], str, list[str]]:
    """What an existing record lacks and the source has, and where they disagree."""
    data = record.data
    top, nested, conflicts = {}, {}, []
    for key in FILLABLE:
        if key not in fields:
            continue
        if key in NESTED:
            value = data.get(key)
            have: dict = value if isinstance(value, dict) else {}
            nested[key] = {k: v for k, v in fields[key].items() if k not in have}
            if key == "links":
                conflicts += [
                    f"{record.path}: links.{k}: kept {have[k]!r}, source has {v!r}"
                    for k, v in fields[key].items()
                    if k in have and str(have[k]).strip() != v
                ]
        elif data.get(key) in (None, "", [], {}):
            top[key] = fields[key]
    for key in COMPARED + ("category",):
        if key in fields and data.get(key) not in (None, "", [], {}) and not _same(key, data[key], fields[key], table):
            conflicts.append(f"{record.path}: {key}: kept {_show(data[key])!r}, source has {_show(fields[key])!r}")
    abstract = top.pop("abstract", "") if record.path.endswith(".md") else ""
    return top, {k: v for k, v in nested.items() if v}, abstract, conflicts


def run_import(options: ImportOptions) -> ImportReport:
    root = options.root
    raw, table, existing = _site(root)
    if options.category and options.category.lower() not in table:
        codes = sorted({c.code for c in table.values()})
        close = difflib.get_close_matches(options.category, codes, n=3)
        raise UsageError(
            f"--category {options.category!r} is not a known category"
            + (f" (did you mean {', '.join(close)}?)" if close else "; add it under 'categories' in site.yaml")
        )
    report = ImportReport()
    entries, resumes = read_sources(options)
    report.entries = len(entries) + sum(len(r.entries) for r in resumes)
    problems: list[Problem] = [p for e in entries for p in e.problems()]
    bad = {id(e) for e in entries if e.issues}
    groups = group_entries([e for e in entries if id(e) not in bad])
    index = index_existing(existing)
    taken = {Path(r.path).stem for r in raw.papers} | {str(r.doc.data.get("slug")) for r in raw.papers if r.doc.data.get("slug")}
    used = [c for c, _ in Counter(str(r.doc.data.get("category") or "") for r in raw.papers).most_common() if c]
    writes: list[tuple[str, str, bool, Group]] = []  # (path, text, new, group)
    for group in groups:
        fields = group.fields
        match = find_existing(fields, index)
        if match is not None:
            found = _update(root, match, fields, table, group, report, problems) if options.update else ""
            if found:
                writes.append((match.path, found, False, group))
            else:
                report.present.append((group.first, match.path))
            continue
        if not fields.get("category") and options.category:
            fields["category"] = options.category
        slug = unique_slug(fields, taken)
        rel = record_path(slug)
        text = to_markdown(fields)
        issues = check(rel, text, table)
        if not fields.get("category"):  # still check the rest, so every problem shows in one run
            near = ", ".join(nearest_categories(fields, table, used))
            issues = [p for p in issues if p.field != "category"]
            problems.append(group.first.problem("category", f"the source gives no category: pass --category CODE (nearest: {near})"))
        if issues or not fields.get("category"):
            problems += [group.first.problem(p.field, p.message) for p in issues]
            taken.discard(slug)
            continue
        writes.append((rel, text, True, group))
        index.update({k: Existing(rel, fields) for k in group.keys})
    cv_text = _import_cv(root, raw, resumes, options, report, problems) if resumes else ""
    if problems and not options.skip_invalid:
        raise ContentError(problems)
    report.skipped = sorted(set(problems))
    if cv_text and not options.dry_run:
        write_atomic(root, CV_FILE, cv_text, raw.cv is None)
        report.written.append(CV_FILE)
    for rel, text, new, group in writes:
        if new:
            report.new.append((rel, group.first))
        elif rel not in report.merged:
            report.merged.append(rel)
        if not options.dry_run:
            write_atomic(root, rel, text, new)
            report.written.append(rel)
    return report


def _update(root: Path, match: Existing, fields: dict, table, group: Group, report: ImportReport, problems: list[Problem]) -> str:
    """The new text of an existing record with the fields it lacked, or '' when nothing changes."""
    top, nested, abstract, conflicts = plan_update(match, fields, table)
    report.conflicts += conflicts
    if not (top or nested or abstract):
        return ""
    text = (root / match.path).read_text("utf-8-sig")
    doc = parse_record(match.path, text.encode("utf-8")).doc
    if not match.path.endswith(".md") and abstract:
        top["abstract"] = abstract
    updated, left_out = fill(text, match.path.endswith(".md"), doc.lines, top, nested, abstract)
    report.conflicts += [f"{match.path}: {name}: not added, the map is written on one line; add it by hand" for name in left_out]
    found = check(match.path, updated, table)
    if found:
        problems += [group.first.problem(p.field, f"{match.path}: {p.message}") for p in found]
        return ""
    return updated if updated != text else ""


def _import_cv(
    root: Path, raw, resumes: list[json_resume.ResumeSource], options: ImportOptions, report: ImportReport, problems: list[Problem]
) -> str:
    """Plan the JSON Resume sources' entries into content/cv.yaml; its new text, or ''."""
    for source in resumes:
        problems += source.problems
        if source.left_out:
            report.notes.append(
                f"{source.source}: not imported: {', '.join(source.left_out)} (cvsite imports the CV's sections into {CV_FILE})"
            )
    own = [p for p in raw.problems if p.path == CV_FILE]
    if own:  # the owner's cv.yaml does not even parse: fix it first
        problems += own
        return ""
    text = (root / CV_FILE).read_text("utf-8-sig") if raw.cv is not None else ""
    entries = [entry for source in resumes for entry in source.entries]
    found = cv_merge.plan(raw.cv, text, entries, options.update, options.skip_invalid)
    problems += found.problems + found.skipped
    report.conflicts += found.conflicts
    report.cv_present = found.present
    if found.problems:  # the file as it would be written is refused: nothing of it is reported as done
        return ""
    report.cv_added, report.cv_merged = found.added, found.merged
    return found.text

"""Warnings: things a build shows as typed rather than failing on (malformed LaTeX or math),
located like errors as `path:line: field: warning: ...` with the source text they concern."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import Problem, warning

if TYPE_CHECKING:  # imported by the pipeline at start: the model and its Markdown stay unloaded
    from .load import RawRecord, RawSite
    from .model import SiteModel

SHOWN = 80  # characters of the source text quoted in a warning


def _line(record: RawRecord, field: str, source: str) -> int:
    if field in ("abstract", "bio") and record.body_line:
        at = record.body.find(source.strip())
        return record.body_line + (record.body[:at].count("\n") if at >= 0 else 0)
    return record.doc.line(field)


def _quoted(source: str) -> str:
    text = " ".join(source.split())
    return "'" + (text if len(text) <= SHOWN else text[: SHOWN - 1] + "…") + "'"


def latex_warnings(model: SiteModel, raw: RawSite) -> list[Problem]:
    records = {r.path: r for r in (raw.profile, *raw.papers) if r is not None}
    found = [(entry.paper.source, *note) for entry in model.entries for note in entry.notes]
    found += [(model.profile.source, "bio", *note) for note in model.bio_notes]
    warnings = set()
    for path, field, source, message in found:
        record = records.get(path)
        line = _line(record, field, source) if record else 1
        warnings.add(warning(path, line, field, f"{message}; shown as typed: {_quoted(source)}"))
    return sorted(warnings)

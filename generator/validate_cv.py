"""Stage 2 for content/cv.yaml: the CV's sections as typed entries, every problem at once.

The fields are those of fields.CV_FILE, applied exactly like a paper record's: each problem is
`content/cv.yaml:line: section[index].field: message`.
"""

from __future__ import annotations

from . import fields
from . import schema as s
from .cv_records import CV
from .errors import Problem
from .load import RawRecord
from .records import PartialDate


def _periods_in_order(cv_values: dict, raw: RawRecord) -> list[Problem]:
    """An end before its start is a typo the reader would notice first."""
    problems = []
    for section, entries in cv_values.items():
        for i, entry in enumerate(entries):
            start, end = getattr(entry, "start", None), getattr(entry, "end", None)
            if isinstance(start, PartialDate) and isinstance(end, PartialDate) and end.year < start.year:
                line = raw.doc.line(f"{section}.{i}.end")
                problems.append(Problem(raw.path, line, f"{section}[{i + 1}].end", f"ends ({end.iso()}) before it starts ({start.iso()})"))
    return problems


def validate_cv(raw: RawRecord | None) -> tuple[CV, list[Problem]]:
    """The site's CV; an empty one when it has no content/cv.yaml."""
    if raw is None:
        return CV(), []
    values, problems = s.check_fields(raw.doc, fields.CV_FILE, raw.path)
    if problems:
        return CV(source=raw.path), problems
    problems = _periods_in_order(values, raw)
    return CV(source=raw.path, **values), problems

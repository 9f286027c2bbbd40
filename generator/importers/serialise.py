"""Record fields -> the text of a `content/papers/<slug>.md` file, checked by the site's own validator.

The text is parsed back with the loader a build uses and validated with `validate_paper`, so an
imported record is accepted exactly when a hand-written one with the same text would be.
"""

from __future__ import annotations

import re

import yaml
from slugify import slugify

from ..errors import Problem
from ..load import PAPERS_DIR, parse_record
from ..records import Category
from ..validate import PAPER_FIELDS, validate_paper
from ..yamlio import YamlProblem

_LATEX_MARKUP = re.compile(r"\\[A-Za-z]+\*?|\\.|[{}$]")

SLUG_LENGTH = 60  # well under any file system's 255-byte name limit, with room for a suffix


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _no_aliases(self, data):  # the same list twice must be written twice, not as &id001
    return True


_Dumper.ignore_aliases = _no_aliases


def dump_field(key: str, value) -> str:
    """One top-level field as YAML lines; quoting is PyYAML's, so 'yes', '2024' and 'A: B' stay text."""
    if key == "date":
        return f"date: {value}\n"  # YYYY[-MM[-DD]]: cvsite reads dates as text, unquoted like hand-written ones
    return yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1 << 30)


_QUOTED_DATE = re.compile(r"^date: '(\d{4}(?:-\d\d){0,2})'$", re.MULTILINE)


def front_matter(fields: dict) -> str:
    """All fields in the README's order, dumped at once (one PyYAML call per record is what keeps
    a 10,000-entry import fast)."""
    ordered = {key: fields[key] for key in PAPER_FIELDS if key in fields and key not in ("abstract", "slug")}
    if "date" in ordered:
        ordered["date"] = str(ordered["date"])
    text = yaml.dump(ordered, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1 << 30)
    return _QUOTED_DATE.sub(r"date: \1", text)


def to_markdown(fields: dict) -> str:
    body = str(fields.get("abstract") or "").strip()
    return f"---\n{front_matter(fields)}---\n" + (f"{body}\n" if body else "")


def check(rel: str, text: str, categories: dict[str, Category]) -> list[Problem]:
    """Problems of a record file's text, as `cvsite build` would report them."""
    try:
        raw = parse_record(rel, text.encode("utf-8"))
    except YamlProblem as issue:
        return [Problem(rel, issue.line, "file", issue.message)]
    return validate_paper(raw, categories)[1]


def base_slug(fields: dict) -> str:
    # LaTeX commands, braces and $ dropped: slugify then transliterates what is left (ü -> u)
    text = _LATEX_MARKUP.sub("", str(fields.get("title") or ""))
    slug = slugify(text, max_length=SLUG_LENGTH, word_boundary=True)
    if not slug:
        slug = slugify(str((fields.get("extra") or {}).get("citation_key", "")), max_length=SLUG_LENGTH)
    return slug or "paper"


def unique_slug(fields: dict, taken: set[str]) -> str:
    """A slug from the title, stable for the same title, suffixed -2, -3 … when taken."""
    slug = candidate = base_slug(fields)
    n = 2
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def record_path(slug: str) -> str:
    return f"{PAPERS_DIR}/{slug}.md"

"""Field descriptors shared by site.yaml and the content records.

Each field converts one YAML value to its typed form or raises FieldIssue with a message a
researcher can act on; check_fields applies a schema to a whole document and collects every
problem instead of stopping at the first.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import Problem, warning
from .records import PartialDate
from .yamlio import Document

if TYPE_CHECKING:
    from .fields import Field

SAFE_SCHEMES = ("http", "https", "mailto")


class FieldIssue(ValueError):
    def __init__(self, message: str, subfield: str = "", others: tuple[FieldIssue, ...] = ()):
        self.subfield = subfield
        self.others = others  # further problems in the same field (several bad links, say)
        super().__init__(message)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"yes/no value {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{type(value).__name__} {value!r}"


def text(value: Any) -> str:
    if not isinstance(value, str):
        hint = " (put it in quotes)" if isinstance(value, (bool, int, float)) else ""
        raise FieldIssue(f"expected text, got {_describe(value)}{hint}")
    return value.strip()


def nonempty_text(value: Any) -> str:
    result = text(value)
    if not result:
        raise FieldIssue("must not be empty")
    return result


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldIssue(f"expected true or false, got {_describe(value)}")
    return value


_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")


def number(minimum: float | None = None, maximum: float | None = None, integer: bool = False, percent: bool = False):
    """percent: a percentage, which may be written with its sign ("46%", as the profile shows it)."""

    def convert(value: Any) -> float | int:
        wanted = "a whole number" if integer else "a number"
        if percent and isinstance(value, str) and (found := _PERCENT.match(value)):
            digits = found.group(1)
            value = float(digits) if "." in digits else int(digits)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FieldIssue(f"expected {wanted}, got {_describe(value)}")
        if integer and not isinstance(value, int):
            raise FieldIssue(f"expected {wanted}, got {_describe(value)}")
        if minimum is not None and value < minimum:
            raise FieldIssue(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise FieldIssue(f"must be at most {maximum}, got {value}")
        return value

    return convert


def text_list(nonempty: bool = False):
    def convert(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise FieldIssue(f"expected a list, got {_describe(value)}")
        items = []
        for i, item in enumerate(value):
            try:
                items.append(nonempty_text(item))
            except FieldIssue as issue:
                raise FieldIssue(f"item {i + 1}: {issue}") from None
        if nonempty and not items:
            raise FieldIssue("must list at least one entry")
        return tuple(items)

    return convert


def url(value: Any) -> str:
    """Only http(s), mailto and relative links: record text must not smuggle in scripts."""
    result = nonempty_text(value)
    if any(unicodedata.category(ch)[0] in "CZ" for ch in result):
        raise FieldIssue(f"URL must not contain spaces or control characters: {result!r}")
    scheme = urlsplit(result).scheme.lower()
    if scheme and scheme not in SAFE_SCHEMES:
        raise FieldIssue(f"unsafe URL scheme '{scheme}:' (allowed: http, https, mailto, or a relative link)")
    return result


# the first part of a link such as github.com/x or www.example.org: a web address without https://
_BARE_DOMAIN = re.compile(r"^(?:www\.[^/\s]+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:[a-z]{2,24})(?=/))", re.IGNORECASE)
_FILE_ENDINGS = frozenset({"pdf", "html", "htm", "jpg", "jpeg", "png", "gif", "svg", "webp", "txt", "bib", "zip", "md"})


def missing_scheme(target: str) -> str:
    """'https://github.com/x' for 'github.com/x' (a web address written without its scheme, which
    a browser would read as a path inside the site); '' for every other link."""
    match = _BARE_DOMAIN.match(target)
    if target.startswith(("/", ".")) or urlsplit(target).scheme or not match:
        return ""
    if match.group(0).rsplit(".", 1)[-1].lower() in _FILE_ENDINGS:  # a folder such as slides.pdf/
        return ""
    return f"https://{target}"


def link_warnings(value: tuple[tuple[str, str], ...]) -> list[FieldIssue]:
    """Links that will be broken though valid: web addresses without https://."""
    return [
        FieldIssue(f"{target!r} has no https://, so it would be a link inside the site; write {missing_scheme(target)!r}", subfield=label)
        for label, target in value
        if missing_scheme(target)
    ]


def paper_link_warnings(kinds: Mapping[str, str]):
    """link_warnings, and a kind that is nearly one cvsite knows (cod: -> code:)."""

    def warn(value: tuple[tuple[str, str], ...]) -> list[FieldIssue]:
        found = link_warnings(value)
        for kind, _ in value:
            close = suggestion(kind.lower(), kinds, cutoff=0.75) if kind.lower() not in kinds else ""
            if close:
                found.append(
                    FieldIssue(f"unknown link kind {kind!r}{close}; it is shown as a button labelled {kind.capitalize()!r}", subfield=kind)
                )
        return found

    return warn


def url_map(value: Any) -> tuple[tuple[str, str], ...]:
    """label -> URL, kept in the author's order."""
    if not isinstance(value, dict):
        raise FieldIssue(f"expected a mapping of label: URL, got {_describe(value)}")
    items, issues = [], []
    for label, target in value.items():
        try:
            items.append((nonempty_text(label), url(target)))
        except FieldIssue as issue:
            issues.append(FieldIssue(str(issue), subfield=str(label)))
    if issues:  # every bad link at once, not one per build
        first, *rest = issues
        raise FieldIssue(str(first), first.subfield, tuple(rest))
    return tuple(items)


def mapping(value: Any) -> dict:
    if not isinstance(value, dict):
        raise FieldIssue(f"expected a mapping, got {_describe(value)}")
    return value


def or_auto(convert):
    """A value that may also be the word auto: cvsite computes it (a profile metric, say)."""

    def either(value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() == "auto":
            return "auto"
        try:
            return convert(value)
        except FieldIssue as issue:
            if isinstance(value, str):  # a word, but not auto
                raise FieldIssue(str(issue).replace(", got", " or auto (computed from the papers), got", 1)) from None
            raise

    return either


CITATION_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:./+-]*$")  # what BibTeX and LaTeX accept as a key


def paper_extra(value: Any) -> Mapping:
    """A paper's extra map. Its entry_type, written by the BibTeX export as @type, must be a BibTeX
    type; a citation_key BibTeX cannot use (an imported '/etc/passwd') is left to the export,
    which then makes the paper's key from the record (bibliography.own_key)."""
    result = frozen_mapping(value)
    kind = result.get("entry_type")
    if kind is not None and not (isinstance(kind, str) and re.match(r"^[A-Za-z]+$", kind)):
        raise FieldIssue(f"an entry type is a BibTeX type such as article or inproceedings, got {kind!r}", subfield="entry_type")
    return result


def entry_list(value: Any) -> list:
    """A list section (jobs, degrees): each entry is then checked against the section's fields."""
    if not isinstance(value, list):
        raise FieldIssue(f"expected a list of entries, got {_describe(value)}")
    return value


def frozen_mapping(value: Any) -> Mapping:
    return MappingProxyType(mapping(value))


_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def language(value: Any) -> str:
    result = nonempty_text(value)
    if not _LANGUAGE.match(result):
        raise FieldIssue(f"expected a language tag such as 'en' or 'pt-BR', got {result!r}")
    return result


def base_url(value: Any) -> str:
    result = text(value)
    if not result:
        return ""
    if not re.match(r"^https?://[^/\s]+", result):
        raise FieldIssue(f"expected an absolute http(s) URL such as https://user.github.io/repo/, got {result!r}")
    return url(result).rstrip("/") + "/"


def category_names(value: Any) -> Mapping[str, str]:
    names = mapping(value)
    for code, name in names.items():
        if not isinstance(code, str) or not re.match(r"^[A-Za-z][\w.-]*$", code):
            raise FieldIssue(f"category codes are words such as QC or physics.optics, got {code!r}")
        try:
            nonempty_text(name)
        except FieldIssue as issue:
            raise FieldIssue(str(issue), subfield=code) from None
    return MappingProxyType(dict(names))


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def text_map(defaults: Mapping[str, str]):
    """A mapping from some of the keys of defaults to non-empty text (interface strings of
    site.yaml); a string may use the {placeholders} of the default it replaces, no others."""
    keys = tuple(defaults)

    def check(key: Any, text_: Any) -> None:
        if key not in keys:
            raise FieldIssue(f"unknown string {key!r}{suggestion(str(key), keys)}")
        nonempty_text(text_)
        allowed = set(_PLACEHOLDER.findall(defaults[key]))
        unknown = sorted(set(_PLACEHOLDER.findall(text_)) - allowed)
        if unknown:
            may = "may use " + ", ".join(f"{{{p}}}" for p in sorted(allowed)) if allowed else "has no placeholders"
            raise FieldIssue(f"unknown placeholder {{{unknown[0]}}}: this string {may}")

    def convert(value: Any) -> Mapping[str, str]:
        found = mapping(value)
        issues = []
        for key, text_ in found.items():
            try:
                check(key, text_)
            except FieldIssue as issue:
                issues.append(FieldIssue(str(issue), subfield=str(key)))
        if issues:  # every bad string at once, not one per build
            first, *rest = issues
            raise FieldIssue(str(first), first.subfield, tuple(rest))
        return MappingProxyType(dict(found))

    return convert


def domain(value: Any) -> str:
    result = text(value).lower().rstrip(".")
    if result and not re.match(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", result):
        raise FieldIssue(f"expected a domain name such as cv.example.org, got {value!r}")
    return result


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def partial_date(value: Any) -> PartialDate:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    parts = _DATE.match(value.strip()) if isinstance(value, str) else None
    if parts is None:
        raise FieldIssue(f"expected YYYY-MM-DD, YYYY-MM or YYYY, got {value!r}")
    year, month, day = (int(g) if g else 0 for g in parts.groups())
    given = [g for g in parts.groups() if g]
    if any(int(g) == 0 for g in given):
        raise FieldIssue(f"impossible date {value.strip()}: month and day start at 01")
    try:
        datetime.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise FieldIssue(f"impossible date {value.strip()}: {exc}") from None
    if year < 1000:
        raise FieldIssue(f"impossible date {value.strip()}: year out of range")
    return PartialDate(year, month, day)


def suggestion(word: str, choices, cutoff: float = 0.6) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    if not close:
        close = difflib.get_close_matches(word.lower(), [c.lower() for c in choices], n=1, cutoff=cutoff)
        close = [c for c in choices if c.lower() in close]
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_fields(doc: Document, schema: Mapping[str, Field], path: str) -> tuple[dict[str, Any], list[Problem]]:
    """Convert every known field, and report unknown, missing and malformed ones together,
    with the warnings of the fields that have a warn check (Problem.warning set).

    A field with nested fields (a mapping such as metrics, or a list of entries) is checked
    field by field, its problems named and located like top-level ones (metrics.h_index).
    """
    values: dict[str, Any] = {}
    problems: list[Problem] = [
        Problem(path, line, key, f"given twice (first on line {doc.lines[key]}); only one value can count")
        for key, line in doc.duplicates
        if "." not in key
    ]
    for key in doc.data:
        if key not in schema:
            name = str(key)
            problems.append(Problem(path, doc.line(name), name, _unknown_field(name, schema)))
    for key, spec in schema.items():
        if key not in doc.data or doc.data[key] is None:
            if spec.required:
                problems.append(Problem(path, doc.first_line, key, "required field is missing"))
            continue
        try:
            values[key] = spec.convert(doc.data[key])
        except FieldIssue as issue:
            for each in (issue, *issue.others):
                name = f"{key}.{each.subfield}" if each.subfield else key
                problems.append(Problem(path, doc.line(name), name, str(each)))
            continue
        if spec.warn is not None:
            for each in spec.warn(values[key]):
                name = f"{key}.{each.subfield}" if each.subfield else key
                problems.append(warning(path, doc.line(name), name, str(each)))
        if spec.fields is not None:
            values[key] = _check_nested(doc, key, spec, values[key], path, problems)
    return values, problems


def _unknown_field(name: str, schema: Mapping[str, Field]) -> str:
    links = schema.get("links")
    if links is not None and links.kinds and name.lower() in links.kinds:
        return (
            f"{name!r} is a link kind, not a field: it belongs under 'links:', indented by two spaces "
            f"('links:' on a line of its own, then '  {name}: https://…')"
        )
    return f"unknown field{suggestion(name, schema)}"


def _sub_document(doc: Document, data: dict, prefix: str) -> Document:
    """The part of doc under prefix ('metrics.', 'education.0.') as a document of its own."""
    lines = {k[len(prefix) :]: v for k, v in doc.lines.items() if k.startswith(prefix)}
    duplicates = tuple((k[len(prefix) :], v) for k, v in doc.duplicates if k.startswith(prefix))
    return Document(data, lines, doc.line(prefix[:-1]), duplicates)


def _check_nested(doc: Document, key: str, spec: Field, value: Any, path: str, problems: list[Problem]) -> Any:
    def one(data: dict, prefix: str, shown: str) -> Any:
        assert spec.fields is not None  # check_fields calls this only for a spec with nested fields
        found, issues = check_fields(_sub_document(doc, data, prefix), spec.fields, path)
        problems.extend(Problem(p.path, p.line, f"{shown}.{p.field}", p.message) for p in issues)
        return spec.build(**found) if spec.build and not issues else found

    if not spec.many:
        return one(value, f"{key}.", key)
    entries = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            problems.append(
                Problem(path, doc.line(f"{key}.{i}"), f"{key}[{i + 1}]", f"expected a mapping of fields, got {_describe(item)}")
            )
            continue
        entries.append(one(item, f"{key}.{i}.", f"{key}[{i + 1}]"))
    return tuple(entries)


def end_date(value: Any) -> PartialDate | str:
    """The end of a period: a partial date, or `present` while it lasts."""
    if isinstance(value, str) and value.strip().lower() == "present":
        return "present"
    if isinstance(value, str) and not _DATE.match(value.strip()):
        raise FieldIssue(f"expected YYYY-MM-DD, YYYY-MM, YYYY or present, got {value!r}{suggestion(value.strip().lower(), ['present'])}")
    return partial_date(value)


def years(value: Any) -> str:
    """A year or a span of years as written: 2021, '2019–2023', '2020, 2022'."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return nonempty_text(value)


def choice(*options: str):
    def convert(value: Any) -> str:
        result = nonempty_text(value).lower()
        if result not in options:
            raise FieldIssue(f"expected one of {', '.join(options)}, got {value!r}{suggestion(result, options)}")
        return result

    return convert


def name_list(options: tuple[str, ...]):
    """A list of names from options, each at most once (the sections of a CV, in order)."""

    def convert(value: Any) -> tuple[str, ...]:
        names = text_list()(value)
        for i, name in enumerate(names):
            if name not in options:
                raise FieldIssue(f"item {i + 1}: unknown section {name!r}{suggestion(name, options)}; known: {', '.join(options)}")
            if name in names[:i]:
                raise FieldIssue(f"item {i + 1}: {name!r} is listed twice")
        return names

    return convert

"""The one table of every field cvsite reads: site.yaml, the profile and the paper records.

Each field is declared once here — name, type, converter, required, default, help text and
what it becomes in the exported bibliography files — and everything else derives from it:
the validator (validate.py checks documents against these tables), the field order of records
written by `cvsite import`, the README's field tables (`python -m generator.fields` prints
them) and the record dataclasses, which are checked against the tables when this module is
imported so the two cannot drift apart.

A field may hold nested fields: a mapping (the profile's metrics) or, with many=True, a list
of entries that each have the same fields (sections of a CV such as jobs or degrees).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from types import MappingProxyType
from typing import Any

from . import schema as s
from .config import SiteConfig
from .cv_records import (
    CV,
    CV_SECTIONS,
    DEFAULT_SECTIONS,
    Award,
    CvSettings,
    Education,
    Grant,
    News,
    PdfSettings,
    Position,
    Service,
    Student,
    Talk,
    Teaching,
)
from .i18n import ENGLISH
from .records import Metrics, Paper, Profile

COMPUTED = object()  # default of a field the validator always fills in (a paper's slug)
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # as the README states it
    convert: Callable[[Any], Any]
    help: str
    required: bool = False
    default: Any = None  # the record attribute's value when the field is not given
    default_doc: str = ""  # the README's default column, when the plain default says too little
    export: Mapping[str, str] = _field(default_factory=lambda: _EMPTY)  # format (bibtex, csl, ris) -> what the field becomes there
    fields: Table | None = None  # nested fields of a mapping, or of each entry when many
    many: bool = False  # a list of entries, each with `fields`
    build: Callable[..., Any] | None = None  # the record class of a nested mapping or entry
    warn: Callable[[Any], list[s.FieldIssue]] | None = None  # likely mistakes in a valid value, shown as warnings
    kinds: Mapping[str, str] = _field(default_factory=lambda: _EMPTY)  # a map's known keys -> how each is shown


class Table(Mapping[str, Field]):
    """An ordered, read-only mapping name -> Field; its order is the README's and the importer's."""

    def __init__(self, name: str, *fields: Field, defaults: bool = False):
        self.name = name  # how the README marks the generated table: <!-- fields:NAME -->
        self.defaults = defaults  # the README table has a default column for every field
        self._fields = {f.name: f for f in fields}

    def __getitem__(self, key: str) -> Field:
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"Table({self.name!r}, {', '.join(self._fields)})"


def _no_default(name: str, type_: str, convert, help_: str, **more) -> Field:
    return Field(name, type_, convert, help_, required=True, **more)


PDF_SETTINGS = Table(
    "cv_pdf",
    Field("paper", "`a4` or `letter`", s.choice("a4", "letter"), "the page size of `cv.pdf`", default="a4"),
    defaults=True,
)

CV_SETTINGS = Table(
    "cv_settings",
    Field(
        "sections",
        "list of section names",
        s.name_list(CV_SECTIONS),
        f"which sections `/cv/` and `cv.pdf` show, in this order (`resume.json` carries every section); any of {', '.join(f'`{n}`' for n in CV_SECTIONS)}",
        default=DEFAULT_SECTIONS,
        default_doc="all but `news`, in that order",
    ),
    Field(
        "pdf",
        "map",
        s.mapping,
        "settings of `cv.pdf` (fields below)",
        default=PdfSettings(),
        default_doc="`paper: a4`",
        fields=PDF_SETTINGS,
        build=PdfSettings,
    ),
    defaults=True,
)

# The link kinds cvsite knows, in the order listing entries show them, and the label of each one's
# button. Other kinds are allowed and shown after them; one close to a known kind (cod, slide)
# gets a warning.
LINK_KINDS: Mapping[str, str] = MappingProxyType(
    {  # in the order listings show them
        "pdf": "PDF",
        "arxiv": "arXiv",
        "code": "Code",
        "doi": "DOI",
        "project": "Project",
        "video": "Video",
        "slides": "Slides",
        "poster": "Poster",
        "data": "Data",
        "dataset": "Dataset",
        "model": "Model",
        "demo": "Demo",
        "talk": "Talk",
        "blog": "Blog",
        "website": "Website",
        "openreview": "OpenReview",
        "supplement": "Supplement",
        "publisher": "Publisher",
        "bibtex": "BibTeX",
    }
)


def _author_warnings(authors: tuple[str, ...]) -> list[s.FieldIssue]:
    """A list item indented deeper than the one above continues it: two authors become one
    name joined by ' - ', which YAML accepts without complaint."""
    return [
        s.FieldIssue(f"author {i} {name!r} looks like two names run together: put each '- ' at the same indentation as the first")
        for i, name in enumerate(authors, 1)
        if " - " in name
    ]


CONFIG = Table(
    "config",
    Field("title", "text", s.text, "site title, shown in the header and page titles", default="", default_doc="the profile name"),
    Field(
        "base_url",
        'URL or `""`',
        s.base_url,
        "where the site is published, e.g. `https://user.github.io/repo/`; used for canonical URLs, feeds and the 404 page",
        default="",
    ),
    Field(
        "language",
        "language tag",
        s.language,
        "the `lang` of every page and the language of its interface text: `en`, `zh` (`zh-CN`, `zh-Hans`, … too) "
        "or `zh-TW` (`zh-Hant`, `zh-HK`, … too); "
        "other languages get English interface text (see [Interface language](#interface-language))",
        default="en",
    ),
    Field(
        "theme",
        "name",
        s.nonempty_text,
        "`default`, `classic` (see [Themes](#themes)) or a folder under the site's `themes/`",
        default="default",
    ),
    Field("author", "text", s.text, "the name highlighted in author lists", default="", default_doc="the profile name"),
    Field(
        "categories",
        "map code → name",
        s.category_names,
        "category codes of your own, beside arXiv's (`QC: Quantum Computing`)",
        default=_EMPTY,
    ),
    Field(
        "allow_html",
        "true/false",
        s.boolean,
        "let raw HTML in bios and abstracts through; off, it is shown escaped (titles always escape it)",
        default=False,
    ),
    Field("cname", "domain", s.domain, "custom domain for GitHub Pages, written to `CNAME`", default=""),
    Field("feed_limit", "whole number", s.number(1, integer=True), "how many of the newest papers each Atom feed carries", default=100),
    Field(
        "cv",
        "map",
        s.mapping,
        "what the CV shows (fields below)",
        default=CvSettings(),
        default_doc="every section",
        fields=CV_SETTINGS,
        build=CvSettings,
    ),
    Field(
        "strings",
        "map name → text",
        s.text_map(ENGLISH),
        "your own wording for single interface texts, e.g. `note_score:` (what the per-paper Score means); "
        "the ids are those of `generator/data/strings/en.yaml` (see [Interface language](#interface-language))",
        default=_EMPTY,
    ),
    Field("extra", "map", s.frozen_mapping, "anything, passed to templates as `config.extra`", default=_EMPTY),
    defaults=True,
)

METRICS = Table(
    "metrics",
    Field(
        "h_index",
        "whole number or `auto`",
        s.or_auto(s.number(0, integer=True)),
        "shown as the h-index; `auto` computes it from the papers' `citations`",
    ),
    Field(
        "citations",
        "whole number or `auto`",
        s.or_auto(s.number(0, integer=True)),
        "total citations; `auto` adds up the papers' `citations`",
    ),
    Field("novelty", "number 0–100", s.number(0, 100, percent=True), 'shown as a percentage (`46` or `"46%"`)'),
    Field("ai_score", "number 0–100", s.number(0, 100, percent=True), 'shown as the AI score (`50` or `"50%"`)'),
)

PROFILE = Table(
    "profile",
    _no_default("name", "text", s.nonempty_text, "your name"),
    Field("headline", "text", s.text, 'one line under the name (e.g. "Associate Professor of Computer Science")', default=""),
    Field("affiliation", "text", s.text, "institution", default=""),
    Field(
        "photo", "URL or site path", s.url, "e.g. `me.jpg` (put the file in `static/`); without one, your initials are shown", default=""
    ),
    Field("email", "text", s.text, "shown as a `mailto:` link", default=""),
    Field(
        "links",
        "map label → URL",
        s.url_map,
        "e.g. `Google Scholar: https://scholar.google.com/...`, `ORCID: ...`, `GitHub: ...`",
        default=(),
        warn=s.link_warnings,
    ),
    Field(
        "metrics",
        "map",
        s.mapping,
        "the numbers shown under your name (fields below); the paper count is computed from the records",
        default=Metrics(),
        fields=METRICS,
        build=Metrics,
    ),
)

PAPER = Table(
    "paper",
    _no_default(
        "title",
        "text",
        s.nonempty_text,
        'may contain LaTeX (`\\emph{x}`, `{\\"o}`) and math (`$\\alpha$`)',
        export={"bibtex": "`title`", "csl": "`title`", "ris": "`TI`"},
    ),
    _no_default(
        "authors",
        "list of text",
        s.text_list(nonempty=True),
        "in order; at least one",
        warn=_author_warnings,
        export={"bibtex": "`author`, names joined with and", "csl": "`author` (`family`/`given`)", "ris": "`AU` (`Last, First`), one each"},
    ),
    Field(
        "et_al",
        "true/false",
        s.boolean,
        'the list above is truncated ("et al."); if it leaves you out, your name is still shown',
        default=False,
        export={"bibtex": "and others after the authors"},
    ),
    _no_default(
        "date",
        "`YYYY-MM-DD`, `YYYY-MM` or `YYYY`",
        s.partial_date,
        "publication date; impossible dates are errors",
        export={"bibtex": "`year`, `month`, `date`", "csl": "`issued` (at the record's precision)", "ris": "`DA`, `PY`"},
    ),
    _no_default(
        "category",
        "code",
        s.nonempty_text,
        'arXiv-style: `CV` means `cs.CV` ("Computer Vision and Pattern Recognition"); `stat.ML`, `eess.IV`, … or a code from `site.yaml`',
        export={"bibtex": "`primaryClass`, the full code (cs.CL)"},
    ),
    Field("affiliation", "text", s.text, "shown after the authors", default=""),
    Field(
        "venue",
        "text",
        s.text,
        'e.g. "CVPR 2024"',
        default="",
        export={
            "bibtex": "`journal`, or `booktitle` for inproceedings and incollection",
            "csl": "`container-title`",
            "ris": "`JO`, or `T2` for conference papers",
        },
    ),
    Field(
        "links",
        "map kind → URL",
        s.url_map,
        "`" + "`, `".join(LINK_KINDS) + "`, or a kind of your own",
        default=(),
        kinds=LINK_KINDS,
        warn=s.paper_link_warnings(LINK_KINDS),
        export={
            "bibtex": "`eprint` + `archivePrefix` (arxiv), `doi`, `pdf`, `code`, `url` (project)",
            "csl": "`DOI`, `URL` (arXiv, else PDF or project), `number` (`arXiv:ID`)",
            "ris": "`DO`, `UR`, `L1` (PDF)",
        },
    ),
    Field("score", "number", s.number(0), "shown in listings"),
    Field(
        "citations",
        "whole number",
        s.number(0, integer=True),
        "shown on the paper page; counted by the profile's `metrics: {h_index: auto, citations: auto}`",
    ),
    Field(
        "tags",
        "list of text",
        s.text_list(),
        "shown on the paper page",
        default=(),
        export={"bibtex": "`keywords`", "csl": "`keyword`", "ris": "`KW`, one each"},
    ),
    Field("featured", "true/false", s.boolean, "listed under Selected publications at the top of the home page", default=False),
    Field("draft", "true/false", s.boolean, "left out unless `--drafts`", default=False),
    Field(
        "slug",
        "lowercase-with-hyphens",
        s.nonempty_text,
        "the paper's URL: `/papers/<slug>/`",
        default=COMPUTED,
        default_doc="the file name",
        export={},
    ),
    Field(
        "abstract",
        "Markdown",
        s.text,
        "in `.yaml` records only; a `.md` record's abstract is its body",
        default="",
        export={"bibtex": "`abstract`", "csl": "`abstract`", "ris": "`AB`"},
    ),
    Field(
        "extra",
        "map",
        s.paper_extra,
        "anything, passed to templates as `paper.extra`; `citation_key` and `entry_type` (`article`, "
        "`inproceedings`, …) set the paper's key and type in the exported BibTeX",
        default=_EMPTY,
        export={
            "bibtex": "citation_key and entry_type: the entry's key and type",
            "csl": "`id` from citation_key",
            "ris": "`ID` from citation_key",
        },
    ),
)

# -- content/cv.yaml: each section a list of entries ------------------------------------------------

_LINKS = Field("links", "map label → URL", s.url_map, "e.g. `slides: https://...`, `video: ...`", default=())
_NOTE = Field("note", "Markdown", s.text, "a line or two shown under the entry", default="")
_DATE = "`YYYY-MM-DD`, `YYYY-MM` or `YYYY`"
_END = "a date or `present`"


def _start(help_: str = "when it began") -> Field:
    return Field("start", _DATE, s.partial_date, help_)


def _end(help_: str = "when it ended; `present` while it lasts") -> Field:
    return Field("end", _END, s.end_date, help_)


EDUCATION = Table(
    "cv_education",
    _no_default("degree", "text", s.nonempty_text, "e.g. `PhD`, `MSc`, `BA`"),
    _no_default("institution", "text", s.nonempty_text, "the university"),
    Field("field", "text", s.text, "e.g. `Computer Science`", default=""),
    Field("location", "text", s.text, "city, country", default=""),
    _start(),
    _end("when it ended (or is expected to); `present` while it lasts"),
    Field("advisor", "text", s.text, "your advisor(s)", default=""),
    Field("thesis", "text", s.text, "the thesis title; may contain LaTeX", default=""),
    _LINKS,
    _NOTE,
)

POSITIONS = Table(
    "cv_positions",
    _no_default("title", "text", s.nonempty_text, "e.g. `Assistant Professor`"),
    _no_default("organization", "text", s.nonempty_text, "e.g. the university or company"),
    _no_default("start", _DATE, s.partial_date, "when it began"),
    Field("location", "text", s.text, "city, country", default=""),
    _end(),
    _LINKS,
    _NOTE,
)

AWARDS = Table(
    "cv_awards",
    _no_default("name", "text", s.nonempty_text, "e.g. `Best Paper Award`"),
    _no_default("date", _DATE, s.partial_date, "when it was given"),
    Field("by", "text", s.text, "who gave it, e.g. `CVPR 2024`", default=""),
    _LINKS,
    _NOTE,
)

GRANTS = Table(
    "cv_grants",
    _no_default("title", "text", s.nonempty_text, "the project's title"),
    _no_default("funder", "text", s.nonempty_text, "e.g. `NSF`, `ERC`"),
    Field("role", "text", s.text, "e.g. `PI`, `co-PI`", default=""),
    Field("amount", "text", s.years, "as you want it shown, e.g. `$500,000`", default=""),
    _start(),
    _end(),
    _LINKS,
    _NOTE,
)

TALKS = Table(
    "cv_talks",
    _no_default("title", "text", s.nonempty_text, "may contain LaTeX and math"),
    _no_default("event", "text", s.nonempty_text, "e.g. `Stanford NLP Seminar`"),
    _no_default("date", _DATE, s.partial_date, "when it was given"),
    Field("location", "text", s.text, "city, country, or `online`", default=""),
    _LINKS,
    _NOTE,
)

TEACHING = Table(
    "cv_teaching",
    _no_default("course", "text", s.nonempty_text, "e.g. `CS 229: Machine Learning`"),
    Field("institution", "text", s.text, "where", default=""),
    Field("term", "text", s.years, "e.g. `Fall 2023` or `2021–2023`", default=""),
    Field("role", "text", s.text, "e.g. `Instructor`, `Teaching assistant`", default=""),
    _LINKS,
    _NOTE,
)

SERVICE = Table(
    "cv_service",
    _no_default("role", "text", s.nonempty_text, "e.g. `Area Chair`, `Reviewer`, `Program Committee`"),
    Field("venue", "text", s.text, "e.g. `NeurIPS`, `TPAMI`, `Department hiring committee`", default=""),
    Field("years", "year or text", s.years, "e.g. `2023` or `2019–2024`", default=""),
    _LINKS,
    _NOTE,
)

STUDENTS = Table(
    "cv_students",
    _no_default("name", "text", s.nonempty_text, "the student's name"),
    Field("level", "text", s.text, "e.g. `PhD`, `MSc`, `Postdoc`", default=""),
    _start(),
    _end(),
    Field("now", "text", s.text, "where they went, e.g. `Research Scientist, DeepMind`", default=""),
    _LINKS,
    _NOTE,
)

NEWS = Table(
    "cv_news",
    _no_default("date", _DATE, s.partial_date, "when it happened"),
    _no_default("text", "Markdown", s.nonempty_text, "the news item, e.g. `Our paper on X won the best paper award.`"),
    _LINKS,
)


def _section(name: str, table: Table, build, help_: str) -> Field:
    return Field(
        name, f"list of entries ({table.name.removeprefix('cv_')})", s.entry_list, help_, default=(), fields=table, build=build, many=True
    )


CV_FILE = Table(
    "cv",
    _section("education", EDUCATION, Education, "degrees"),
    _section("positions", POSITIONS, Position, "jobs and appointments; the first one still going is your current position"),
    _section("awards", AWARDS, Award, "awards, prizes, fellowships, honours"),
    _section("grants", GRANTS, Grant, "grants and funding"),
    _section("talks", TALKS, Talk, "invited talks"),
    _section("teaching", TEACHING, Teaching, "courses taught"),
    _section("service", SERVICE, Service, "reviewing, chairing, committees"),
    _section("students", STUDENTS, Student, "students and postdocs you advise or advised"),
    _section("news", NEWS, News, "news items; the newest are shown on the home page"),
)

CV_ENTRY_TABLES = (EDUCATION, POSITIONS, AWARDS, GRANTS, TALKS, TEACHING, SERVICE, STUDENTS, NEWS)
TABLES = (CONFIG, CV_SETTINGS, PDF_SETTINGS, PROFILE, METRICS, PAPER, CV_FILE, *CV_ENTRY_TABLES)


# -- the record classes must have exactly these fields ------------------------------------------


def _record_default(field: dataclasses.Field) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return COMPUTED


def check_record(cls: type, table: Table, derived: frozenset[str] = frozenset()) -> None:
    """Raise TypeError when the dataclass cls and the table disagree on a field or its default.

    derived names the attributes cls has that no file sets (the record's source path, say).
    """
    attributes = {f.name: f for f in dataclasses.fields(cls)}
    wrong = sorted(set(attributes) - set(table) - derived) + sorted(set(table) - set(attributes))
    if wrong:
        raise TypeError(f"{cls.__name__} and the {table.name} field table disagree on: {', '.join(wrong)}")
    for name, spec in table.items():
        expected = COMPUTED if spec.required else spec.default
        if _record_default(attributes[name]) != expected:
            raise TypeError(f"{cls.__name__}.{name}: its default differs from the {table.name} field table's")


check_record(SiteConfig, CONFIG)
check_record(Metrics, METRICS, derived=frozenset({"computed", "computed_from"}))
check_record(Profile, PROFILE, derived=frozenset({"bio", "source"}))
check_record(Paper, PAPER, derived=frozenset({"source"}))
check_record(CvSettings, CV_SETTINGS)
check_record(PdfSettings, PDF_SETTINGS)
check_record(CV, CV_FILE, derived=frozenset({"source"}))
for _table, _cls in zip(CV_ENTRY_TABLES, (Education, Position, Award, Grant, Talk, Teaching, Service, Student, News)):
    check_record(_cls, _table)


# -- the README's tables ---------------------------------------------------------------------------


def _shown_default(spec: Field, table: Table) -> str:
    if spec.default_doc or not table.defaults:
        return spec.default_doc
    if spec.required or spec.default is COMPUTED or spec.default is None:
        return ""
    value = spec.default
    if isinstance(value, Mapping):
        value = dict(value)
    return f"`{json.dumps(value) if isinstance(value, (bool, dict)) or value == '' else value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> str:
    """The README table of one field table; nested tables follow as tables of their own."""
    required = any(f.required for f in table.values())
    defaults = table.defaults or any(f.default_doc for f in table.values())
    head = ["field", "type", *(["required"] if required else []), *(["default"] if defaults else []), "meaning"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for spec in table.values():
        cells = [f"`{spec.name}`", spec.type]
        if required:
            cells.append("yes" if spec.required else "")
        if defaults:
            cells.append(_shown_default(spec, table))
        cells.append(spec.help)
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


EXPORT_FORMATS = (("bibtex", "BibTeX (`papers.bib`)"), ("csl", "CSL-JSON (`papers.json`)"), ("ris", "RIS (`papers.ris`)"))


def export_table(table: Table = PAPER) -> str:
    """What each exported field becomes in each bibliography format."""
    head = ["field", *(label for _, label in EXPORT_FORMATS)]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for spec in table.values():
        if spec.export:
            cells = [f"`{spec.name}`", *(spec.export.get(key, "") for key, _ in EXPORT_FORMATS)]
            rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def readme_blocks() -> dict[str, str]:
    """Marker name -> generated Markdown, for every <!-- fields:NAME --> block of the README."""
    blocks = {t.name: markdown_table(t) for t in TABLES}
    blocks["export"] = export_table()
    return blocks


def update_readme(text: str) -> str:
    """text with every generated block replaced by what the tables say now."""
    for name, body in readme_blocks().items():
        start, end = f"<!-- fields:{name} -->\n", f"<!-- /fields:{name} -->"
        if start in text and end in text:
            before, rest = text.split(start, 1)
            _, after = rest.split(end, 1)
            text = before + start + body + end + after
    return text


def main(argv: list[str] | None = None) -> int:
    """python -m generator.fields [README.md]: print the tables, or rewrite them in that README."""
    import sys
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    if args:
        path = Path(args[0])
        path.write_text(update_readme(path.read_text("utf-8")), "utf-8")
        return 0
    for name, body in readme_blocks().items():
        print(f"<!-- fields:{name} -->\n{body}<!-- /fields:{name} -->\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

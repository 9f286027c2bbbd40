"""The single field table: the validator, the records and the README all follow it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from generator import fields
from generator import schema as s
from generator.config import SiteConfig
from generator.fields import Field, Table, check_record, update_readme
from generator.records import Paper
from generator.validate import PAPER_FIELDS
from generator.yamlio import parse_mapping

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_field_tables_are_the_ones_the_table_generates():
    text = README.read_text("utf-8")
    for name in fields.readme_blocks():
        assert f"<!-- fields:{name} -->" in text, f"README lacks the generated {name} table"
    assert update_readme(text) == text, "README field tables are stale: run python -m generator.fields README.md"


def test_printing_the_tables_shows_every_field(capsys):
    fields.main([])
    printed = capsys.readouterr().out
    for table in fields.TABLES:
        for name in table:
            assert f"| `{name}` |" in printed


def test_update_readme_rewrites_only_the_marked_block():
    stale = "intro\n<!-- fields:metrics -->\n| old |\n<!-- /fields:metrics -->\noutro\n"
    updated = update_readme(stale)
    assert updated.startswith("intro\n<!-- fields:metrics -->\n| field |") and updated.endswith("<!-- /fields:metrics -->\noutro\n")
    assert "| old |" not in updated and "`h_index`" in updated


def test_paper_fields_keep_the_readme_order_for_the_importer():
    assert list(PAPER_FIELDS)[:5] == ["title", "authors", "et_al", "date", "category"]
    assert list(PAPER_FIELDS)[-1] == "extra"
    assert all(isinstance(spec, Field) and spec.name == name for name, spec in PAPER_FIELDS.items())


def test_a_record_class_that_drifts_from_its_table_is_refused():
    Missing = dataclasses.make_dataclass(
        "Missing", [(f.name, object, dataclasses.field(default=None)) for f in dataclasses.fields(SiteConfig) if f.name != "cname"]
    )
    with pytest.raises(TypeError, match="disagree on: cname"):
        check_record(Missing, fields.CONFIG)
    Changed = dataclasses.make_dataclass("Changed", [("title", str, dataclasses.field(default="x"))])
    with pytest.raises(TypeError, match="Changed.title: its default differs"):
        check_record(Changed, Table("t", Field("title", "text", s.text, "", default="")))
    check_record(Paper, fields.PAPER, derived=frozenset({"source"}))  # the real ones agree


# A list-of-entries section, as a CV section (jobs, degrees) declares it.
Job = dataclasses.make_dataclass("Job", [("role", str), ("year", int)], frozen=True)
CV = Table(
    "cv",
    Field(
        "jobs",
        "list of entries",
        s.entry_list,
        "positions",
        fields=Table(
            "job",
            Field("role", "text", s.nonempty_text, "", required=True),
            Field("year", "year", s.number(1900, 2100, integer=True), "", required=True),
        ),
        many=True,
        build=Job,
    ),
)


def test_a_nested_list_section_is_checked_entry_by_entry_with_lines():
    doc = parse_mapping("jobs:\n  - role: Professor\n    year: 2020\n  - role: ''\n    yaer: 2019\n  - just text\n")
    _, problems = s.check_fields(doc, CV, "content/cv.yaml")
    assert sorted(str(p) for p in problems) == [
        "content/cv.yaml:4: jobs[2].role: must not be empty",
        "content/cv.yaml:4: jobs[2].year: required field is missing",
        "content/cv.yaml:5: jobs[2].yaer: unknown field (did you mean 'year'?)",
        "content/cv.yaml:6: jobs[3]: expected a mapping of fields, got str 'just text'",
    ]
    good, none = s.check_fields(parse_mapping("jobs:\n  - role: Professor\n    year: 2020\n"), CV, "cv.yaml")
    assert none == [] and good["jobs"] == (Job("Professor", 2020),)


def test_a_nested_mapping_reports_a_key_given_twice():
    doc = parse_mapping("name: Ada\nmetrics:\n  h_index: 3\n  h_index: 4\n")
    _, problems = s.check_fields(doc, fields.PROFILE, "content/profile.md")
    assert [str(p) for p in problems] == ["content/profile.md:4: metrics.h_index: given twice (first on line 3); only one value can count"]

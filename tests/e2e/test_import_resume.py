"""`cvsite import resume.json`: a JSON Resume file read back into content/cv.yaml, with the rules
of paper imports — never duplicated, never clobbered, comments kept, every problem listed at once
and nothing written on error."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.importers.detect import detect
from generator.load import load_site
from generator.pipeline import BuildOptions, build
from generator.resume import entry_fields
from generator.scaffold import create_site, explicit_requirement
from generator.validate import validate_site

from .test_cli import snapshot

REPO = Path(__file__).resolve().parents[2]
JSON_RESUME_SAMPLE = REPO / "node_modules/@jsonresume/schema/sample.resume.json"
SECTIONS = ("positions", "education", "awards", "grants", "talks", "teaching", "service", "students", "news")

# What JSON Resume itself has a place for (README, "The CV"): the rest travels under x-cvsite keys.
PLACED = {
    "positions": ("title", "organization", "location", "start", "end", "note"),
    "education": ("degree", "institution", "field", "start", "end"),
    "awards": ("name", "date", "by", "note"),
    "service": ("role", "venue", "note"),
}


def run(site: Path, *args: str, capsys) -> tuple[int, str, str]:
    code = main(["import", "--site", str(site), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def cv_of(site: Path):
    return validate_site(load_site(site)).cv


def plain(cv) -> dict[str, list[dict]]:
    """Every section of a validated CV as cv.yaml values."""
    return {section: [entry_fields(section, e) for e in getattr(cv, section)] for section in SECTIONS}


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory) -> tuple[Path, dict]:
    """What `cvsite new` writes (its full sample cv.yaml), built, and the resume.json it gives."""
    root = tmp_path_factory.mktemp("scaffold") / "site"
    create_site(root, explicit_requirement("cvsite"))
    out = root.parent / "out"
    build(BuildOptions(root, out, base_url="https://me.example.org/", cache=False))
    return root, json.loads((out / "resume.json").read_text("utf-8"))


@pytest.fixture
def resume_file(scaffold, tmp_path):
    def write(document: dict, name: str = "resume.json") -> str:
        path = tmp_path / name
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        return str(path)

    return write


def without_extras(value):
    """The document as a JSON Resume tool that knows nothing of cvsite would keep it."""
    if isinstance(value, dict):
        return {k: without_extras(v) for k, v in value.items() if k != "x-cvsite"}
    if isinstance(value, list):
        return [without_extras(v) for v in value]
    return value


def test_a_resume_is_told_from_other_json_by_its_content(scaffold):
    _, document = scaffold
    assert detect(json.dumps(document).encode()) == "json-resume"
    assert detect(JSON_RESUME_SAMPLE.read_bytes()) == "json-resume"
    assert detect(b'[{"id": "a", "type": "article", "title": "T"}]') == "csl-json"
    assert detect(b'{"id": "a", "type": "article", "title": "T"}') == "csl-json"


def test_round_trip_gives_the_scaffold_cv_back(scaffold, make_site, resume_file, capsys):
    root, document = scaffold
    site = make_site()
    code, out, err = run(site, resume_file(document), capsys=capsys)
    assert code == 0, err
    original = plain(cv_of(root))
    assert all(original[s] for s in SECTIONS)  # the sample fills every section
    assert plain(cv_of(site)) == original
    assert "13 new, 0 merged, 0 already present, 0 skipped; wrote 1 files" in out
    assert "not imported: basics, publications (2 entries)" in out  # said, not silently dropped


def test_without_cvsite_extras_every_field_json_resume_has_comes_back(scaffold, make_site, resume_file, capsys):
    root, document = scaffold
    site = make_site()
    assert run(site, resume_file(without_extras(document)), capsys=capsys)[0] == 0
    original, again = plain(cv_of(root)), plain(cv_of(site))
    for section, names in PLACED.items():
        assert len(again[section]) == len(original[section])
        for mine, theirs in zip(original[section], again[section]):
            assert {n: mine[n] for n in names if n in mine} == {n: theirs[n] for n in names if n in theirs}, section
            if mine.get("links"):  # JSON Resume has one url per entry: the first link
                assert list(theirs["links"].values()) == [next(iter(mine["links"].values()))]
    assert not any(again[s] for s in ("grants", "talks", "teaching", "students", "news"))


def test_importing_twice_writes_nothing(scaffold, make_site, resume_file, capsys):
    _, document = scaffold
    site = make_site()
    source = resume_file(document)
    assert run(site, source, capsys=capsys)[0] == 0
    before = snapshot(site)
    stat = (site / "content/cv.yaml").stat()
    code, out, _ = run(site, source, capsys=capsys)
    assert code == 0 and "0 new, 0 merged, 13 already present, 0 skipped; wrote 0 files" in out
    code, out, _ = run(site, "--update", source, capsys=capsys)
    assert code == 0 and "0 new, 0 merged, 13 already present" in out and "conflict" not in out
    assert snapshot(site) == before and (site / "content/cv.yaml").stat().st_mtime_ns == stat.st_mtime_ns


def test_the_scaffold_reading_its_own_resume_keeps_its_file(scaffold, make_site, resume_file, capsys):
    root, document = scaffold
    cv_text = (root / "content/cv.yaml").read_text("utf-8")
    site = make_site({"content/cv.yaml": cv_text})
    code, out, _ = run(site, "--update", resume_file(document), capsys=capsys)
    assert code == 0 and "0 new, 0 merged, 13 already present" in out
    assert (site / "content/cv.yaml").read_text("utf-8") == cv_text  # its comments included


OWNER_CV = """\
# My CV. Keep this comment.
positions:
  - title: Assistant Professor   # since 2022
    organization: Northfield University
    start: 2022-08
    end: present
    note: 'Leads a group.'

awards:
  - name: Best Paper Award
    date: 2024
"""


def test_update_fills_what_is_missing_and_keeps_what_is_there(make_site, resume_file, capsys):
    site = make_site({"content/cv.yaml": OWNER_CV})
    document = {
        "basics": {"name": "Mei"},
        "work": [
            {
                "name": "Northfield University",
                "position": "Assistant Professor",
                "location": "Northfield, MN",
                "startDate": "2022-08-15",
                "summary": "Leads the vision group.",
            }
        ],
        "awards": [{"title": "Best Paper Award", "date": "2024-06", "awarder": "CVPR 2024"}, {"title": "Fellowship", "date": "2023"}],
    }
    source = resume_file(document)
    code, out, _ = run(site, source, capsys=capsys)  # without --update: only the new award
    assert code == 0 and "1 new, 0 merged, 2 already present" in out
    cv = cv_of(site)
    assert [a.name for a in cv.awards] == ["Best Paper Award", "Fellowship"] and cv.awards[0].by == ""
    assert cv.positions[0].location == ""

    code, out, _ = run(site, "--update", source, capsys=capsys)
    assert code == 0, out
    assert "0 new, 2 merged, 1 already present" in out
    assert "conflict: content/cv.yaml: positions[1].note: kept 'Leads a group.', source has 'Leads the vision group.'" in out
    cv = cv_of(site)
    position = cv.positions[0]
    assert position.location == "Northfield, MN" and position.note == "Leads a group." and position.start.iso() == "2022-08"
    assert cv.awards[0].by == "CVPR 2024" and cv.awards[0].date.iso() == "2024"
    text = (site / "content/cv.yaml").read_text("utf-8")
    lines = text.splitlines()
    assert [line for line in lines if line in OWNER_CV.splitlines()] == OWNER_CV.splitlines()  # only lines added
    assert "# My CV. Keep this comment." in text and "# since 2022" in text and "'Leads a group.'" in text


def test_an_invalid_resume_is_refused_and_nothing_written(scaffold, make_site, resume_file, capsys):
    _, document = scaffold
    bad = copy.deepcopy(document)
    bad["work"][0]["url"] = "javascript:alert(1)"
    bad["work"][1]["startDate"] = 2024.5
    bad["education"][0]["institution"] = ["Your University"]
    bad["awards"][0]["date"] = "2025-13"
    bad["x-cvsite"]["talks"][0]["links"] = {"slides": "data:text/html,<script>"}
    bad["volunteer"] = {"organization": "x"}
    site = make_site({"content/cv.yaml": OWNER_CV})
    before = snapshot(site)
    code, out, err = run(site, resume_file(bad), capsys=capsys)
    assert code == 1 and snapshot(site) == before
    assert "Traceback" not in err and "nothing was written" in err
    lines = [line for line in err.splitlines() if not line.startswith("cvsite:")]
    assert all(line.count("\n") == 0 and line.startswith(f"{site.parent / 'resume.json'}:") for line in lines)
    found = {line.split(": ", 1)[1].split(": ", 1)[0] + ": " + line.split(": ", 2)[2].split(":")[0] for line in lines}
    assert found >= {
        "work[1]: url",
        "work[2]: startDate",
        "education[1]: institution",
        "awards[1]: date",
        "x-cvsite.talks[1]: links.slides",
    }, err
    assert "unsafe URL scheme 'javascript:'" in err and "unsafe URL scheme 'data:'" in err
    assert ": volunteer: expected a list" in err


def test_dry_run_reports_and_writes_nothing(scaffold, make_site, resume_file, capsys):
    _, document = scaffold
    site = make_site()
    before = snapshot(site)
    code, out, _ = run(site, "--dry-run", resume_file(document), capsys=capsys)
    assert code == 0 and "13 new" in out and "would write 1 files" in out and "[dry run]" in out
    assert snapshot(site) == before


def test_a_section_written_on_one_line_is_not_rewritten(make_site, resume_file, capsys):
    site = make_site({"content/cv.yaml": "awards: [{name: Prize, date: 2020}]\n"})
    before = snapshot(site)
    code, _, err = run(site, resume_file({"awards": [{"title": "Another Prize", "date": "2021"}]}), capsys=capsys)
    assert code == 1 and "written on one line" in err and snapshot(site) == before


def test_the_json_resume_sample_imports(make_site, capsys):
    sample = json.loads(JSON_RESUME_SAMPLE.read_text("utf-8"))
    site = make_site()
    code, out, err = run(site, str(JSON_RESUME_SAMPLE), capsys=capsys)
    assert code == 0, err
    cv = cv_of(site)
    assert [p.organization for p in cv.positions] == [w["name"] for w in sample["work"]]
    assert [e.institution for e in cv.education] == [e["institution"] for e in sample["education"]]
    assert "skills" in out  # sections cvsite has no place for are named


def test_skip_invalid_writes_the_good_entries_and_lists_the_rest(make_site, resume_file, capsys):
    site = make_site()
    document = {
        "work": [
            {"name": "Northfield University", "position": "Assistant Professor", "startDate": "2022-08"},
            {"name": "Evil Corp", "position": "Intern", "startDate": "2020", "url": "javascript:alert(1)"},
        ],
        "volunteer": "not a list",
    }
    code, out, err = run(site, "--skip-invalid", resume_file(document), capsys=capsys)
    assert code == 0 and "1 new, 0 merged, 0 already present, 2 skipped" in out
    assert "work[2]: url: unsafe URL scheme 'javascript:'" in err and "volunteer: expected a list" in err
    assert [p.organization for p in cv_of(site).positions] == ["Northfield University"]

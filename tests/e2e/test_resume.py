"""resume.json: valid against the JSON Resume schema, every section mapped, and read back into
the same cv.yaml values."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.load import load_site
from generator.pipeline import BuildOptions, build
from generator.resume import cv_from_resume
from generator.validate import validate_site
from tests.cv_sample import CV_SITE

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "node_modules/@jsonresume/schema/schema.json"


@pytest.fixture(scope="module")
def schema() -> dict:
    assert SCHEMA_FILE.is_file(), "run npm ci --ignore-scripts: the JSON Resume schema comes from @jsonresume/schema"
    return json.loads(SCHEMA_FILE.read_text("utf-8"))


def check(document: dict, schema: dict) -> None:
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


@pytest.fixture
def built(make_site, tmp_path):
    root = make_site(CV_SITE)
    out = tmp_path / "out"
    build(BuildOptions(root, out, base_url="https://mei.example.org/"))
    return root, json.loads((out / "resume.json").read_text("utf-8"))


def test_resume_json_is_valid_json_resume(built, schema):
    _, document = built
    check(document, schema)


def test_resume_maps_every_section_it_has_a_place_for(built):
    _, document = built
    assert document["basics"]["name"] == "Mei Tanaka" and document["basics"]["url"] == "https://mei.example.org/"
    assert document["basics"]["profiles"] == [{"network": "GitHub", "url": "https://github.com/example-mei"}]
    assert [w["position"] for w in document["work"]] == ["Assistant Professor", "Postdoctoral Researcher"]
    assert "endDate" not in document["work"][0] and document["work"][1]["endDate"] == "2022-07"
    phd = document["education"][0]
    assert (phd["studyType"], phd["area"], phd["institution"]) == ("PhD", "Computer Science", "University of Kyoto")
    assert [a["title"] for a in document["awards"]] == ["Best Paper Award", "Early Career Fellowship"]
    assert [v["position"] for v in document["volunteer"]] == ["Area Chair", "Reviewer"]
    titles = [p["name"] for p in document["publications"]]
    assert titles[1] == "Small Models & Big Images" and len(titles) == 2
    assert document["publications"][0]["releaseDate"] == "2024-06" and document["publications"][0]["publisher"] == "CVPR 2024"
    assert [t["event"] for t in document["x-cvsite"]["talks"]] == ["Stanford Vision Seminar", "ECCV Workshop on Efficiency"]


def test_the_example_site_resume_is_valid_too(example_site, schema):
    check(json.loads((example_site / "resume.json").read_text("utf-8")), schema)


def test_a_resume_read_back_gives_the_same_cv(built, make_site, tmp_path):
    root, document = built
    original = validate_site(load_site(root)).cv
    again = make_site(CV_SITE | {"content/cv.yaml": yaml.safe_dump(cv_from_resume(document), allow_unicode=True, sort_keys=False)})
    assert validate_site(load_site(again)).cv == original


def test_any_json_resume_reads_into_a_valid_cv(make_site, schema):
    sample = json.loads((SCHEMA_FILE.parent / "sample.resume.json").read_text("utf-8"))
    cv_yaml = cv_from_resume(sample)
    assert cv_yaml["positions"] and cv_yaml["education"] and cv_yaml["awards"]
    site = make_site({"content/cv.yaml": yaml.safe_dump(cv_yaml, allow_unicode=True, sort_keys=False)})
    cv = validate_site(load_site(site)).cv
    assert cv.positions[0].organization == sample["work"][0]["name"]


def test_last_modified_is_the_newest_papers_date(make_site, tmp_path):
    # the files' names and the dates' precision do not follow the dates' order
    paper = "---\ntitle: {t}\nauthors: [A]\ndate: {d}\ncategory: CV\n---\n"
    dates = {"a": "2023-09", "b": "2023", "c": "2023-09-19", "d": "2022-12-31", "e": "2023-09-02"}
    root = make_site({f"content/papers/{name}.md": paper.format(t=name.upper(), d=date) for name, date in dates.items()})
    build(BuildOptions(root, tmp_path / "out"))
    document = json.loads((tmp_path / "out" / "resume.json").read_text("utf-8"))
    assert document["meta"]["lastModified"] == "2023-09-19"
    assert [p["releaseDate"] for p in document["publications"]] == ["2023-09-19", "2023-09-02", "2023-09", "2023", "2022-12-31"]

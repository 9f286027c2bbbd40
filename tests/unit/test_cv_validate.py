"""content/cv.yaml and site.yaml's cv settings: each problem as path:line: section[index].field."""

from __future__ import annotations

import pytest

from generator.cv_records import PRESENT, Education, Position
from generator.errors import ContentError
from generator.load import load_site
from generator.records import PartialDate
from generator.validate import validate_site
from tests.cv_sample import CV_SITE


def problems_of(root) -> list[str]:
    with pytest.raises(ContentError) as caught:
        validate_site(load_site(root))
    return [str(p) for p in caught.value.problems]


def test_the_full_sample_cv_validates_into_typed_entries(make_site):
    cv = validate_site(load_site(make_site(CV_SITE))).cv
    assert cv.source == "content/cv.yaml"
    now, before = cv.positions
    assert isinstance(now, Position) and now.end == PRESENT and now.start == PartialDate(2022, 8)
    assert before.end == PartialDate(2022, 7) and dict(now.links) == {"lab": "https://lab.example.org/"}
    assert isinstance(cv.education[0], Education) and cv.education[0].advisor.startswith("山田")
    assert [len(getattr(cv, s)) for s in ("awards", "grants", "talks", "teaching", "service", "students", "news")] == [2, 1, 2, 1, 2, 2, 4]
    assert cv.service[1].years == "2021"  # a bare year is kept as text


def test_a_site_without_cv_yaml_has_an_empty_cv(make_site):
    cv = validate_site(load_site(make_site())).cv
    assert cv.positions == () and cv.source == ""


BAD_CV = """\
positions:
  - title: Professor
    organisation: MIT
    start: 2020-13
    end: presnt
    links:
      page: "javascript:alert(1)"
education:
  - degree: PhD
awards:
  - just a string
talks: 3
"""


def test_every_cv_problem_is_reported_at_once_with_section_index_and_line(make_site):
    found = problems_of(make_site({"content/cv.yaml": BAD_CV}))
    assert sorted(found) == sorted(
        [
            "content/cv.yaml:10: awards[1]: expected a mapping of fields, got str 'just a string'",
            "content/cv.yaml:12: talks: expected a list of entries, got number 3",
            "content/cv.yaml:9: education[1].institution: required field is missing",
            "content/cv.yaml:2: positions[1].organization: required field is missing",
            "content/cv.yaml:3: positions[1].organisation: unknown field (did you mean 'organization'?)",
            "content/cv.yaml:4: positions[1].start: impossible date 2020-13: month must be in 1..12",
            "content/cv.yaml:5: positions[1].end: expected YYYY-MM-DD, YYYY-MM, YYYY or present, got 'presnt' (did you mean 'present'?)",
            "content/cv.yaml:7: positions[1].links.page: unsafe URL scheme 'javascript:' (allowed: http, https, mailto, or a relative link)",
        ]
    )


def test_an_end_before_its_start_is_an_error(make_site):
    text = "students:\n  - name: A Student\n    start: 2020\n    end: 2018\n"
    assert problems_of(make_site({"content/cv.yaml": text})) == ["content/cv.yaml:4: students[1].end: ends (2018) before it starts (2020)"]


def test_an_unknown_section_suggests_the_right_one(make_site):
    assert problems_of(make_site({"content/cv.yaml": "position:\n  - title: X\n"})) == [
        "content/cv.yaml:1: position: unknown field (did you mean 'positions'?)"
    ]


def test_a_news_item_needs_a_date_and_text(make_site):
    assert problems_of(make_site({"content/cv.yaml": "news:\n  - text: Hello\n  - date: 2024\n"})) == [
        "content/cv.yaml:2: news[1].date: required field is missing",
        "content/cv.yaml:3: news[2].text: required field is missing",
    ]


def test_cv_problems_come_with_the_papers_problems(make_site):
    found = problems_of(make_site({"content/cv.yaml": "awards:\n  - name: X\n", "content/papers/p.md": "---\ntitle: T\n---\n"}))
    assert "content/cv.yaml:2: awards[1].date: required field is missing" in found
    assert any(p.startswith("content/papers/p.md:") for p in found)


def test_site_yaml_chooses_sections_and_paper_size(make_site):
    site = validate_site(load_site(make_site({"site.yaml": "cv:\n  sections: [education, publications]\n  pdf: {paper: letter}\n"})))
    assert site.config.cv.sections == ("education", "publications") and site.config.cv.pdf.paper == "letter"
    default = validate_site(load_site(make_site({"site.yaml": "title: T\n"}))).config.cv
    assert default.sections[:3] == ("positions", "education", "publications") and default.pdf.paper == "a4"


@pytest.mark.parametrize(
    "yaml_text, expected",
    [
        ("cv:\n  sections: [positions, award]\n", "site.yaml:2: cv.sections: item 2: unknown section 'award' (did you mean 'awards'?)"),
        ("cv:\n  sections: [talks, talks]\n", "site.yaml:2: cv.sections: item 2: 'talks' is listed twice"),
        ("cv:\n  pdf:\n    paper: A5\n", "site.yaml:3: cv.pdf.paper: expected one of a4, letter, got 'A5'"),
        ("cv:\n  sectoins: []\n", "site.yaml:2: cv.sectoins: unknown field (did you mean 'sections'?)"),
    ],
)
def test_bad_cv_settings_are_located(make_site, yaml_text, expected):
    (found,) = problems_of(make_site({"site.yaml": yaml_text}))
    assert found.startswith(expected)

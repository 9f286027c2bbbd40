"""Validation: each kind of bad input is reported as path:line: field: message, all at once."""

from __future__ import annotations

import json

import pytest

from generator.errors import ContentError
from generator.load import load_site
from generator.validate import validate_site

GOOD = """\
---
title: Good Paper
authors: [Ada Lovelace]
date: 2021-03-04
category: CV
---
Abstract.
"""


def problems_of(root) -> list[str]:
    with pytest.raises(ContentError) as caught:
        validate_site(load_site(root))
    return [str(p) for p in caught.value.problems]


def one_problem(make_site, rel: str, text: str | bytes) -> str:
    found = problems_of(make_site({rel: text}))
    assert len(found) == 1, found
    return found[0]


def test_a_good_site_validates(make_site):
    site = validate_site(load_site(make_site({"content/papers/good.md": GOOD})))
    (paper,) = site.papers
    assert paper.title == "Good Paper" and paper.category.code == "cs.CV" and paper.slug == "good"


def test_malformed_yaml_names_the_line(make_site):
    text = "---\ntitle: Broken\nauthors: [A, B\ndate: 2020\ncategory: CV\n---\n"
    found = one_problem(make_site, "content/papers/broken.md", text)
    assert found.startswith("content/papers/broken.md:")
    assert "invalid YAML" in found
    line = int(found.split(":")[1])
    assert 3 <= line <= 6  # at or after the unclosed list, inside the front matter


def test_missing_required_field(make_site):
    found = one_problem(make_site, "content/papers/p.md", GOOD.replace("date: 2021-03-04\n", ""))
    assert found.startswith("content/papers/p.md:2: date: ")
    assert "required" in found


def test_wrong_type_names_line_and_field(make_site):
    found = one_problem(make_site, "content/papers/p.md", GOOD.replace("authors: [Ada Lovelace]", "authors: Ada Lovelace"))
    assert found.startswith("content/papers/p.md:3: authors: ")
    assert "list" in found


def test_unquoted_yes_as_title_is_a_type_error_with_a_hint(make_site):
    found = one_problem(make_site, "content/papers/p.md", GOOD.replace("title: Good Paper", "title: yes"))
    assert found.startswith("content/papers/p.md:2: title: ") and "quotes" in found


@pytest.mark.parametrize("date", ["2023-02-30", "2021-13-01", "2021-00", "21-01-01", "March 2021"])
def test_impossible_or_malformed_dates(make_site, date):
    found = one_problem(make_site, "content/papers/p.md", GOOD.replace("2021-03-04", date))
    assert found.startswith("content/papers/p.md:4: date: ")
    assert date in found


@pytest.mark.parametrize("date, iso", [("2021", "2021"), ("2021-07", "2021-07"), ("'2021-07-09'", "2021-07-09")])
def test_partial_dates_are_accepted(make_site, date, iso):
    site = validate_site(load_site(make_site({"content/papers/p.md": GOOD.replace("2021-03-04", date)})))
    assert site.papers[0].date.iso() == iso


def test_unknown_field_suggests_the_right_one(make_site):
    found = problems_of(make_site({"content/papers/p.md": GOOD.replace("category: CV", "category: CV\nvenu: CVPR")}))
    assert found == ["content/papers/p.md:6: venu: unknown field (did you mean 'venue'?)"]


def test_unknown_category_suggests_a_known_one(make_site):
    found = one_problem(make_site, "content/papers/p.md", GOOD.replace("category: CV", "category: CVV"))
    assert found.startswith("content/papers/p.md:5: category: unknown category 'CVV'")
    assert "did you mean 'CV'" in found


def test_site_can_add_its_own_category(make_site):
    root = make_site({"site.yaml": "categories:\n  QC: Quantum Computing\n",
                      "content/papers/p.md": GOOD.replace("category: CV", "category: QC")})
    (paper,) = validate_site(load_site(root)).papers
    assert paper.category.name == "Quantum Computing"


def test_duplicate_slug_names_both_files(make_site):
    root = make_site({"content/papers/a.md": GOOD, "content/papers/b.yaml":
                      "title: Other\nauthors: [B]\ndate: 2020\ncategory: LG\nslug: a\n"})
    found = problems_of(root)
    assert len(found) == 1
    assert found[0].startswith("content/papers/b.yaml:5: slug: duplicate slug 'a'")
    assert "content/papers/a.md" in found[0]


@pytest.mark.parametrize("target", ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
                                    "data:text/html,<script>alert(1)</script>", "vbscript:x", "file:///etc/passwd"])
def test_unsafe_link_schemes_are_rejected(make_site, target):
    text = GOOD.replace("category: CV", f"category: CV\nlinks:\n  code: {json.dumps(target)}")
    found = one_problem(make_site, "content/papers/p.md", text)
    assert found.startswith("content/papers/p.md:7: links.code: ")


@pytest.mark.parametrize("target", ["https://github.com/x/y", "http://example.org", "mailto:a@b.org", "papers/x.pdf", "/slides.pdf"])
def test_safe_links_are_accepted(make_site, target):
    text = GOOD.replace("category: CV", f"category: CV\nlinks:\n  code: {target}")
    (paper,) = validate_site(load_site(make_site({"content/papers/p.md": text}))).papers
    assert paper.link("code") == target


def test_unsafe_profile_link_is_rejected(make_site):
    found = one_problem(make_site, "content/profile.md", "---\nname: A\nlinks:\n  Home: javascript:alert(1)\n---\n")
    assert found.startswith("content/profile.md:4: links.Home: unsafe URL scheme")


def test_non_utf8_file(make_site):
    found = one_problem(make_site, "content/papers/p.md", "---\ntitle: Caf".encode() + b"\xe9\n---\n")
    assert found.startswith("content/papers/p.md:2: file: ") and "UTF-8" in found


def test_empty_file(make_site):
    found = one_problem(make_site, "content/papers/p.md", "")
    assert found == "content/papers/p.md:1: file: file is empty"


def test_markdown_record_without_front_matter(make_site):
    found = one_problem(make_site, "content/papers/p.md", "title: x\n")
    assert found.startswith("content/papers/p.md:1: file: no front matter")


def test_missing_profile_name(make_site):
    found = one_problem(make_site, "content/profile.md", "---\nheadline: x\n---\n")
    assert found.startswith("content/profile.md:2: name: required")


def test_bad_site_config_field(make_site):
    found = one_problem(make_site, "site.yaml", "title: T\nbase_url: ftp://x.org/\n")
    assert found.startswith("site.yaml:2: base_url: ")


def test_all_problems_of_a_build_are_reported_together(make_site):
    root = make_site({
        "content/papers/a.md": GOOD.replace("2021-03-04", "2023-02-30"),
        "content/papers/b.md": GOOD.replace("category: CV", "category: XX"),
        "content/papers/c.yaml": "title: [\n",
        "content/papers/d.md": "",
        "site.yaml": "titel: x\n",
    })
    found = problems_of(root)
    assert [p.split(":")[0] for p in found] == [
        "content/papers/a.md", "content/papers/b.md", "content/papers/c.yaml", "content/papers/d.md", "site.yaml"]


def test_yaml_record_keeps_its_abstract_as_a_field(make_site):
    root = make_site({"content/papers/y.yaml": "title: Y\nauthors: [A]\ndate: 2020-05\ncategory: cs.LG\nabstract: |\n  Some *text*.\n"})
    (paper,) = validate_site(load_site(root)).papers
    assert paper.abstract.strip() == "Some *text*." and paper.category.short == "LG"


def test_abstract_field_in_markdown_record_is_an_error(make_site):
    found = one_problem(make_site, "content/papers/p.md", GOOD.replace("category: CV", "category: CV\nabstract: x"))
    assert found.startswith("content/papers/p.md:6: abstract: ")


def test_drafts_are_left_out_unless_asked_for(make_site):
    root = make_site({"content/papers/d.md": GOOD.replace("category: CV", "category: CV\ndraft: true"),
                      "content/papers/e.md": GOOD.replace("Good Paper", "Published")})
    assert [p.title for p in validate_site(load_site(root)).papers] == ["Published"]
    assert len(validate_site(load_site(root), drafts=True).papers) == 2


def test_slug_field_overrides_file_name_and_must_be_clean(make_site):
    root = make_site({"content/papers/My Paper.md": GOOD})
    assert validate_site(load_site(root)).papers[0].slug == "my-paper"
    found = one_problem(make_site, "content/papers/x.md", GOOD.replace("category: CV", "category: CV\nslug: Not Clean"))
    assert found.startswith("content/papers/x.md:6: slug: ")

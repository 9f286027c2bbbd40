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
    # the unclosed list opened on line 3; YAML only notices on line 4
    assert found.startswith("content/papers/broken.md:3: file: invalid YAML: ")
    assert "']'" in found


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
    root = make_site(
        {"site.yaml": "categories:\n  QC: Quantum Computing\n", "content/papers/p.md": GOOD.replace("category: CV", "category: QC")}
    )
    (paper,) = validate_site(load_site(root)).papers
    assert paper.category.name == "Quantum Computing"


def test_duplicate_slug_names_both_files(make_site):
    root = make_site(
        {"content/papers/a.md": GOOD, "content/papers/b.yaml": "title: Other\nauthors: [B]\ndate: 2020\ncategory: LG\nslug: a\n"}
    )
    found = problems_of(root)
    assert len(found) == 1
    assert found[0].startswith("content/papers/b.yaml:5: slug: duplicate slug 'a'")
    assert "content/papers/a.md" in found[0]


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "file:///etc/passwd",
    ],
)
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
    found = one_problem(make_site, "content/papers/p.md", b"---\ntitle: Caf" + b"\xe9\n---\n")
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
    root = make_site(
        {
            "content/papers/a.md": GOOD.replace("2021-03-04", "2023-02-30"),
            "content/papers/b.md": GOOD.replace("category: CV", "category: XX"),
            "content/papers/c.yaml": "title: [\n",
            "content/papers/d.md": "",
            "site.yaml": "titel: x\n",
        }
    )
    found = problems_of(root)
    assert [p.split(":")[0] for p in found] == [
        "content/papers/a.md",
        "content/papers/b.md",
        "content/papers/c.yaml",
        "content/papers/d.md",
        "site.yaml",
    ]


def test_yaml_record_keeps_its_abstract_as_a_field(make_site):
    root = make_site({"content/papers/y.yaml": "title: Y\nauthors: [A]\ndate: 2020-05\ncategory: cs.LG\nabstract: |\n  Some *text*.\n"})
    (paper,) = validate_site(load_site(root)).papers
    assert paper.abstract.strip() == "Some *text*." and paper.category.short == "LG"


def test_abstract_field_in_markdown_record_is_an_error(make_site):
    found = one_problem(make_site, "content/papers/p.md", GOOD.replace("category: CV", "category: CV\nabstract: x"))
    assert found.startswith("content/papers/p.md:6: abstract: ")


def test_drafts_are_left_out_unless_asked_for(make_site):
    root = make_site(
        {
            "content/papers/d.md": GOOD.replace("category: CV", "category: CV\ndraft: true"),
            "content/papers/e.md": GOOD.replace("Good Paper", "Published"),
        }
    )
    assert [p.title for p in validate_site(load_site(root)).papers] == ["Published"]
    assert len(validate_site(load_site(root), drafts=True).papers) == 2


def test_slug_field_overrides_file_name_and_must_be_clean(make_site):
    root = make_site({"content/papers/My Paper.md": GOOD})
    assert validate_site(load_site(root)).papers[0].slug == "my-paper"
    found = one_problem(make_site, "content/papers/x.md", GOOD.replace("category: CV", "category: CV\nslug: Not Clean"))
    assert found.startswith("content/papers/x.md:6: slug: ")


@pytest.mark.parametrize(
    "name, slug",
    [("2024-fast-nets", "2024-fast-nets"), ("Fast_Nets", "fast-nets"), ("über-netze", "uber-netze"), ("a--b", "a-b"), ("-a-", "a")],
)
def test_a_file_name_becomes_the_slug_slugify_makes_of_it(make_site, name, slug):
    root = make_site({f"content/papers/{name}.md": GOOD})
    assert validate_site(load_site(root)).papers[0].slug == slug


def test_a_slug_is_clean_exactly_when_slugify_leaves_it_as_it_is():
    """What validation accepts as a slug field is what python-slugify would not change."""
    import random

    from slugify import slugify

    from generator.validate import _SLUG

    rng = random.Random(5)
    alphabet = "ab9-_ .AZé&;#'"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(5000)]
    for text in texts + ["a", "a-b", "a--b", "-a", "a-", "", "&amp;", "a1-2b"]:
        assert bool(_SLUG.fullmatch(text)) == (text != "" and slugify(text) == text), text


@pytest.mark.parametrize(
    "text, line, words",
    [
        ('title: "unclosed\nauthors: [A]\ndate: 2020\ncategory: CV\n', 1, "quoted"),
        ("title: T\nauthors: [A]\ndate: 2020\ncategory: CV\n  oops: x\n", 5, "not allowed"),
        ("title: T\nauthors: [A]\n\tdate: 2020\ncategory: CV\n", 3, "token"),
    ],
)
def test_malformed_yaml_records(make_site, text, line, words):
    found = one_problem(make_site, "content/papers/p.yaml", text)
    assert found.startswith(f"content/papers/p.yaml:{line}: file: invalid YAML: ") and words in found


def test_whitespace_only_file_is_empty(make_site):
    assert one_problem(make_site, "content/papers/p.yaml", "  \n\n") == "content/papers/p.yaml:1: file: file is empty"


def test_non_utf8_names_the_line_of_the_bad_byte(make_site):
    text = b"---\ntitle: T\nauthors: [A]\naffiliation: Universit" + b"\xe4t\n---\n"
    found = one_problem(make_site, "content/papers/p.md", text)
    assert found.startswith("content/papers/p.md:4: file: file is not valid UTF-8") and "0xe4" in found


def test_a_yaml_record_that_is_a_list(make_site):
    found = one_problem(make_site, "content/papers/p.yaml", "- title: T\n")
    assert found.startswith("content/papers/p.yaml:1: file: expected a mapping")


def test_every_problem_of_one_record_is_reported(make_site):
    text = "---\ntitel: T\nauthors: Ada\ndate: 2023-02-30\ncategory: cs.XX\nscore: high\nlinks:\n  code: javascript:x\n---\n"
    found = problems_of(make_site({"content/papers/p.md": text}))
    where = [tuple(p.split(": ")[0].split(":")[1:]) + (p.split(": ")[1],) for p in found]
    assert sorted(where) == sorted(
        [("2", "titel"), ("2", "title"), ("3", "authors"), ("4", "date"), ("5", "category"), ("6", "score"), ("8", "links.code")]
    )
    assert "content/papers/p.md:2: titel: unknown field (did you mean 'title'?)" in found
    assert "content/papers/p.md:2: title: required field is missing" in found


def test_wrong_types_each_say_what_was_expected(make_site):
    cases = {
        "et_al: maybe": ("et_al", "true or false"),
        "score: high": ("score", "number"),
        "citations: 2.5": ("citations", "whole number"),
        "tags: ML": ("tags", "list"),
        "links: https://x.org": ("links", "mapping"),
        "authors: []": ("authors", "at least one"),
    }
    for line, (field, words) in cases.items():
        text = (
            GOOD.replace("authors: [Ada Lovelace]", "authors: [Ada Lovelace]\n" + line)
            if field != "authors"
            else GOOD.replace("authors: [Ada Lovelace]", line)
        )
        found = problems_of(make_site({"content/papers/p.md": text}))
        assert len(found) == 1 and found[0].startswith("content/papers/p.md:") and f": {field}: " in found[0], found
        assert words in found[0]
        expected_line = 3 if field == "authors" else 4
        assert found[0].split(":")[1] == str(expected_line)


def test_unknown_site_config_field_suggests(make_site):
    found = one_problem(make_site, "site.yaml", "title: T\nallow_htm: true\n")
    assert found == "site.yaml:2: allow_htm: unknown field (did you mean 'allow_html'?)"


def test_unknown_category_in_arxiv_spelling_suggests(make_site):
    found = one_problem(make_site, "content/papers/p.md", GOOD.replace("category: CV", "category: cs.LGG"))
    assert found.startswith("content/papers/p.md:5: category: unknown category 'cs.LGG' (did you mean 'cs.LG' (Machine Learning)")
    found = one_problem(make_site, "content/papers/p.md", GOOD.replace("category: CV", "category: stat.MLL"))
    assert "(did you mean 'stat.ML' (Machine Learning)" in found


def test_duplicate_slug_between_two_markdown_files_via_slug_field(make_site):
    root = make_site(
        {
            "content/papers/one.md": GOOD.replace("category: CV", "category: CV\nslug: same"),
            "content/papers/two.md": GOOD.replace("category: CV", "category: CV\nslug: same"),
        }
    )
    (found,) = problems_of(root)
    assert found.startswith("content/papers/two.md:6: slug: duplicate slug 'same'") and "content/papers/one.md" in found


@pytest.mark.parametrize(
    "field, value",
    [("photo", "javascript:alert(1)"), ("photo", "data:image/svg+xml,<svg onload=alert(1)>"), ("links:\n  Site", " JaVaScRiPt:alert(1)")],
)
def test_unsafe_profile_urls(make_site, field, value):
    found = one_problem(make_site, "content/profile.md", f"---\nname: A\n{field}: {json.dumps(value)}\n---\n")
    name = field.replace(":\n  ", ".")
    line = 4 if "\n" in field else 3
    assert found.startswith(f"content/profile.md:{line}: {name}: ")
    assert "unsafe URL scheme" in found or "control characters" in found or "spaces" in found


def test_yaml_and_markdown_records_are_the_same_paper(make_site):
    root = make_site(
        {
            "content/papers/m.md": "---\ntitle: Same\nauthors: [A, B]\ndate: 2022-07\ncategory: CL\nscore: 3\n---\nThe *abstract*.\n",
            "content/papers/y.yaml": "title: Same\nauthors: [A, B]\ndate: 2022-07\ncategory: CL\nscore: 3\nabstract: The *abstract*.\n",
        }
    )
    md, yml = sorted(validate_site(load_site(root)).papers, key=lambda p: p.slug)
    assert (md.slug, yml.slug) == ("m", "y")
    import dataclasses

    assert dataclasses.replace(md, slug="y", source="content/papers/y.yaml") == yml


def test_profile_metrics_are_checked_field_by_field(make_site):
    root = make_site({"content/profile.md": "---\nname: Ada\nmetrics:\n  h_indx: 3\n  novelty: 120\n  citations: 1.5\n---\nBio.\n"})
    assert problems_of(root) == [
        "content/profile.md:4: metrics.h_indx: unknown field (did you mean 'h_index'?)",
        "content/profile.md:5: metrics.novelty: must be at most 100, got 120",
        "content/profile.md:6: metrics.citations: expected a whole number, got number 1.5",
    ]


def test_file_names_that_slugify_alike_are_duplicates(make_site):
    root = make_site(
        {"content/papers/My Paper.yaml": "title: T\nauthors: [A]\ndate: 2020\ncategory: CV\n", "content/papers/my-paper.md": GOOD}
    )
    (found,) = problems_of(root)
    assert found.startswith("content/papers/my-paper.md:1: slug: duplicate slug 'my-paper'")
    assert "content/papers/My Paper.yaml" in found


def test_missing_profile_is_reported(make_site):
    root = make_site({"content/papers/p.md": GOOD})
    (root / "content/profile.md").unlink()
    assert problems_of(root) == ["content/profile.md:1: file: missing: every site needs a profile (name and bio)"]


def test_windows_line_endings_and_a_byte_order_mark(make_site):
    text = "\ufeff" + GOOD.replace("2021-03-04", "2021-02-29").replace("\n", "\r\n")
    found = one_problem(make_site, "content/papers/p.md", text.encode("utf-8"))
    assert found.startswith("content/papers/p.md:4: date: impossible date 2021-02-29")
    root = make_site({"content/papers/p.md": ("\ufeff" + GOOD.replace("\n", "\r\n")).encode("utf-8")})
    (paper,) = validate_site(load_site(root)).papers
    assert paper.title == "Good Paper" and paper.abstract == "Abstract."


def test_every_bad_link_of_a_record_is_reported(make_site):
    text = GOOD.replace("category: CV", "category: CV\nlinks:\n  code: javascript:alert(1)\n  pdf: ok.pdf\n  video: 'data:text/html,x'")
    found = problems_of(make_site({"content/papers/p.md": text}))
    assert [f.split(": ")[0] for f in found] == ["content/papers/p.md:7", "content/papers/p.md:9"]
    assert [f.split(": ")[1] for f in found] == ["links.code", "links.video"]


def test_entry_type_in_extra_must_be_a_bibtex_type_and_an_odd_citation_key_is_left_to_the_export(make_site):
    found = problems_of(
        make_site(
            {
                "content/papers/p.md": GOOD.replace(
                    "category: CV\n", "category: CV\nextra:\n  citation_key: '../../x y'\n  entry_type: in-proceedings\n"
                )
            }
        )
    )
    assert found == [
        "content/papers/p.md:8: extra.entry_type: an entry type is a BibTeX type such as article or inproceedings, got 'in-proceedings'",
    ]

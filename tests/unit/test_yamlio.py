"""Line-aware YAML: the line of every key, dates left as text, front matter split, bad YAML located."""

from __future__ import annotations

import pytest

from generator.yamlio import YamlProblem, parse_mapping, split_front_matter


def test_every_key_has_its_line_nested_keys_dotted():
    doc = parse_mapping("title: T\nlinks:\n  code: https://x.org\n  pdf: https://y.org\ndate: 2020\n")
    assert doc.lines == {"title": 1, "links": 2, "links.code": 3, "links.pdf": 4, "date": 5}
    assert doc.line("links.code") == 3
    assert doc.line("links.video") == 2  # unknown subkey: the line of its parent
    assert doc.line("nope") == doc.first_line == 1


def test_line_offset_places_front_matter_inside_its_file():
    doc = parse_mapping("title: T\nauthors: [A]\n", line_offset=1)
    assert doc.lines == {"title": 2, "authors": 3}


def test_dates_stay_text_so_impossible_ones_can_be_reported():
    doc = parse_mapping("a: 2023-02-30\nb: 2021-03-04\nc: 2021-03\nd: 2021\n")
    assert doc.data == {"a": "2023-02-30", "b": "2021-03-04", "c": "2021-03", "d": 2021}


def test_yaml_types_are_kept():
    doc = parse_mapping("t: 'yes'\nb: yes\nn: 3.5\nl: [a, b]\nm: {x: 1}\nz: null\n")
    assert doc.data == {"t": "yes", "b": True, "n": 3.5, "l": ["a", "b"], "m": {"x": 1}, "z": None}


def test_keys_given_twice_are_recorded():
    doc = parse_mapping("title: A\nauthors: [x]\ntitle: B\n")
    assert doc.duplicates == (("title", 3),)
    assert doc.lines["title"] == 1


def test_a_document_that_is_not_a_mapping_is_a_problem():
    with pytest.raises(YamlProblem) as caught:
        parse_mapping("- a\n- b\n")
    assert caught.value.line == 1 and "mapping" in caught.value.message and "list" in caught.value.message


def test_an_empty_document_is_an_empty_mapping():
    doc = parse_mapping("", line_offset=1)
    assert doc.data == {} and doc.first_line == 2


@pytest.mark.parametrize(
    "text, line",
    [
        ("title: Broken\nauthors: [A, B\ndate: 2020\ncategory: CV\n", 2),  # unclosed list: where it opened
        ("title: T\nlinks: {code: x\ndate: 2020\n", 2),  # unclosed mapping
        ('title: "unclosed\nauthors: [A]\ndate: 2020\n', 1),  # unclosed quote
        ("title: x\n  bad: indent\n", 2),  # the line YAML cannot read
        ("title: x\nauthors: *nowhere\n", 2),
    ],
)
def test_malformed_yaml_is_located_at_the_line_to_fix(text, line):
    with pytest.raises(YamlProblem) as caught:
        parse_mapping(text, line_offset=1)
    assert caught.value.line == line + 1
    assert caught.value.message.startswith("invalid YAML: ")


def test_front_matter_is_split_from_the_body():
    yaml_text, body, offset = split_front_matter("---\ntitle: T\n---\nThe *abstract*.\n\nMore.\n")
    assert yaml_text == "title: T\n" and body == "The *abstract*.\n\nMore.\n" and offset == 1


def test_front_matter_may_end_with_dots_and_the_body_may_hold_rules():
    yaml_text, body, _ = split_front_matter("---\ntitle: T\n...\nabove\n---\nbelow\n")
    assert yaml_text == "title: T\n" and body == "above\n---\nbelow\n"


@pytest.mark.parametrize("text", ["title: T\n", "---\ntitle: T\n", "\n---\ntitle: T\n---\n", ""])
def test_no_front_matter(text):
    assert split_front_matter(text) is None


def test_the_fast_bad_character_search_finds_exactly_what_the_full_class_finds():
    """Records are searched with a fast path (ASCII, then the BMP alone); every code point, alone
    and inside ASCII, accented and astral text, must give the same first match as the full class."""
    import sys

    from generator.yamlio import BAD_CHARACTER, find_bad_character

    def where(match):
        return match and (match.start(), match.group())

    found = 0
    for code in range(sys.maxunicode + 1):
        for text in (chr(code), f"ab{chr(code)}é", f"x{chr(code)}\U0001f600", f"title: {chr(code)}\n"):
            expected = where(BAD_CHARACTER.search(text))
            assert where(find_bad_character(text)) == expected, hex(code)
            found += expected is not None
    assert found > 4 * 2000  # C0/C1 controls, surrogates and noncharacters are all found
